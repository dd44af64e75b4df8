/**
 * Versioning (RFC 7644 §3.14, RFC 7643 §3.1 `meta.version`): the `ETag` header
 * equals `meta.version`; `If-Match` on PUT, PATCH and DELETE answers 412 when
 * stale and writes nothing; `If-None-Match` on GET answers 304 when current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createGroup, createUser, expectScimError, GROUP, patchOp, rawRequest, USER, userBody } from '../support/scim.js';

describe.each(dialects())('ETags on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let n = 0;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const fresh = () => createUser(org, `etag-${++n}@example.com`, { displayName: 'Original' });
  const get = (path: string, headers: Record<string, string> = {}) => org.scim('GET', path, undefined, headers);

  describe('Users', () => {
    it('sends ETag equal to meta.version on POST, GET, PUT and PATCH, and a new version after each change', async () => {
      const created = await org.scim('POST', '/Users', userBody(`etag-${++n}@example.com`));
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe(created.body.meta.version);
      const id = created.body.id;
      const got = await get(`/Users/${id}`);
      expect(got.headers.etag).toBe(got.body.meta.version);
      expect(got.body.meta.version).toBe(created.body.meta.version);
      const put = await org.scim('PUT', `/Users/${id}`, userBody(created.body.userName, { displayName: 'Put' }));
      expect(put.status).toBe(200);
      expect(put.headers.etag).toBe(put.body.meta.version);
      expect(put.body.meta.version).not.toBe(created.body.meta.version);
      const patched = await org.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Patched' }));
      expect(patched.status).toBe(200);
      expect(patched.headers.etag).toBe(patched.body.meta.version);
      expect(new Set([created.body.meta.version, put.body.meta.version, patched.body.meta.version]).size).toBe(3);
      expect((await get(`/Users/${id}`)).headers.etag).toBe(patched.body.meta.version);
    });

    it('PUT with a stale If-Match answers 412 and writes nothing', async () => {
      const u = await fresh();
      const v1 = u.meta.version;
      const p = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Second' }));
      const v2 = p.body.meta.version;
      const r = await org.scim('PUT', `/Users/${u.id}`, userBody(u.userName, { displayName: 'Lost update' }), { 'if-match': v1 });
      expectScimError(r, 412);
      const after = await get(`/Users/${u.id}`);
      expect(after.body.meta.version).toBe(v2);
      expect(after.body.displayName).toBe('Original');
      expect(after.body.title).toBe('Second');
    });

    it('PUT with the current If-Match answers 200 and a new version', async () => {
      const u = await fresh();
      const r = await org.scim('PUT', `/Users/${u.id}`, userBody(u.userName, { displayName: 'Guarded' }), { 'if-match': u.meta.version });
      expect(r.status).toBe(200);
      expect(r.body.displayName).toBe('Guarded');
      expect(r.body.meta.version).not.toBe(u.meta.version);
      expect(r.headers.etag).toBe(r.body.meta.version);
    });

    it('PATCH with a stale If-Match answers 412 and writes nothing; the current one succeeds', async () => {
      const u = await fresh();
      await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Moved on' }));
      const current = (await get(`/Users/${u.id}`)).body.meta.version;
      const stale = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: false }), { 'if-match': u.meta.version });
      expectScimError(stale, 412);
      const after = await get(`/Users/${u.id}`);
      expect(after.body.active).toBe(true);
      expect(after.body.meta.version).toBe(current);
      const ok = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: false }), { 'if-match': current });
      expect(ok.status).toBe(200);
      expect(ok.body.active).toBe(false);
      expect(ok.body.meta.version).not.toBe(current);
      expect(ok.headers.etag).toBe(ok.body.meta.version);
    });

    it('DELETE with a stale If-Match answers 412 and keeps the user; the current one deletes', async () => {
      const u = await fresh();
      const p = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Changed' }));
      expectScimError(await org.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': u.meta.version }), 412);
      expect((await get(`/Users/${u.id}`)).status).toBe(200);
      const del = await org.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': p.body.meta.version });
      expect(del.status).toBe(204);
      expect((await get(`/Users/${u.id}`)).status).toBe(404);
    });

    it('lets exactly one of several concurrent PATCHes with the same If-Match win; the others get 412', async () => {
      const u = await fresh();
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: `Writer ${i}` }), { 'if-match': u.meta.version })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
      const winner = results.find((r) => r.status === 200)!;
      const got = await get(`/Users/${u.id}`);
      expect(got.body.title).toBe(winner.body.title);
      expect(got.body.meta.version).toBe(winner.body.meta.version);
    });

    it('If-Match: * matches any current version', async () => {
      const u = await fresh();
      const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Star' }), { 'if-match': '*' });
      expect(r.status).toBe(200);
      expect(r.body.title).toBe('Star');
    });

    it('If-Match with a list matches when any listed tag is current', async () => {
      const u = await fresh();
      const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Listed' }), { 'if-match': `W/"999999", ${u.meta.version}` });
      expect(r.status).toBe(200);
    });

    it('GET with the current If-None-Match answers 304 without a body; a stale one answers 200', async () => {
      const u = await fresh();
      const r = await rawRequest(t, { method: 'GET', url: `/scim/v2/Users/${u.id}`, token: org.token, headers: { 'if-none-match': u.meta.version } });
      expect(r.status).toBe(304);
      expect(r.text).toBe('');
      expect(r.headers.etag).toBe(u.meta.version);
      await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Newer' }));
      const stale = await get(`/Users/${u.id}`, { 'if-none-match': u.meta.version });
      expect(stale.status).toBe(200);
      expect(stale.body.title).toBe('Newer');
      expect(stale.headers.etag).toBe(stale.body.meta.version);
    });

    it('a user\'s version changes when its group memberships (its groups attribute) change', async () => {
      const u = await fresh();
      const before = await get(`/Users/${u.id}`);
      expect(before.body.groups ?? []).toEqual([]);
      await createGroup(org, `Joins ${u.id}`, [u.id]);
      const after = await get(`/Users/${u.id}`);
      expect(after.body.groups).toHaveLength(1);
      expect(after.body.meta.version).not.toBe(before.body.meta.version);
      const cached = await get(`/Users/${u.id}`, { 'if-none-match': before.body.meta.version });
      expect(cached.status).toBe(200);
    });
  });

  describe('Groups', () => {
    it('sends ETag equal to meta.version, and member changes move the version', async () => {
      const a = await fresh();
      const created = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Etag group ${++n}` });
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe(created.body.meta.version);
      const patched = await org.scim('PATCH', `/Groups/${created.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      expect([200, 204]).toContain(patched.status);
      const got = await get(`/Groups/${created.body.id}`);
      expect(got.headers.etag).toBe(got.body.meta.version);
      expect(got.body.meta.version).not.toBe(created.body.meta.version);
      // The PATCH answer's ETag names the version it produced.
      expect(patched.headers.etag).toBe(got.body.meta.version);
    });

    it('PATCH with a stale If-Match answers 412 and changes no member', async () => {
      const [a, b] = [await fresh(), await fresh()];
      const g = await createGroup(org, `Guarded group ${++n}`, [a.id]);
      const moved = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', path: 'displayName', value: `Guarded group renamed ${n}` }));
      expect([200, 204]).toContain(moved.status);
      const stale = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: b.id }] }), { 'if-match': g.meta.version });
      expectScimError(stale, 412);
      const after = await get(`/Groups/${g.id}`);
      expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([a.id]);
      const current = after.body.meta.version;
      const ok = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: b.id }] }), { 'if-match': current });
      expect([200, 204]).toContain(ok.status);
      expect((await get(`/Groups/${g.id}`)).body.members).toHaveLength(2);
    });

    it('PUT and DELETE honour If-Match', async () => {
      const g = await createGroup(org, `Put guarded ${++n}`);
      const put = await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: `Put guarded 2 ${n}` }, { 'if-match': g.meta.version });
      expect(put.status).toBe(200);
      expect(put.headers.etag).toBe(put.body.meta.version);
      expectScimError(await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Lost' }, { 'if-match': g.meta.version }), 412);
      expect((await get(`/Groups/${g.id}`)).body.displayName).toBe(`Put guarded 2 ${n}`);
      expectScimError(await org.scim('DELETE', `/Groups/${g.id}`, undefined, { 'if-match': g.meta.version }), 412);
      expect((await org.scim('DELETE', `/Groups/${g.id}`, undefined, { 'if-match': put.body.meta.version })).status).toBe(204);
    });

    it('GET with the current If-None-Match answers 304', async () => {
      const g = await createGroup(org, `Cached ${++n}`);
      const r = await rawRequest(t, { method: 'GET', url: `/scim/v2/Groups/${g.id}`, token: org.token, headers: { 'if-none-match': g.meta.version } });
      expect(r.status).toBe(304);
      expect(r.text).toBe('');
    });

    it('deleting a member user moves the group\'s version', async () => {
      const a = await fresh();
      const g = await createGroup(org, `Loses member ${++n}`, [a.id]);
      expect((await org.scim('DELETE', `/Users/${a.id}`)).status).toBe(204);
      const got = await get(`/Groups/${g.id}`);
      expect(got.body.members ?? []).toEqual([]);
      expect(got.body.meta.version).not.toBe(g.meta.version);
    });
  });

  it('answers 404, not 412, for If-Match on an unknown id', async () => {
    expectScimError(await org.scim('PUT', '/Users/00000000-0000-4000-8000-000000000000', { schemas: [USER], userName: 'nobody@example.com' }, { 'if-match': 'W/"1"' }), 404);
  });
});
