/**
 * The in-memory token cache of the embedded database (TokenCache in
 * src/tenants/tokens.ts): every admin change that can refuse a token takes
 * effect on the very next SCIM request, exactly as without the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp } from '../support/app.js';
import { createUser, filterQuery } from '../support/scim.js';
import { TokenCache } from '../../src/tenants/tokens.js';

describe('Token cache (embedded database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('pglite', { cacheTokens: true });
  });
  afterAll(() => t.app.close());

  const status = async (org: { scim: (m: 'GET', p: string) => Promise<{ status: number }> }, path = '/Users?count=1') => (await org.scim('GET', path)).status;

  it('refuses a revoked token on the next request, after it was cached', async () => {
    const org = await testOrg(t);
    expect(await status(org)).toBe(200);
    expect(await status(org)).toBe(200);
    const [tok] = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
    expect((await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tok.id}`)).status).toBe(204);
    expect(await status(org)).toBe(401);
  });

  it('follows disabling SCIM and group sync, and enabling them again', async () => {
    const org = await testOrg(t);
    expect(await status(org, '/Groups?count=1')).toBe(200);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { syncGroups: false });
    expect(await status(org, '/Groups?count=1')).toBe(403);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: false });
    expect(await status(org)).toBe(403);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true, syncGroups: true });
    expect(await status(org)).toBe(200);
    expect(await status(org, '/Groups?count=1')).toBe(200);
  });

  it('refuses the old secret of a regenerated token at once and accepts the new one', async () => {
    const org = await testOrg(t);
    expect(await status(org)).toBe(200);
    const [tok] = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
    const fresh = await t.admin('POST', `/orgs/${org.slug}/scim/tokens/${tok.id}/regenerate`);
    expect(fresh.status).toBe(201);
    expect(await status(org)).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/scim/v2/Users?count=1', headers: { authorization: `Bearer ${fresh.body.token}` } });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a cached token once its expiresAt passes (real clock)', async () => {
    const org = await testOrg(t);
    const created = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'brief', expiresAt: new Date(Date.now() + 1500).toISOString() });
    const get = async () => (await t.app.inject({ method: 'GET', url: '/scim/v2/Users?count=1', headers: { authorization: `Bearer ${created.body.token}` } })).statusCode;
    expect(await get()).toBe(200);
    expect(await get()).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await get()).toBe(401);
  });

  it('does not keep a row read before an invalidation', () => {
    const cache = new TokenCache();
    const row = { id: 'a', org_id: 'o', name: 'n', token_hash: 'h', expires_at: null, revoked_at: null, last_used_at: null, enabled: true, sync_groups: true };
    const before = cache.snapshot();
    cache.invalidate();
    cache.put('h', row, before);
    expect(cache.get('h')).toBeUndefined();
    cache.put('h', row, cache.snapshot());
    expect(cache.get('h')).toBe(row);
  });
});

/**
 * PrincipalHints (shared PostgreSQL, or any database with the cache off): a user
 * read starts from the last verification and its own statement re-checks the
 * token, so a refusal still takes effect on the very next request, and a read
 * that finds nothing cannot answer 404 to a refused token.
 */
describe.each(dialects())('Token checked inside the read statement on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect, { cacheTokens: false });
  });
  afterAll(() => t.app.close());

  it('refuses a revoked token on the next lookup, get, miss and list, with the 401 in the activity log', async () => {
    // Each path gets a fresh org whose hint is warm, so each is the first request after the revoke.
    const paths = (id: string) => [
      `/Users?${filterQuery('userName eq "hinted@x.test"')}`,
      `/Users/${id}`,
      `/Users/${randomUUID()}`,
      '/Users?count=5',
      `/Users?${filterQuery('userName eq "nobody@x.test"')}`,
      '/Users?filter=bad((',
      `/Users?startIndex=9&count=5`,
    ];
    for (let i = 0; i < paths('x').length; i++) {
      const org = await testOrg(t);
      const u = await createUser(org, 'hinted@x.test');
      const path = paths(u.id)[i]!;
      expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(200);
      expect((await org.scim('GET', '/Users?count=1')).status).toBe(200);
      const [tok] = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
      expect((await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tok.id}`)).status).toBe(204);
      const r = await org.scim('GET', path);
      expect({ path, status: r.status, auth: r.headers['www-authenticate'] }).toEqual({ path, status: 401, auth: 'Bearer realm="scimd", error="invalid_token"' });
      expect(JSON.stringify(r.body)).not.toContain('hinted@x.test');
      const refusals = (await t.admin('GET', `/orgs/${org.slug}/activity?status=failures&limit=20`)).body.items;
      expect(refusals.map((x: { status: number; path: string }) => [x.status, x.path])).toEqual([[401, path]]);
    }
  });

  it('answers 403 on the next read once SCIM is disabled, and serves again once enabled', async () => {
    const org = await testOrg(t);
    const u = await createUser(org, 'toggle@x.test');
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(200);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: false });
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(403);
    expect((await org.scim('GET', '/Users?count=1')).status).toBe(403);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true });
    expect((await org.scim('GET', `/Users/${u.id}`)).body.userName).toBe('toggle@x.test');
  });

  it('keeps 404 and 400 for a valid token, and never answers another org\'s user', async () => {
    const org = await testOrg(t);
    const other = await testOrg(t);
    const theirs = await createUser(other, 'theirs@x.test');
    await createUser(org, 'mine@x.test');
    expect((await org.scim('GET', '/Users?count=1')).status).toBe(200);
    expect((await org.scim('GET', `/Users/${randomUUID()}`)).status).toBe(404);
    expect((await org.scim('GET', `/Users/${theirs.id}`)).status).toBe(404);
    expect((await org.scim('GET', '/Users?filter=bad((')).status).toBe(400);
    expect((await org.scim('GET', `/Users?${filterQuery('userName eq "theirs@x.test"')}`)).body.totalResults).toBe(0);
  });
});

/**
 * Revocation with each dialect's default token path, as `scimd serve` runs it
 * (src/main.ts): the TokenCache on the embedded database, PrincipalHints on
 * PostgreSQL. Every kind of call is warmed first (so a cache entry or a hint
 * exists), then each gets the first request after the revoke.
 */
describe.each(dialects())('Revocation on the next request with the default token path on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const calls = (id: string): [string, 'GET' | 'POST' | 'PATCH', string, unknown?][] => [
    ['list', 'GET', '/Users?count=5'],
    ['get', 'GET', `/Users/${id}`],
    ['get missing', 'GET', `/Users/${randomUUID()}`],
    ['groups', 'GET', '/Groups'],
    ['create', 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `after-${randomUUID()}@x.test` }],
    ['patch', 'PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }],
  ];

  it('refuses a revoked token on the very next list, get, miss, write and patch after each was warm', async () => {
    for (let i = 0; i < calls('x').length; i++) {
      const org = await testOrg(t);
      const u = await createUser(org, `warm-${i}@x.test`);
      const [name, method, path, body] = calls(u.id)[i]!;
      for (const [, m, p] of calls(u.id).filter(([, m]) => m === 'GET')) {
        expect((await org.scim(m, p)).status).toBeLessThan(405);
        expect((await org.scim(m, p)).status).toBeLessThan(405);
      }
      const [tok] = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
      expect((await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tok.id}`)).status).toBe(204);
      const r = await org.scim(method, path, body);
      expect({ name, status: r.status }).toEqual({ name, status: 401 });
      expect(JSON.stringify(r.body)).not.toContain(`warm-${i}@x.test`);
      // Nothing was written by the refused write.
      if (method !== 'GET') {
        const { db } = await testDatabase(dialect);
        const users = await db.selectFrom('scim_users').select(['user_name', 'active']).where('org_id', '=', org.orgId).execute();
        expect(users).toEqual([{ user_name: `warm-${i}@x.test`, active: true }]);
      }
    }
  });

  it('refuses the old secret of a regenerated token on the next read of a user, and serves the new one', async () => {
    const org = await testOrg(t);
    const u = await createUser(org, 'regen@x.test');
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(200);
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(200);
    const [tok] = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
    const fresh = await t.admin('POST', `/orgs/${org.slug}/scim/tokens/${tok.id}/regenerate`);
    expect(fresh.status).toBe(201);
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: `/scim/v2/Users/${u.id}`, headers: { authorization: `Bearer ${fresh.body.token}` } });
    expect(res.statusCode).toBe(200);
  });
});
