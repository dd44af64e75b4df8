#!/usr/bin/env node
/**
 * The floor for scenario 1 (`lookup`): a bare Fastify server that answers
 * `GET /scim/v2/Users?filter=userName eq "…"` with ONE SQL statement, the row
 * scimd's lookup reads (by org_id and lower(user_name), the unique index), on
 * the pool scimd itself opens: `openDatabase` from the checkout's built
 * dist/db/connect.js, so the pg pool (size 10) and its type parsers are the
 * ones scimd runs with. What scimd does on top (token check and its
 * last-used update, count(*), the groups query, rendering the full resource,
 * the activity row) is what the ratio lookup/floor prices.
 *
 * The bearer token is checked against an in-memory map of SHA-256 hashes
 * (filled from scim_tokens on a token's first use, then no SQL), so the only
 * per-request SQL is the lookup. The answer is a minimal ListResponse: the
 * stored document with id and meta, no groups.
 *
 * Usage (bench/run.mjs starts it for the `floor` row; PostgreSQL only):
 *   DATABASE_URL=postgres://… node bench/floor.mjs [--scimd-dir DIR] [--port N]
 * Prints `floor listening on http://127.0.0.1:N`.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { 'scimd-dir': { type: 'string' }, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
  strict: true,
});
const scimdDir = resolve(values['scimd-dir'] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..'));
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl?.startsWith('postgres')) {
  console.error('floor: set DATABASE_URL=postgres://… (the floor runs on PostgreSQL only)');
  process.exit(2);
}

// Fastify and Kysely of the checkout whose dist/ we load, so both sides run the same versions.
const requireFromScimd = createRequire(join(scimdDir, 'package.json'));
const load = async (name) => import(pathToFileURL(requireFromScimd.resolve(name)).href);
const { default: Fastify } = await load('fastify');
const { sql } = await load('kysely');
const { openDatabase } = await import(pathToFileURL(join(scimdDir, 'dist', 'db', 'connect.js')).href);

const handle = await openDatabase({ url: databaseUrl });
const db = handle.db;

/** sha256 hex of a token → org id (undefined: refused). */
const orgs = new Map();
async function orgOf(authorization) {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) return undefined;
  const hash = createHash('sha256').update(m[1]).digest('hex');
  if (!orgs.has(hash)) {
    const { rows } = await sql`select t.org_id from scim_tokens t where t.token_hash = ${hash} and t.revoked_at is null`.execute(db);
    orgs.set(hash, rows[0]?.org_id);
  }
  return orgs.get(hash);
}

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER_EQ = /^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

const app = Fastify({ logger: false, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
app.get('/scim/v2/Users', async (req, reply) => {
  const orgId = await orgOf(req.headers.authorization);
  if (!orgId) return reply.code(401).send({ detail: 'unknown token' });
  const m = USER_EQ.exec(String(req.query.filter ?? ''));
  if (!m) return reply.code(400).send({ detail: 'the floor answers filter=userName eq "…" only' });
  const userName = JSON.parse(`"${m[1]}"`);
  // The one statement: the row scimd's lookup page query reads, on the same index.
  const { rows } = await sql`select * from scim_users u where u.org_id = ${orgId} and lower(u.user_name) = lower(${userName})`.execute(db);
  const base = `http://${req.headers.host}/scim/v2`;
  const resources = rows.map((r) => ({
    ...r.doc,
    id: r.id,
    meta: { resourceType: 'User', created: r.created_at.toISOString(), lastModified: r.updated_at.toISOString(), location: `${base}/Users/${r.id}`, version: `W/"${r.version}"` },
  }));
  return reply
    .type('application/scim+json; charset=utf-8')
    .send({ schemas: [LIST], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });
});

const address = await app.listen({ port: Number(values.port), host: values.host });
console.log(`floor listening on ${address}`);
const stop = () =>
  app
    .close()
    .then(() => handle.close())
    .finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
