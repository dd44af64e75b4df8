/**
 * Authentication and the org switches (PRODUCT.md status table): 401 for a
 * missing, malformed, wrong, revoked or expired token, with `WWW-Authenticate`
 * (RFC 6750 §3, RFC 7644 §2); 403 on every call when SCIM is disabled; 403 on
 * every `/Groups` call when group sync is off while `/Users` works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createGroup, createUser, expectScimError, GROUP, patchOp, rawRequest, SEARCH, sleep, userBody } from '../support/scim.js';

describe.each(dialects())('Authentication on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    // These tests edit token rows behind the app's back, which on the embedded database no
    // other writer can do; the cache that assumes so is tested in token-cache.test.ts.
    t = await testApp(dialect, { cacheTokens: false });
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const get = (authorization?: string, url = '/scim/v2/Users') =>
    rawRequest(t, { method: 'GET', url, ...(authorization !== undefined ? { headers: { authorization } } : {}) });

  /** A 401 in the SCIM error shape with a Bearer challenge. */
  function expect401(r: Awaited<ReturnType<typeof get>>): void {
    expectScimError(r, 401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer\b/i);
  }

  describe('401', () => {
    it('without an Authorization header', async () => {
      expect401(await get());
    });

    it('for an Authorization header that is not a bearer token', async () => {
      expect401(await get('non-token'));
      expect401(await get('Bearer'));
      expect401(await get('Bearer '));
    });

    it('for Basic credentials', async () => {
      expect401(await get(`Basic ${Buffer.from(`user:${org.token}`).toString('base64')}`));
      expect401(await get(`Basic ${org.token}`));
    });

    it('for a wrong token, including one of the right shape', async () => {
      expect401(await get('Bearer not-a-real-token'));
      expect401(await get(`Bearer ${org.token}x`));
      const [prefix1, prefix2] = org.token.split('_');
      expect401(await get(`Bearer ${prefix1}_${prefix2}_${'A'.repeat(43)}`));
      expect401(await get(`Bearer ${org.token.slice(0, -1)}${org.token.endsWith('A') ? 'B' : 'A'}`));
    });

    it('for the operator token, which is no SCIM credential', async () => {
      expect401(await get('Bearer test-operator-token-0123456789'));
    });

    it('on every SCIM endpoint and method, before anything is read or written', async () => {
      const userName = `unauth-${Date.now()}@example.com`;
      const calls: [string, string, unknown?][] = [
        ['POST', '/Users', userBody(userName)],
        ['GET', '/Users/00000000-0000-4000-8000-000000000000'],
        ['PUT', '/Users/00000000-0000-4000-8000-000000000000', userBody(userName)],
        ['PATCH', '/Users/00000000-0000-4000-8000-000000000000', patchOp({ op: 'replace', path: 'active', value: false })],
        ['DELETE', '/Users/00000000-0000-4000-8000-000000000000'],
        ['GET', '/Groups'],
        ['POST', '/Groups', { schemas: [GROUP], displayName: 'x' }],
        ['POST', '/.search', { schemas: [SEARCH] }],
        ['POST', '/Users/.search', { schemas: [SEARCH] }],
        ['POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }],
        ['GET', '/NoSuchEndpoint'],
      ];
      for (const [method, path, body] of calls) {
        const r = await rawRequest(t, {
          method: method as 'GET',
          url: `/scim/v2${path}`,
          headers: { authorization: 'Bearer wrong', ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
          ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
        });
        expect({ call: `${method} ${path}`, status: r.status }).toEqual({ call: `${method} ${path}`, status: 401 });
        expect401(r);
      }
      const list = await org.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(list.body.totalResults).toBe(0);
    });

    it('for a token revoked through the admin API, from the next request on', async () => {
      const o = await testOrg(t);
      expect((await o.scim('GET', '/Users')).status).toBe(200);
      const tokens = await t.admin('GET', `/orgs/${o.slug}/scim/tokens`);
      expect(tokens.status).toBe(200);
      const del = await t.admin('DELETE', `/orgs/${o.slug}/scim/tokens/${tokens.body[0].id}`);
      expect(del.status).toBe(204);
      const after = await o.scim('GET', '/Users');
      expectScimError(after, 401);
      expect(after.headers['www-authenticate']).toMatch(/^Bearer\b/i);
    });

    it('revoking one token leaves the org\'s other tokens working', async () => {
      const o = await testOrg(t);
      const second = await t.admin('POST', `/orgs/${o.slug}/scim/tokens`, { name: 'second' });
      expect(second.status).toBe(201);
      const first = (await t.admin('GET', `/orgs/${o.slug}/scim/tokens`)).body.find((tk: { name: string }) => tk.name === 'test');
      expect((await t.admin('DELETE', `/orgs/${o.slug}/scim/tokens/${first.id}`)).status).toBe(204);
      expect((await o.scim('GET', '/Users')).status).toBe(401);
      expect((await get(`Bearer ${second.body.token}`)).status).toBe(200);
    });

    it('for a token past its expiresAt (set in the database)', async () => {
      const o = await testOrg(t);
      const created = await t.admin('POST', `/orgs/${o.slug}/scim/tokens`, { name: 'short-lived', expiresAt: new Date(Date.now() + 60 * 60_000).toISOString() });
      expect(created.status).toBe(201);
      expect((await get(`Bearer ${created.body.token}`)).status).toBe(200);
      const { db } = await testDatabase(dialect);
      await db.updateTable('scim_tokens').set({ expires_at: sql`now() - interval '1 second'` as never }).where('id', '=', created.body.id).execute();
      expect401(await get(`Bearer ${created.body.token}`));
      const listed = (await t.admin('GET', `/orgs/${o.slug}/scim/tokens`)).body.find((tk: { id: string }) => tk.id === created.body.id);
      expect(listed.status).toBe('expired');
      // The org's other token is unaffected.
      expect((await o.scim('GET', '/Users')).status).toBe(200);
    });

    it('for a token whose expiresAt passes while it is in use (real clock)', async () => {
      const o = await testOrg(t);
      const created = await t.admin('POST', `/orgs/${o.slug}/scim/tokens`, { name: 'two-seconds', expiresAt: new Date(Date.now() + 2000).toISOString() });
      expect(created.status).toBe(201);
      expect((await get(`Bearer ${created.body.token}`)).status).toBe(200);
      await sleep(2300);
      expect401(await get(`Bearer ${created.body.token}`));
    });
  });

  it('accepts the auth scheme in any letter case (RFC 7235 §2.1)', async () => {
    expect((await get(`bearer ${org.token}`)).status).toBe(200);
    expect((await get(`BEARER ${org.token}`)).status).toBe(200);
  });

  describe('403 when SCIM is disabled for the org', () => {
    it('answers 403 on every SCIM call, discovery included, and 200 again once re-enabled', async () => {
      const o = await testOrg(t);
      const u = await createUser(o, 'kept@example.com');
      const g = await createGroup(o, 'Kept', [u.id]);
      const versionBefore = (await o.scim('GET', `/Users/${u.id}`)).body.meta.version;
      expect((await t.admin('PATCH', `/orgs/${o.slug}/scim`, { enabled: false })).status).toBe(200);
      const calls: [string, string, unknown?][] = [
        ['GET', '/ServiceProviderConfig'],
        ['GET', '/ResourceTypes'],
        ['GET', '/Schemas'],
        ['GET', '/Users'],
        ['GET', `/Users/${u.id}`],
        ['POST', '/Users', userBody('new-while-disabled@example.com')],
        ['PUT', `/Users/${u.id}`, userBody('kept@example.com', { displayName: 'Changed' })],
        ['PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: false })],
        ['DELETE', `/Users/${u.id}`],
        ['GET', '/Groups'],
        ['PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'members' })],
        ['DELETE', `/Groups/${g.id}`],
        ['POST', '/.search', { schemas: [SEARCH] }],
        ['POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }],
      ];
      for (const [method, path, body] of calls) {
        const r = await o.scim(method as 'GET', path, body);
        expect({ call: `${method} ${path}`, status: r.status }).toEqual({ call: `${method} ${path}`, status: 403 });
        expectScimError(r, 403);
      }
      expect((await t.admin('PATCH', `/orgs/${o.slug}/scim`, { enabled: true })).status).toBe(200);
      const got = await o.scim('GET', `/Users/${u.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ userName: 'kept@example.com', active: true, meta: { version: versionBefore } });
      expect(got.body.displayName).toBeUndefined();
      const group = await o.scim('GET', `/Groups/${g.id}`);
      expect(group.status).toBe(200);
      expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([u.id]);
      const list = await o.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "new-while-disabled@example.com"')}`);
      expect(list.body.totalResults).toBe(0);
    });

    it('answers 403 (not 401) for a valid token of an org that never enabled SCIM', async () => {
      const slug = `never-${Date.now().toString(36)}`;
      expect((await t.admin('POST', '/orgs', { slug })).status).toBe(201);
      const tok = await t.admin('POST', `/orgs/${slug}/scim/tokens`, { name: 'early' });
      expect(tok.status).toBe(201);
      const r = await get(`Bearer ${tok.body.token}`);
      expectScimError(r, 403);
      expect((await t.admin('PATCH', `/orgs/${slug}/scim`, { enabled: true })).status).toBe(200);
      expect((await get(`Bearer ${tok.body.token}`)).status).toBe(200);
    });

    it('still answers 401 for a wrong token when the org is disabled (authentication first)', async () => {
      const o = await testOrg(t, { enabled: false });
      expect((await o.scim('GET', '/Users')).status).toBe(403);
      expect401(await get(`Bearer ${o.token}0`));
    });
  });

  describe('403 on /Groups when group sync is off', () => {
    let o: TestOrg;
    let groupId: string;
    let userId: string;
    beforeAll(async () => {
      o = await testOrg(t, { syncGroups: true });
      userId = (await createUser(o, 'member@example.com')).id;
      groupId = (await createGroup(o, 'Before the switch', [userId])).id;
      expect((await t.admin('PATCH', `/orgs/${o.slug}/scim`, { syncGroups: false })).status).toBe(200);
    });

    it('answers 403 on every /Groups call', async () => {
      const calls: [string, string, unknown?][] = [
        ['GET', '/Groups'],
        ['GET', `/Groups/${groupId}`],
        ['GET', `/Groups?filter=${encodeURIComponent('displayName eq "x"')}`],
        ['POST', '/Groups', { schemas: [GROUP], displayName: 'Created while off' }],
        ['PUT', `/Groups/${groupId}`, { schemas: [GROUP], displayName: 'Renamed while off' }],
        ['PATCH', `/Groups/${groupId}`, patchOp({ op: 'remove', path: 'members' })],
        ['DELETE', `/Groups/${groupId}`],
        ['POST', '/Groups/.search', { schemas: [SEARCH] }],
      ];
      for (const [method, path, body] of calls) {
        const r = await o.scim(method as 'GET', path, body);
        expect({ call: `${method} ${path}`, status: r.status }).toEqual({ call: `${method} ${path}`, status: 403 });
        expectScimError(r, 403);
      }
    });

    it('answers 403 however the path is spelled, as long as it reaches the Groups routes', async () => {
      for (const url of ['/scim/v2/groups', '/scim/v2/GROUPS', `/scim/v2/groups/${groupId}`, '/SCIM/V2/Groups', '/Scim/v2/Groups', `/SCIM/v2/Groups/${groupId}`]) {
        const r = await rawRequest(t, { method: 'GET', url, token: o.token });
        expect({ url, status: r.status }).toEqual({ url, status: 403 });
      }
    });

    it('keeps /Users working, and the users keep their data', async () => {
      const list = await o.scim('GET', '/Users');
      expect(list.status).toBe(200);
      expect(list.body.totalResults).toBe(1);
      const created = await o.scim('POST', '/Users', userBody('while-off@example.com'));
      expect(created.status).toBe(201);
      expect((await o.scim('GET', `/Users/${userId}`)).status).toBe(200);
    });

    it('changed nothing: turning sync back on shows the group as it was', async () => {
      expect((await t.admin('PATCH', `/orgs/${o.slug}/scim`, { syncGroups: true })).status).toBe(200);
      const g = await o.scim('GET', `/Groups/${groupId}`);
      expect(g.status).toBe(200);
      expect(g.body.displayName).toBe('Before the switch');
      expect(g.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
      const all = await o.scim('GET', '/Groups');
      expect(all.body.totalResults).toBe(1);
      expect((await t.admin('PATCH', `/orgs/${o.slug}/scim`, { syncGroups: false })).status).toBe(200);
    });

    it('leaves groups out of a root /.search', async () => {
      const r = await o.scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName sw "Before the"' });
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(0);
      expect(r.body.Resources ?? []).toEqual([]);
    });

    it('answers 403 for group operations inside /Bulk while user operations succeed', async () => {
      const r = await o.scim('POST', '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('bulk-while-off@example.com') },
          { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Bulk while off' } },
        ],
      });
      expect(r.status).toBe(200);
      expect(r.body.Operations.map((op: { bulkId: string; status: string }) => [op.bulkId, op.status])).toEqual([
        ['u', '201'],
        ['g', '403'],
      ]);
    });
  });
});
