/**
 * scimmy + scimmy-routers as a benchmark peer: an Express app with the
 * scimmy-routers middleware at /scim/v2 and an in-memory store behind scimmy's
 * User and Group resource handlers (ingress = create/replace, egress = read,
 * degress = delete), written from the packages' public documentation.
 *
 *   node bench/peers/setup.mjs scimmy     # once: installs the pinned packages outside the repo
 *   node bench/peers/scimmy.mjs [--port N] [--token T]
 *
 * Lists and lookups go through scimmy's own filter matcher over every stored
 * resource, and scimmy's ListResponse sorts and pages the result, as a store
 * without indexes would; ids are random UUIDs; userName is unique
 * (case-insensitively, 409 otherwise), as SCIM asks.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { announce, peerImport, peerOptions, peerVersion, stopOnSignal } from './common.mjs';

const o = peerOptions('scimmy', 'Serves SCIM at http://127.0.0.1:<port>/scim/v2 with an in-memory store; prints the base URL and the bearer token.');

const SCIMMY = (await peerImport(o.dir, 'scimmy')).main;
const SCIMMYRouters = (await peerImport(o.dir, 'scimmy-routers')).main;
const express = (await peerImport(o.dir, 'express')).main;

/** A plain copy of what scimmy hands the ingress handler (a schema instance). */
const plain = (instance) => JSON.parse(JSON.stringify(instance));

/**
 * One in-memory collection: id → resource, plus an optional unique key
 * (lower-cased), e.g. userName.
 */
function collection(kind, uniqueAttr) {
  const byId = new Map();
  const byKey = new Map();
  const keyOf = (r) => (uniqueAttr && typeof r[uniqueAttr] === 'string' ? r[uniqueAttr].toLowerCase() : undefined);
  const conflict = (key, id) => {
    if (key === undefined) return;
    const holder = byKey.get(key);
    if (holder !== undefined && holder !== id) throw new SCIMMY.Types.Error(409, 'uniqueness', `${uniqueAttr} is already taken by another ${kind}`);
  };
  return {
    ingress(resource, instance) {
      const now = new Date().toISOString();
      const data = plain(instance);
      delete data.schemas;
      delete data.meta;
      if (resource.id) {
        const old = byId.get(resource.id);
        if (!old) throw new SCIMMY.Types.Error(404, null, `${kind} ${resource.id} not found`);
        const key = keyOf(data);
        conflict(key, resource.id);
        const next = { ...data, id: resource.id, meta: { created: old.meta.created, lastModified: now } };
        const oldKey = keyOf(old);
        if (oldKey !== key) byKey.delete(oldKey);
        if (key !== undefined) byKey.set(key, resource.id);
        byId.set(resource.id, next);
        return next;
      }
      const key = keyOf(data);
      conflict(key);
      const id = randomUUID();
      const created = { ...data, id, meta: { created: now, lastModified: now } };
      byId.set(id, created);
      if (key !== undefined) byKey.set(key, id);
      return created;
    },
    egress(resource) {
      if (resource.id) {
        const found = byId.get(resource.id);
        if (!found) throw new SCIMMY.Types.Error(404, null, `${kind} ${resource.id} not found`);
        return found;
      }
      const all = [...byId.values()];
      return resource.filter ? resource.filter.match(all) : all;
    },
    degress(resource) {
      const found = byId.get(resource.id);
      if (!found) throw new SCIMMY.Types.Error(404, null, `${kind} ${resource.id} not found`);
      byId.delete(resource.id);
      byKey.delete(keyOf(found));
    },
    get size() {
      return byId.size;
    },
  };
}

const users = collection('User', 'userName');
const groups = collection('Group');

SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .extend(SCIMMY.Schemas.EnterpriseUser, false)
  .ingress((resource, instance) => users.ingress(resource, instance))
  .egress((resource) => users.egress(resource))
  .degress((resource) => users.degress(resource));
SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, instance) => groups.ingress(resource, instance))
  .egress((resource) => groups.egress(resource))
  .degress((resource) => groups.degress(resource));

const app = express();
app.disable('x-powered-by');
app.use(
  '/scim/v2',
  new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (req.header('authorization') !== `Bearer ${o.token}`) throw new Error('a valid bearer token is required');
      return 'benchmark';
    },
  }),
);

const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(o.port, '127.0.0.1', () => {
  const { port } = server.address();
  announce({
    peer: 'scimmy',
    base: `http://127.0.0.1:${port}/scim/v2`,
    token: o.token,
    versions: Object.fromEntries(['scimmy', 'scimmy-routers', 'express'].map((n) => [n, peerVersion(o.dir, n)])),
    store: 'in-memory (JavaScript Maps in this process)',
  });
});
stopOnSignal(server);
