/**
 * The in-memory token cache of the embedded database (TokenCache in
 * src/tenants/tokens.ts): every admin change that can refuse a token takes
 * effect on the very next SCIM request, exactly as without the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testOrg, type TestApp } from '../support/app.js';
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
