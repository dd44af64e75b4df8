/**
 * Isolation between organisations (issue 6; PRODUCT.md: the bearer token decides
 * the org, and an org admin reaches only their own org, docs/admin-api.md).
 *
 * 1. Every route the app registers is found from Fastify itself (an `onRoute`
 *    hook given to createApp, so root routes count too) and called with org A's credentials
 *    (A's SCIM token; an org-scoped console session of A's admin; and the
 *    operator with A's slug) against org B's ids and slug: the answer is 404
 *    (or what docs/admin-api.md says for the org scope: 403 for creating an
 *    org, an empty result for a search), and org B's whole stored state
 *    (users, groups, memberships, tokens, settings, roles, mappings, admins,
 *    sessions, activity, counters) is identical after each route. A route this
 *    test does not know fails it, by name: new routes must be added here.
 * 2. A seeded random run of a few hundred SCIM operations in org A, including
 *    attempts to link B's users into A's groups, leaves B's state identical and
 *    links nothing across orgs.
 * 3. Two orgs with the same userNames, externalIds and displayNames do not
 *    conflict.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { OPERATOR_TOKEN } from '../support/app.js';
import { consoleApp, newAdmin, newOrg, signIn, type Browser, type ConsoleApp } from '../support/console.js';
import { BULK_REQUEST, ERROR, GROUP, PATCH_OP, SEARCH, USER } from '../support/scim.js';

const SEED = process.env.SCIMD_TEST_SEED ? Number(process.env.SCIMD_TEST_SEED) : Date.now() % 2 ** 31;
console.log(`isolation.test.ts seed ${SEED} (rerun with SCIMD_TEST_SEED=${SEED})`);
const RANDOM_OPERATIONS = 300;

type Principal = 'scim' | 'admin' | 'operator';

interface Probe {
  as: Principal;
  method: InjectOptions['method'];
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The status expected, or a check of the whole answer. */
  expect: number | ((res: { status: number; body: any }) => void);
}

interface Org {
  id: string;
  slug: string;
  token: string;
  tokenId: string;
  users: { id: string; userName: string; version: string }[];
  group: { id: string; version: string };
  mappingId: string;
  adminId: string;
  adminEmail: string;
  /** A role name and a userName only this org has. */
  ownRole: string;
  ownUserName: string;
}

describe.each(dialects())('isolation between orgs on %s', { timeout: 180_000 }, (dialect) => {
  let c: ConsoleApp;
  let a: Org;
  let b: Org;
  let adminA: Browser;
  /** Every `METHOD path` the app registered, paths lower-cased (the router ignores case). */
  const allRoutes: string[] = [];
  const routesOf = () => [...new Set(allRoutes)].sort();
  const notAllowed = new Set<string>();

  const db = async () => (await testDatabase(dialect)).db;

  async function scim(token: string, method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await c.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let parsed: any;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = res.body;
    }
    return { status: res.statusCode, body: parsed };
  }

  /** An org with the same userNames, externalIds and group displayName as every other (`shared`), plus its own. */
  async function seed(label: string): Promise<Org> {
    const org = await newOrg(c, `iso-${label}`);
    const op = (m: Parameters<ConsoleApp['operator']>[0], url: string, body?: unknown) => c.operator(m, `/orgs/${org.slug}${url}`, body);
    const ownRole = `Only-${label}-${org.slug}`;
    expect((await op('POST', '/roles', { name: 'Engineer' })).status).toBe(201);
    expect((await op('POST', '/roles', { name: ownRole })).status).toBe(201);
    expect((await op('PATCH', '/scim', { enabled: true, syncGroups: true, defaultRole: 'Engineer' })).status).toBe(200);
    const mapping = await op('POST', '/role-mappings', { idpRoleValue: 'eng', role: 'Engineer' });
    expect(mapping.status).toBe(201);
    const tok = await op('POST', '/scim/tokens', { name: 'idp' });
    expect(tok.status).toBe(201);
    const ownUserName = `only-${label}-${org.slug}@example.com`;
    const users = [];
    for (const [i, userName] of ['alice@example.com', 'bob@example.com', ownUserName].entries()) {
      const r = await scim(tok.body.token, 'POST', '/scim/v2/Users', { schemas: [USER], userName, externalId: `ext-${i}`, displayName: `Person ${i}`, roles: [{ value: 'eng' }] });
      expect(r.status).toBe(201);
      users.push({ id: r.body.id, userName, version: r.body.meta.version });
    }
    const g = await scim(tok.body.token, 'POST', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Staff', externalId: 'grp-ext', members: users.slice(0, 2).map((u) => ({ value: u.id })) });
    expect(g.status).toBe(201);
    const admin = await newAdmin(c, org.slug);
    return { id: org.id, slug: org.slug, token: tok.body.token, tokenId: tok.body.id, users, group: { id: g.body.id, version: g.body.meta.version }, mappingId: mapping.body.id, adminId: admin.id, adminEmail: admin.email, ownRole, ownUserName };
  }

  /** Everything stored for `org`, in a stable order (JSON, so dates compare as text). */
  async function snapshot(org: Org): Promise<unknown> {
    const d = await db();
    // Reads and refusals reach the activity log through a buffer; an admin call flushes it first.
    await c.operator('GET', `/orgs/${org.slug}`);
    const admins = d.selectFrom('console_admins').select('id').where('org_id', '=', org.id);
    const counts = await d.selectFrom('scim_resource_counts').select(['resource_type']).select((eb) => eb.fn.sum<string>('n').as('n')).where('org_id', '=', org.id).groupBy('resource_type').orderBy('resource_type').execute();
    const state = {
      org: await d.selectFrom('orgs').selectAll().where('id', '=', org.id).execute(),
      config: await d.selectFrom('scim_provisioning_configs').selectAll().where('org_id', '=', org.id).execute(),
      tokens: await d.selectFrom('scim_tokens').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      roles: await d.selectFrom('org_roles').selectAll().where('org_id', '=', org.id).orderBy('name').execute(),
      mappings: await d.selectFrom('role_mappings').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      users: await d.selectFrom('scim_users').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      groups: await d.selectFrom('scim_groups').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      memberships: await d.selectFrom('scim_group_members').selectAll().where('org_id', '=', org.id).orderBy('group_id').orderBy('user_id').execute(),
      admins: await d.selectFrom('console_admins').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      sessions: await d.selectFrom('console_sessions').selectAll().where('admin_id', 'in', admins).orderBy('id').execute(),
      passwordLinks: await d.selectFrom('password_set_tokens').selectAll().where('admin_id', 'in', admins).orderBy('id').execute(),
      activity: await d.selectFrom('activity').selectAll().where('org_id', '=', org.id).orderBy('id').execute(),
      counts: counts.map((r) => ({ resource_type: r.resource_type, n: Number(r.n) })),
    };
    return JSON.parse(JSON.stringify(state));
  }

  /** Membership rows that link a group and a user of different orgs, or sit under a third org: must be none. */
  async function crossOrgLinks(): Promise<number> {
    const d = await db();
    const rows = await d
      .selectFrom('scim_group_members as m')
      .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
      .innerJoin('scim_users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where((eb) => eb.or([eb('g.org_id', '!=', eb.ref('u.org_id')), eb('m.org_id', '!=', eb.ref('g.org_id'))]))
      .execute();
    return rows.length;
  }

  beforeAll(async () => {
    // createApp's own onRoute hook sees every route, those on the root instance too.
    c = await consoleApp(dialect, {
      onRoute: (r) => {
        const keys = [r.method].flat().map((m) => `${m} ${r.url.toLowerCase()}`);
        allRoutes.push(...keys);
        // The 405s of methods an endpoint does not serve (src/http/scim/method-not-allowed.ts).
        if ((r.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) for (const k of keys) notAllowed.add(k);
      },
    });
    a = await seed('a');
    b = await seed('b');
    adminA = await signIn(c, a.adminEmail);
  });
  afterAll(() => c.app.close());

  const notFound = 404;
  const scimNotFound = (res: { status: number; body: any }) => expect(res).toMatchObject({ status: 404, body: { schemas: [ERROR], status: '404' } });
  const emptyList = (res: { status: number; body: any }) => {
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
    expect(res.body.Resources ?? []).toEqual([]);
  };
  const search = (filter: string) => ({ schemas: [SEARCH], filter });
  const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;

  /**
   * The probes of one route (lower-case path as `routesOf` gives it), or a
   * string saying why the route holds no org data to reach.
   */
  function probesFor(method: string, path: string): Probe[] | string {
    const bu = b.users[0]!;
    const bOwn = b.users[2]!;
    const bg = b.group;
    const slugB = `/api/v1/orgs/${b.slug}`;
    const slugA = `/api/v1/orgs/${a.slug}`;
    const userDoc = { schemas: [USER], userName: bu.userName };
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'taken over' }] };
    // An org-scoped admin of A and the operator naming A's slug both must not reach B's ids.
    const both = (m: InjectOptions['method'], url: string, body?: unknown): Probe[] => [
      { as: 'admin', method: m, url, ...(body !== undefined ? { body } : {}), expect: notFound },
      { as: 'operator', method: m, url, ...(body !== undefined ? { body } : {}), expect: notFound },
    ];
    const adminOnB = (m: InjectOptions['method'], suffix: string, body?: unknown): Probe[] => [{ as: 'admin', method: m, url: `${slugB}${suffix}`, ...(body !== undefined ? { body } : {}), expect: notFound }];
    const key = `${method === 'HEAD' ? 'GET' : method} ${path}`;
    const probes = ((): Probe[] | string => {
      switch (key) {
        // SCIM: resources by id.
        case 'GET /scim/v2/users/:id':
          return [bu.id, bOwn.id, bg.id].map((id) => ({ as: 'scim', method: 'GET', url: `/scim/v2/Users/${id}`, expect: scimNotFound }));
        case 'PUT /scim/v2/users/:id':
          return [{ as: 'scim', method: 'PUT', url: `/scim/v2/Users/${bu.id}`, body: userDoc, expect: scimNotFound }, { as: 'scim', method: 'PUT', url: `/scim/v2/Users/${bu.id}`, body: userDoc, headers: { 'if-match': bu.version }, expect: scimNotFound }];
        case 'PATCH /scim/v2/users/:id':
          return [{ as: 'scim', method: 'PATCH', url: `/scim/v2/Users/${bu.id}`, body: patch, expect: scimNotFound }, { as: 'scim', method: 'PATCH', url: `/scim/v2/Users/${bu.id}`, body: patch, headers: { 'if-match': bu.version }, expect: scimNotFound }];
        case 'DELETE /scim/v2/users/:id':
          return [{ as: 'scim', method: 'DELETE', url: `/scim/v2/Users/${bu.id}`, expect: scimNotFound }, { as: 'scim', method: 'DELETE', url: `/scim/v2/Users/${bOwn.id}`, headers: { 'if-match': bOwn.version }, expect: scimNotFound }];
        case 'GET /scim/v2/groups/:id':
          return [{ as: 'scim', method: 'GET', url: `/scim/v2/Groups/${bg.id}`, expect: scimNotFound }, { as: 'scim', method: 'GET', url: `/scim/v2/Groups/${bg.id}?attributes=members`, expect: scimNotFound }];
        case 'PUT /scim/v2/groups/:id':
          return [{ as: 'scim', method: 'PUT', url: `/scim/v2/Groups/${bg.id}`, body: { schemas: [GROUP], displayName: 'taken over', members: [] }, expect: scimNotFound }];
        case 'PATCH /scim/v2/groups/:id':
          return [
            { as: 'scim', method: 'PATCH', url: `/scim/v2/Groups/${bg.id}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }, expect: scimNotFound },
            { as: 'scim', method: 'PATCH', url: `/scim/v2/Groups/${bg.id}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: a.users[0]!.id }] }] }, expect: scimNotFound },
            { as: 'scim', method: 'PATCH', url: `/scim/v2/Groups/${bg.id}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${bu.id}"]` }] }, expect: scimNotFound },
            // B's user into A's own group: refused, nothing linked.
            { as: 'scim', method: 'PATCH', url: `/scim/v2/Groups/${a.group.id}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: bu.id }] }] }, expect: (r) => expect(r).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } }) },
            { as: 'scim', method: 'PATCH', url: `/scim/v2/Groups/${a.group.id}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [{ value: bu.id }] }] }, expect: (r) => expect(r).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } }) },
          ];
        case 'DELETE /scim/v2/groups/:id':
          return [{ as: 'scim', method: 'DELETE', url: `/scim/v2/Groups/${bg.id}`, expect: scimNotFound }];
        // SCIM: collections and searches find nothing of B's.
        case 'GET /scim/v2/users':
          return [`id eq "${bu.id}"`, `userName eq "${b.ownUserName}"`, `id eq "${bOwn.id}" or userName eq "${b.ownUserName}"`, `groups.value eq "${bg.id}"`].map((f) => ({ as: 'scim', method: 'GET', url: `/scim/v2/Users?${q(f)}`, expect: emptyList }));
        case 'POST /scim/v2/users/.search':
          return [{ as: 'scim', method: 'POST', url: '/scim/v2/Users/.search', body: search(`id eq "${bOwn.id}"`), expect: emptyList }];
        case 'GET /scim/v2/groups':
          return [`id eq "${bg.id}"`, `members.value eq "${bu.id}"`, `members[value eq "${bOwn.id}"]`].map((f) => ({ as: 'scim', method: 'GET', url: `/scim/v2/Groups?${q(f)}`, expect: emptyList }));
        case 'POST /scim/v2/groups/.search':
          return [{ as: 'scim', method: 'POST', url: '/scim/v2/Groups/.search', body: search(`members.value eq "${bu.id}"`), expect: emptyList }];
        case 'POST /scim/v2/.search':
          return [`id eq "${bu.id}"`, `id eq "${bg.id}"`, `userName eq "${b.ownUserName}"`].map((f) => ({ as: 'scim', method: 'POST', url: '/scim/v2/.search', body: search(f), expect: emptyList }));
        // SCIM: creates land in A only (B's own userName is free in A), and never link B's users.
        case 'POST /scim/v2/users':
          return [{ as: 'scim', method: 'POST', url: '/scim/v2/Users', body: { schemas: [USER], userName: b.ownUserName }, expect: (r) => expect(r.status).toBe(201) }];
        case 'POST /scim/v2/groups':
          return [{ as: 'scim', method: 'POST', url: '/scim/v2/Groups', body: { schemas: [GROUP], displayName: 'Smuggler', members: [{ value: bu.id }] }, expect: (r) => expect(r).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } }) }];
        case 'POST /scim/v2/bulk':
          return [
            {
              as: 'scim',
              method: 'POST',
              url: '/scim/v2/Bulk',
              body: {
                schemas: [BULK_REQUEST],
                Operations: [
                  { method: 'PUT', path: `/Users/${bu.id}`, data: userDoc },
                  { method: 'PATCH', path: `/Users/${bu.id}`, data: patch },
                  { method: 'DELETE', path: `/Users/${bOwn.id}` },
                  { method: 'PATCH', path: `/Groups/${bg.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] } },
                  { method: 'DELETE', path: `/Groups/${bg.id}` },
                  { method: 'POST', bulkId: 'g', path: '/Groups', data: { schemas: [GROUP], displayName: 'Bulk smuggler', members: [{ value: bu.id }] } },
                  { method: 'PATCH', path: `/Groups/${a.group.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: bOwn.id }] }] } },
                ],
              },
              expect: (r) => {
                expect(r.status).toBe(200);
                expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404', '404', '404', '404', '400', '400']);
              },
            },
          ];
        // SCIM endpoints without org data: answered the same to every org.
        case 'GET /scim/v2/serviceproviderconfig':
        case 'GET /scim/v2/schemas':
        case 'GET /scim/v2/resourcetypes':
          return [{ as: 'scim', method: 'GET', url: path, expect: 200 }];
        case 'GET /scim/v2/schemas/:id':
          return [{ as: 'scim', method: 'GET', url: `/scim/v2/Schemas/${USER}`, expect: 200 }];
        case 'GET /scim/v2/resourcetypes/:name':
          return [{ as: 'scim', method: 'GET', url: '/scim/v2/ResourceTypes/User', expect: 200 }];
        case `${key.split(' ')[0]} /scim/v2/me`:
        case `${key.split(' ')[0]} /scim/v2/me/*`:
          return [{ as: 'scim', method: method as InjectOptions['method'], url: path.replace('*', bu.id), ...(method === 'QUERY' ? { body: {} } : {}), expect: 501 }];
        case `${key.split(' ')[0]} /scim/v2/*`:
          // QUERY must carry a body (Fastify refuses it without a Content-Type before routing).
          return [{ as: 'scim', method: method as InjectOptions['method'], url: `/scim/v2/Users/${bu.id}/groups`, ...(method === 'QUERY' ? { body: {} } : {}), expect: scimNotFound }];
        // Admin API: B's slug is unknown to A's admin; B's ids are unknown under A's slug to everyone.
        case 'GET /api/v1/orgs':
          return [{ as: 'admin', method: 'GET', url: '/api/v1/orgs', expect: (r) => expect(r).toMatchObject({ status: 200, body: [{ id: a.id, slug: a.slug }] }) }];
        case 'POST /api/v1/orgs':
          return [{ as: 'admin', method: 'POST', url: '/api/v1/orgs', body: { slug: `${b.slug}-x`, name: 'x' }, expect: 403 }];
        case 'GET /api/v1/orgs/:slug':
          return adminOnB('GET', '');
        case 'GET /api/v1/orgs/:slug/scim':
          return adminOnB('GET', '/scim');
        case 'PATCH /api/v1/orgs/:slug/scim':
          return adminOnB('PATCH', '/scim', { enabled: false, syncGroups: false, defaultRole: null });
        case 'GET /api/v1/orgs/:slug/scim/overview':
          return adminOnB('GET', '/scim/overview');
        case 'POST /api/v1/orgs/:slug/scim/tokens':
          return adminOnB('POST', '/scim/tokens', { name: 'stolen' });
        case 'GET /api/v1/orgs/:slug/scim/tokens':
          return adminOnB('GET', '/scim/tokens');
        case 'DELETE /api/v1/orgs/:slug/scim/tokens/:id':
          return [...adminOnB('DELETE', `/scim/tokens/${b.tokenId}`), ...both('DELETE', `${slugA}/scim/tokens/${b.tokenId}`)];
        case 'POST /api/v1/orgs/:slug/scim/tokens/:id/regenerate':
          return [...adminOnB('POST', `/scim/tokens/${b.tokenId}/regenerate`), ...both('POST', `${slugA}/scim/tokens/${b.tokenId}/regenerate`)];
        case 'GET /api/v1/orgs/:slug/roles':
          return adminOnB('GET', '/roles');
        case 'POST /api/v1/orgs/:slug/roles':
          return adminOnB('POST', '/roles', { name: 'Intruder' });
        case 'PATCH /api/v1/orgs/:slug/roles/:name':
          return [...adminOnB('PATCH', '/roles/Engineer', { name: 'Renamed' }), ...both('PATCH', `${slugA}/roles/${encodeURIComponent(b.ownRole)}`, { name: 'Renamed' })];
        case 'GET /api/v1/orgs/:slug/role-mappings':
          return adminOnB('GET', '/role-mappings');
        case 'PUT /api/v1/orgs/:slug/role-mappings':
          return adminOnB('PUT', '/role-mappings', []);
        case 'POST /api/v1/orgs/:slug/role-mappings':
          return adminOnB('POST', '/role-mappings', { idpRoleValue: 'intruder', role: 'Engineer' });
        case 'PATCH /api/v1/orgs/:slug/role-mappings/:id':
          return [...adminOnB('PATCH', `/role-mappings/${b.mappingId}`, { idpRoleValue: 'changed' }), ...both('PATCH', `${slugA}/role-mappings/${b.mappingId}`, { idpRoleValue: 'changed' })];
        case 'DELETE /api/v1/orgs/:slug/role-mappings/:id':
          return [...adminOnB('DELETE', `/role-mappings/${b.mappingId}`), ...both('DELETE', `${slugA}/role-mappings/${b.mappingId}`)];
        case 'GET /api/v1/orgs/:slug/members':
          return adminOnB('GET', '/members');
        case 'GET /api/v1/orgs/:slug/members/:id':
          return [...adminOnB('GET', `/members/${bu.id}`), ...both('GET', `${slugA}/members/${bu.id}`)];
        case 'PATCH /api/v1/orgs/:slug/members/:id':
          return [...adminOnB('PATCH', `/members/${bu.id}`, { role: 'Engineer' }), ...both('PATCH', `${slugA}/members/${bu.id}`, { role: 'Engineer' })];
        case 'GET /api/v1/orgs/:slug/members/:id/role-explanation':
          return [...adminOnB('GET', `/members/${bu.id}/role-explanation`), ...both('GET', `${slugA}/members/${bu.id}/role-explanation`)];
        case 'GET /api/v1/orgs/:slug/groups':
          return adminOnB('GET', '/groups');
        case 'GET /api/v1/orgs/:slug/groups/:id':
          return [...adminOnB('GET', `/groups/${bg.id}`), ...both('GET', `${slugA}/groups/${bg.id}`)];
        case 'GET /api/v1/orgs/:slug/groups/:id/members':
          return [...adminOnB('GET', `/groups/${bg.id}/members`), ...both('GET', `${slugA}/groups/${bg.id}/members`)];
        case 'POST /api/v1/orgs/:slug/admins':
          return adminOnB('POST', '/admins', { email: `intruder-${b.slug}@example.com` });
        case 'GET /api/v1/orgs/:slug/admins':
          return adminOnB('GET', '/admins');
        case 'DELETE /api/v1/orgs/:slug/admins/:id':
          return [...adminOnB('DELETE', `/admins/${b.adminId}`), ...both('DELETE', `${slugA}/admins/${b.adminId}`)];
        case 'GET /api/v1/orgs/:slug/activity':
          return adminOnB('GET', '/activity');
        case 'GET /api/v1/orgs/:slug/activity/hourly':
          return adminOnB('GET', '/activity/hourly');
        case 'GET /api/v1/session':
          return [{ as: 'admin', method: 'GET', url: '/api/v1/session', expect: (r) => expect(r).toMatchObject({ status: 200, body: { admin: { org: { id: a.id, slug: a.slug } } } }) }];
        case 'POST /api/v1/session':
          return 'signs in by email and password; names no org or resource id (test/http/session.test.ts)';
        case 'DELETE /api/v1/session':
          return "ends the caller's own session; names no org or resource id";
        case 'POST /api/v1/password':
          return 'public, scoped by the one-time token it carries, names no org (test/http/admins.test.ts)';
        case 'GET /':
        case 'GET /readyz':
        case 'GET /healthz':
        case 'GET /api/v1/openapi.json':
          return 'no org data: health, readiness, the OpenAPI document';
        case 'GET /*':
          return [{ as: 'admin', method: 'GET', url: `${slugB}/nothing-here`, expect: notFound }];
        case 'GET /metrics':
          return 'process-wide counters without org labels, behind the operator or metrics token (test/http/metrics.test.ts)';
      }
      // A method the endpoint does not serve: 405 whatever the id, B's ids included, and nothing read or written.
      if (notAllowed.has(key) || notAllowed.has(`${method} ${path}`)) {
        const url = path.replace(/^\/scim\/v2\/users\/:id$/, `/scim/v2/Users/${bu.id}`).replace(/^\/scim\/v2\/groups\/:id$/, `/scim/v2/Groups/${bg.id}`);
        return [{ as: 'scim', method: method as InjectOptions['method'], url, ...(['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) ? {} : { body: userDoc }), expect: (r) => expect(r.status).toBe(405) }];
      }
      if (/^[A-Z]+ \/api\/v1\/docs(\/|$)/.test(key) || /^[A-Z]+ \/console(\/|$)/.test(key)) return 'static files: the API browser and the console';
      if (/^[A-Z]+ \/\*$/.test(key)) return [{ as: 'admin', method: method as InjectOptions['method'], url: `${slugB}/nothing-here`, expect: notFound }];
      return [];
    })();
    if (typeof probes === 'string') return probes;
    // HEAD runs the GET route: the probe checks the GET answer and that HEAD answers its status.
    return method === 'HEAD' ? probes.map((p) => ({ ...p, method: 'HEAD' })) : probes;
  }

  async function run(p: Probe): Promise<{ status: number; body: any }> {
    if (p.as === 'scim') return scim(a.token, p.method, p.url, p.body, p.headers);
    const headers = { ...(p.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(p.headers ?? {}) };
    const res = await c.app.inject({
      method: p.method,
      url: p.url,
      headers: p.as === 'operator' ? { ...headers, authorization: `Bearer ${OPERATOR_TOKEN}` } : { ...headers, cookie: `scimd_session=${adminA.cookie}`, 'x-csrf-token': adminA.csrfToken },
      remoteAddress: adminA.ip,
      ...(p.body !== undefined ? { payload: JSON.stringify(p.body) } : {}),
    });
    let body: any;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = res.body;
    }
    return { status: res.statusCode, body };
  }

  it('enumerates every route the app registers, root routes included', () => {
    const all = new Set(routesOf());
    // consoleApp's own hook, added after createApp, sees the plugins' routes only.
    expect(c.routes.map((r) => `${r.method} ${r.url.toLowerCase()}`).filter((r) => !all.has(r))).toEqual([]);
    for (const r of ['GET /readyz', 'GET /healthz', 'GET /scim/v2/users/:id', 'DELETE /api/v1/orgs/:slug/admins/:id', 'POST /scim/v2/*']) expect(all.has(r)).toBe(true);
  });

  it("every SCIM and admin route, called with org A's credentials on org B's ids and slug, answers 404 and changes nothing of B", async () => {
    const routes = routesOf();
    const unknown = routes.filter((r) => {
      const [m, p] = r.split(' ');
      const probes = probesFor(m!, p!);
      return Array.isArray(probes) && probes.length === 0;
    });
    expect(unknown, 'routes the isolation test does not know how to exercise: add them to probesFor').toEqual([]);
    const before = await snapshot(b);
    let probed = 0;
    for (const route of routes) {
      const [m, p] = route.split(' ');
      const probes = probesFor(m!, p!);
      if (typeof probes === 'string') continue;
      for (const probe of probes) {
        const head = probe.method === 'HEAD' ? await run(probe) : undefined;
        const res = head ? await run({ ...probe, method: 'GET' }) : await run(probe);
        if (head) expect(head.status, `${route}: HEAD ${probe.url}`).toBe(res.status);
        const label = `${route}: ${probe.as} ${probe.method} ${probe.url} answered ${res.status} ${JSON.stringify(res.body)}`;
        if (typeof probe.expect === 'number') expect(res.status, label).toBe(probe.expect);
        else expect(() => (probe.expect as (r: typeof res) => void)(res), label).not.toThrow();
        probed++;
      }
      expect(await snapshot(b), `${route} changed org B`).toEqual(before);
    }
    expect(await crossOrgLinks()).toBe(0);
    // Every route with a method was probed or exempted with a reason; the figure for the report.
    expect(probed).toBeGreaterThan(100);
    console.log(`isolation: ${routes.length} routes, ${probed} probes`);
  });

  it('two orgs with the same userNames, externalIds and group displayName both got 201 and each sees only its own', async () => {
    for (const org of [a, b]) {
      const list = await scim(org.token, 'GET', `/scim/v2/Users?${q('userName eq "alice@example.com"')}`);
      expect(list.body.Resources.map((u: { id: string }) => u.id)).toEqual([org.users[0]!.id]);
      const ext = await scim(org.token, 'GET', `/scim/v2/Users?${q('externalId eq "ext-0"')}`);
      expect(ext.body.Resources.map((u: { id: string }) => u.id)).toEqual([org.users[0]!.id]);
      const groups = await scim(org.token, 'GET', `/scim/v2/Groups?${q('displayName eq "Staff"')}`);
      expect(groups.body.Resources.map((g: { id: string }) => g.id)).toEqual([org.group.id]);
    }
    // And more of them, now, in parallel in both orgs.
    const both = await Promise.all([a, b].flatMap((org) => ['carol@example.com', 'Dave@Example.com'].map((userName) => scim(org.token, 'POST', '/scim/v2/Users', { schemas: [USER], userName, externalId: userName }))));
    expect(both.map((r) => r.status)).toEqual([201, 201, 201, 201]);
  });

  it(`${RANDOM_OPERATIONS} random SCIM operations in org A (seeded) leave org B identical and link nothing across orgs`, async () => {
    const before = await snapshot(b);
    const names = ['alice@example.com', 'bob@example.com', b.ownUserName, 'erin@example.com', 'frank@example.com'];
    // What A has now (earlier tests added to it), kept up to date as the run goes.
    const aUsers = new Map<string, string>(((await scim(a.token, 'GET', '/scim/v2/Users?count=1000')).body.Resources as { id: string; userName: string }[]).map((u) => [u.id, u.userName]));
    const aGroups = new Set<string>(((await scim(a.token, 'GET', '/scim/v2/Groups?count=1000&attributes=id')).body.Resources as { id: string }[]).map((g) => g.id));
    const bIds = [...b.users.map((u) => u.id), b.group.id];
    const pick = <T,>(xs: T[], n: number) => xs[n % xs.length]!;
    const ops = fc.sample(
      // Operation kinds (see the switch), creates and member changes more often than group deletes.
      fc.tuple(fc.constantFrom(0, 0, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 11), fc.nat(1000), fc.nat(1000), fc.boolean()),
      { seed: SEED, numRuns: RANDOM_OPERATIONS },
    );
    const tally = new Map<string, number>();
    for (const [kind, x, y, foreign] of ops) {
      const ownUser = () => pick([...aUsers.keys()], x);
      const ownGroup = () => pick([...aGroups], y);
      const someUser = () => (foreign || !aUsers.size ? pick(bIds, x) : ownUser());
      const someGroup = () => (foreign || !aGroups.size ? pick(bIds, y) : ownGroup());
      let res: { status: number; body: any };
      let name: string;
      switch (kind) {
        case 0: {
          name = 'create user';
          res = await scim(a.token, 'POST', '/scim/v2/Users', { schemas: [USER], userName: pick(names, x), externalId: pick(['ext-0', 'ext-1', 'ext-9'], y), active: foreign });
          expect([201, 409]).toContain(res.status);
          if (res.status === 201) aUsers.set(res.body.id, res.body.userName);
          break;
        }
        case 1: {
          name = 'patch user';
          const id = someUser();
          res = await scim(a.token, 'PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: x % 2 === 0, displayName: `P${x}` } }] });
          expect(res.status).toBe(aUsers.has(id) ? 200 : 404);
          break;
        }
        case 2: {
          name = 'put user';
          const id = someUser();
          res = await scim(a.token, 'PUT', `/scim/v2/Users/${id}`, { schemas: [USER], userName: aUsers.get(id) ?? pick(names, x), title: `T${y}` });
          expect(res.status).toBe(aUsers.has(id) ? 200 : 404);
          break;
        }
        case 3: {
          name = 'delete user';
          const id = someUser();
          res = await scim(a.token, 'DELETE', `/scim/v2/Users/${id}`);
          expect(res.status).toBe(aUsers.has(id) ? 204 : 404);
          aUsers.delete(id);
          break;
        }
        case 4: {
          name = 'create group';
          const members = foreign ? [pick(bIds, x)] : aUsers.size ? [ownUser()] : [];
          res = await scim(a.token, 'POST', '/scim/v2/Groups', { schemas: [GROUP], displayName: pick(['Staff', 'Admins', 'Ops'], y), members: members.map((value) => ({ value })) });
          expect(res.status).toBe(foreign ? 400 : 201);
          if (res.status === 201) aGroups.add(res.body.id);
          break;
        }
        case 5:
        case 6: {
          name = 'add members';
          const gid = aGroups.size ? ownGroup() : a.group.id;
          const value = [someUser(), ...(aUsers.size ? [ownUser()] : [])].map((v) => ({ value: v }));
          res = await scim(a.token, 'PATCH', `/scim/v2/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value }] });
          expect(res.status).toBe(!aGroups.has(gid) ? 404 : value.every((v) => aUsers.has(v.value)) ? 204 : 400);
          break;
        }
        case 7: {
          name = 'remove members';
          const gid = someGroup();
          res = await scim(a.token, 'PATCH', `/scim/v2/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${someUser()}"]` }] });
          expect(res.status).toBe(aGroups.has(gid) ? 204 : 404);
          break;
        }
        case 8: {
          name = 'replace members';
          const gid = aGroups.size ? ownGroup() : a.group.id;
          const values = [someUser()];
          res = await scim(a.token, 'PUT', `/scim/v2/Groups/${gid}`, { schemas: [GROUP], displayName: 'Replaced', members: values.map((value) => ({ value })) });
          expect(res.status).toBe(!aGroups.has(gid) ? 404 : values.every((v) => aUsers.has(v)) ? 200 : 400);
          break;
        }
        case 9: {
          name = 'delete group';
          const gid = someGroup();
          res = await scim(a.token, 'DELETE', `/scim/v2/Groups/${gid}`);
          expect(res.status).toBe(aGroups.has(gid) ? 204 : 404);
          aGroups.delete(gid);
          break;
        }
        case 10: {
          name = 'search';
          res = await scim(a.token, 'POST', '/scim/v2/.search', { schemas: [SEARCH], filter: `id eq "${someUser()}" or userName eq "${pick(names, y)}"` });
          expect(res.status).toBe(200);
          for (const r of res.body.Resources ?? []) expect(aUsers.has(r.id) || aGroups.has(r.id), `${r.id} is not org A's`).toBe(true);
          break;
        }
        default: {
          name = 'bulk';
          const uid = someUser();
          const gid = someGroup();
          res = await scim(a.token, 'POST', '/scim/v2/Bulk', {
            schemas: [BULK_REQUEST],
            Operations: [
              { method: 'PATCH', path: `/Users/${uid}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `B${x}` }] } },
              { method: 'PATCH', path: `/Groups/${gid}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }] } },
            ],
          });
          expect(res.status).toBe(200);
          const [u, g] = res.body.Operations.map((o: { status: string }) => o.status);
          expect(u).toBe(aUsers.has(uid) ? '200' : '404');
          expect(g).toBe(!aGroups.has(gid) ? '404' : aUsers.has(uid) ? '204' : '400');
        }
      }
      tally.set(`${name} ${res.status}`, (tally.get(`${name} ${res.status}`) ?? 0) + 1);
    }
    expect(await snapshot(b)).toEqual(before);
    expect(await crossOrgLinks()).toBe(0);
    // The run did reach B's ids (refused) and A's own (done).
    const refused = [...tally].filter(([k]) => / (400|404)$/.test(k)).reduce((n, [, v]) => n + v, 0);
    expect(refused).toBeGreaterThan(RANDOM_OPERATIONS / 10);
    console.log(`isolation random run (seed ${SEED}): ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  });
});
