/**
 * The admin API (`/api/v1`, docs/admin-api.md): operator authentication,
 * organisations, SCIM settings, tokens and role mappings, and the role
 * resolution those settings drive (PRODUCT.md "Role resolution"), which is not
 * visible through SCIM yet and is read from `scim_users.app_role` /
 * `app_role_source`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { OPERATOR_TOKEN, testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BASE, createUser, patchOp, rawRequest, USER } from '../support/scim.js';

const slugOf = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

describe.each(dialects())('Admin API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, authorization?: string) => {
    const r = await rawRequest(t, {
      method,
      url: `/api/v1${url}`,
      headers: { ...(authorization !== undefined ? { authorization } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return r;
  };
  /** An admin error: `{statusCode, error, message}`. */
  const expectAdminError = (r: { status: number; body: any }, status: number) => {
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  };
  const newOrg = async (prefix = 'adm') => {
    const slug = slugOf(prefix);
    const r = await t.admin('POST', '/orgs', { slug, name: `Org ${slug}` });
    expect(r.status).toBe(201);
    return r.body as { id: string; slug: string; name: string };
  };

  describe('operator authentication', () => {
    it('answers 401 on every route without the operator token, with a wrong one, or with a SCIM token', async () => {
      const org = await testOrg(t);
      const tokenId = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0].id;
      const routes: ['GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', string, unknown?][] = [
        ['POST', '/orgs', { slug: slugOf('unauth') }],
        ['GET', '/orgs'],
        ['GET', `/orgs/${org.slug}`],
        ['GET', `/orgs/${org.slug}/scim`],
        ['PATCH', `/orgs/${org.slug}/scim`, { enabled: false }],
        ['POST', `/orgs/${org.slug}/scim/tokens`, { name: 'sneaky' }],
        ['GET', `/orgs/${org.slug}/scim/tokens`],
        ['DELETE', `/orgs/${org.slug}/scim/tokens/${tokenId}`],
        ['GET', `/orgs/${org.slug}/role-mappings`],
        ['PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'x', role: 'y' }]],
        ['GET', '/orgs/no-such-org'],
      ];
      for (const authorization of [undefined, 'Bearer wrong-operator-token-000000', `Bearer ${org.token}`, `Basic ${Buffer.from(`admin:${OPERATOR_TOKEN}`).toString('base64')}`, OPERATOR_TOKEN]) {
        for (const [method, url, body] of routes) {
          const r = await call(method, url, body, authorization);
          expect({ authorization, call: `${method} ${url}`, status: r.status }).toEqual({ authorization, call: `${method} ${url}`, status: 401 });
          expect(r.json).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
        }
      }
      // Nothing changed: SCIM still on, the token still valid, no new token.
      expect((await org.scim('GET', '/Users')).status).toBe(200);
      expect((await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body).toHaveLength(1);
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([]);
    });

    it('accepts the operator token with the scheme in any letter case', async () => {
      expect((await call('GET', '/orgs', undefined, `bearer ${OPERATOR_TOKEN}`)).status).toBe(200);
    });
  });

  describe('organisations', () => {
    it('POST /orgs creates an org: 201 {id, slug, name}; GET lists and reads it', async () => {
      const slug = slugOf('create');
      const r = await t.admin('POST', '/orgs', { slug, name: 'Acme Inc' });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), slug, name: 'Acme Inc' });
      const one = await t.admin('GET', `/orgs/${slug}`);
      expect(one).toEqual({ status: 200, body: r.body });
      const all = await t.admin('GET', '/orgs');
      expect(all.status).toBe(200);
      expect(all.body).toContainEqual(r.body);
    });

    it('defaults the name to the slug', async () => {
      const slug = slugOf('noname');
      const r = await t.admin('POST', '/orgs', { slug });
      expect(r.status).toBe(201);
      expect(r.body.name).toBe(slug);
    });

    it('answers 409 for a taken slug', async () => {
      const org = await newOrg('dup');
      const r = await t.admin('POST', '/orgs', { slug: org.slug, name: 'Second' });
      expectAdminError(r, 409);
      expect(r.body.error).toBe('Conflict');
      expect((await t.admin('GET', `/orgs/${org.slug}`)).body.name).toBe(org.name);
    });

    it('answers 400 for a bad slug or body, and accepts the 1- and 63-character extremes', async () => {
      for (const body of [
        { slug: 'Upper' },
        { slug: '-lead' },
        { slug: 'trail-' },
        { slug: 'has space' },
        { slug: 'under_score' },
        { slug: 'a'.repeat(64) },
        { slug: '' },
        { slug: 42 },
        { name: 'No slug' },
        { slug: slugOf('extra'), colour: 'blue' },
        { slug: slugOf('blankname'), name: '   ' },
      ]) {
        const r = await t.admin('POST', '/orgs', body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expectAdminError(r, 400);
      }
      const shortest = randomBytes(1).toString('hex')[0]!;
      const existing = await t.admin('GET', `/orgs/${shortest}`);
      const one = await t.admin('POST', '/orgs', { slug: shortest });
      expect(one.status).toBe(existing.status === 200 ? 409 : 201);
      const long = `z${randomBytes(31).toString('hex')}`.slice(0, 63);
      expect(long).toHaveLength(63);
      expect((await t.admin('POST', '/orgs', { slug: long })).status).toBe(201);
    });

    it('answers 404 for an unknown org on every org route', async () => {
      const slug = slugOf('ghost');
      const routes: ['GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', string, unknown?][] = [
        ['GET', `/orgs/${slug}`],
        ['GET', `/orgs/${slug}/scim`],
        ['PATCH', `/orgs/${slug}/scim`, { enabled: true }],
        ['POST', `/orgs/${slug}/scim/tokens`, { name: 'x' }],
        ['GET', `/orgs/${slug}/scim/tokens`],
        ['DELETE', `/orgs/${slug}/scim/tokens/${randomUUID()}`],
        ['GET', `/orgs/${slug}/role-mappings`],
        ['PUT', `/orgs/${slug}/role-mappings`, [{ idpRoleValue: 'x', role: 'y' }]],
      ];
      for (const [method, url, body] of routes) {
        const r = await t.admin(method, url, body);
        expect({ call: `${method} ${url}`, status: r.status }).toEqual({ call: `${method} ${url}`, status: 404 });
        expectAdminError(r, 404);
      }
      expect((await t.admin('GET', `/orgs/${slug}`)).status).toBe(404);
    });
  });

  describe('SCIM settings', () => {
    it('GET /scim of a new org: disabled, no group sync, no default role, the public base URL', async () => {
      const org = await newOrg('settings');
      const r = await t.admin('GET', `/orgs/${org.slug}/scim`);
      expect(r).toEqual({ status: 200, body: { enabled: false, syncGroups: false, defaultRole: null, baseUrl: BASE } });
    });

    it('PATCH /scim changes only what it names and answers the new settings', async () => {
      const org = await newOrg('patch');
      expect(await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true })).toEqual({ status: 200, body: { enabled: true, syncGroups: false, defaultRole: null, baseUrl: BASE } });
      expect(await t.admin('PATCH', `/orgs/${org.slug}/scim`, { syncGroups: true })).toEqual({ status: 200, body: { enabled: true, syncGroups: true, defaultRole: null, baseUrl: BASE } });
      expect(await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: ' member ' })).toEqual({ status: 200, body: { enabled: true, syncGroups: true, defaultRole: 'member', baseUrl: BASE } });
      expect(await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: false, defaultRole: null })).toEqual({ status: 200, body: { enabled: false, syncGroups: true, defaultRole: null, baseUrl: BASE } });
      expect(await t.admin('GET', `/orgs/${org.slug}/scim`)).toEqual({ status: 200, body: { enabled: false, syncGroups: true, defaultRole: null, baseUrl: BASE } });
    });

    it('PATCH /scim answers 400 for unknown keys and wrong types, and changes nothing', async () => {
      const org = await newOrg('badpatch');
      for (const body of [{ enabled: 'yes' }, { syncGroups: 1 }, { defaultRole: '' }, { defaultRole: 5 }, { enabled: true, colour: 'blue' }, [{ enabled: true }]]) {
        const r = await t.admin('PATCH', `/orgs/${org.slug}/scim`, body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expectAdminError(r, 400);
      }
      expect((await t.admin('GET', `/orgs/${org.slug}/scim`)).body).toEqual({ enabled: false, syncGroups: false, defaultRole: null, baseUrl: BASE });
    });

    it('the enabled switch drives SCIM: 403 when off, 200 when on', async () => {
      const org = await testOrg(t);
      expect((await org.scim('GET', '/Users')).status).toBe(200);
      await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: false });
      expect((await org.scim('GET', '/Users')).status).toBe(403);
      await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true });
      expect((await org.scim('GET', '/Users')).status).toBe(200);
    });
  });

  describe('tokens', () => {
    it('creates a token whose secret appears only in the create answer', async () => {
      const org = await testOrg(t);
      const r = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'Entra Production' });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Entra Production',
        prefix: expect.any(String),
        createdAt: expect.any(String),
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        status: 'active',
        token: expect.any(String),
      });
      expect(r.body.token.startsWith(r.body.prefix)).toBe(true);
      expect(r.body.token.length).toBeGreaterThan(r.body.prefix.length + 20);
      expect(Date.parse(r.body.createdAt)).not.toBeNaN();
      const list = await t.admin('GET', `/orgs/${org.slug}/scim/tokens`);
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(2);
      expect(list.body[0]).toEqual({ id: r.body.id, name: 'Entra Production', prefix: r.body.prefix, createdAt: r.body.createdAt, expiresAt: null, lastUsedAt: null, revokedAt: null, status: 'active' });
      const listed = JSON.stringify(list.body);
      expect(listed).not.toContain(r.body.token);
      expect(listed).not.toContain(org.token);
      expect(list.body.every((tk: Record<string, unknown>) => !('token' in tk))).toBe(true);
      const { db } = await testDatabase(dialect);
      const row = await db.selectFrom('scim_tokens').selectAll().where('id', '=', r.body.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(r.body.token);
    });

    it('lists tokens newest first, with lastUsedAt set after a SCIM call', async () => {
      const org = await testOrg(t);
      const second = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'second' });
      const before = await t.admin('GET', `/orgs/${org.slug}/scim/tokens`);
      expect(before.body.map((tk: { name: string }) => tk.name)).toEqual(['second', 'test']);
      expect(before.body.map((tk: { lastUsedAt: unknown }) => tk.lastUsedAt)).toEqual([null, null]);
      const start = Date.now();
      const used = await rawRequest(t, { method: 'GET', url: '/scim/v2/Users', token: second.body.token });
      expect(used.status).toBe(200);
      const after = await t.admin('GET', `/orgs/${org.slug}/scim/tokens`);
      const [s, first] = after.body;
      expect(s.lastUsedAt).toEqual(expect.any(String));
      expect(Date.parse(s.lastUsedAt)).toBeGreaterThanOrEqual(start - 1000);
      expect(Date.parse(s.lastUsedAt)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(first.lastUsedAt).toBeNull();
    });

    it('accepts a future expiresAt and refuses a past or malformed one, and a missing name', async () => {
      const org = await testOrg(t);
      const future = new Date(Date.now() + 86_400_000).toISOString();
      const ok = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'expiring', expiresAt: future });
      expect(ok.status).toBe(201);
      expect(Date.parse(ok.body.expiresAt)).toBe(Date.parse(future));
      expect(ok.body.status).toBe('active');
      for (const body of [
        { name: 'past', expiresAt: new Date(Date.now() - 60_000).toISOString() },
        { name: 'garbage', expiresAt: 'next tuesday' },
        { name: 'no offset', expiresAt: '2099-01-01T00:00:00' },
        { expiresAt: future },
        { name: '' },
        { name: '   ' },
        { name: 'extra', scopes: ['all'] },
      ]) {
        const r = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expectAdminError(r, 400);
      }
      expect((await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body).toHaveLength(2);
    });

    it('revokes a token: 204, SCIM answers 401 at once, the list shows it revoked', async () => {
      const org = await testOrg(t);
      const id = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0].id;
      const del = await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${id}`);
      expect(del).toEqual({ status: 204, body: undefined });
      const scim = await org.scim('GET', '/Users');
      expect(scim.status).toBe(401);
      expect(scim.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
      const listed = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0];
      expect(listed).toMatchObject({ id, status: 'revoked', revokedAt: expect.any(String) });
    });

    it('answers 404 for revoking an unknown token or another org\'s token, which keeps working', async () => {
      const org = await testOrg(t);
      const other = await testOrg(t);
      const otherId = (await t.admin('GET', `/orgs/${other.slug}/scim/tokens`)).body[0].id;
      expectAdminError(await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${randomUUID()}`), 404);
      expectAdminError(await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/not-a-uuid`), 404);
      expectAdminError(await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${otherId}`), 404);
      expect((await other.scim('GET', '/Users')).status).toBe(200);
      expect((await org.scim('GET', '/Users')).status).toBe(200);
    });
  });

  describe('role mappings', () => {
    /** A mapping as answered: with its id and normalizedValue (the stored idpRoleValue). */
    const stored = (list: { idpRoleValue: string; role: string }[]) => list.map((m) => ({ id: expect.any(String), normalizedValue: m.idpRoleValue, ...m }));

    it('PUT stores idpRoleValue trimmed and lower-cased and answers the stored list', async () => {
      const org = await newOrg('roles');
      expect(await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).toEqual({ status: 200, body: [] });
      const r = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [
        { idpRoleValue: ' Admin ', role: 'admin' },
        { idpRoleValue: 'Viewer', role: ' viewer ' },
      ]);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(stored([
        { idpRoleValue: 'admin', role: 'admin' },
        { idpRoleValue: 'viewer', role: 'viewer' },
      ]));
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual(r.body);
    });

    it('PUT replaces the whole list; an empty list clears it', async () => {
      const org = await newOrg('replace');
      await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'a', role: 'admin' }, { idpRoleValue: 'b', role: 'member' }]);
      expect((await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'c', role: 'viewer' }])).body).toEqual(stored([{ idpRoleValue: 'c', role: 'viewer' }]));
      expect((await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [])).body).toEqual([]);
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([]);
    });

    it('answers 409 when two entries collide after normalisation, and keeps the old list', async () => {
      const org = await newOrg('collide');
      await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'keep', role: 'viewer' }]);
      const r = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [
        { idpRoleValue: ' Admin ', role: 'admin' },
        { idpRoleValue: 'admin', role: 'member' },
      ]);
      expectAdminError(r, 409);
      expect(r.body.message.toLowerCase()).toContain('admin');
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual(stored([{ idpRoleValue: 'keep', role: 'viewer' }]));
    });

    it('answers 400 for a malformed list', async () => {
      const org = await newOrg('badroles');
      for (const body of [{ idpRoleValue: 'a', role: 'b' }, [{ idpRoleValue: 'a' }], [{ role: 'b' }], [{ idpRoleValue: '', role: 'b' }], [{ idpRoleValue: 'a', role: '  ' }], [{ idpRoleValue: 'a', role: 'b', extra: 1 }], ['a']]) {
        const r = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expectAdminError(r, 400);
      }
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([]);
    });
  });

  describe('role resolution (PRODUCT.md), read from scim_users.app_role', () => {
    let org: TestOrg;
    let n = 0;
    beforeAll(async () => {
      org = await testOrg(t);
      for (const name of ['app-admin', 'app-viewer']) expect((await t.admin('POST', `/orgs/${org.slug}/roles`, { name })).status).toBe(201);
      const r = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [
        { idpRoleValue: 'Admin', role: 'app-admin' },
        { idpRoleValue: 'viewer', role: 'app-viewer' },
      ]);
      expect(r.status).toBe(200);
    });

    const roleOf = async (id: string) => {
      const { db } = await testDatabase(dialect);
      const row = await db.selectFrom('scim_users').select(['app_role', 'app_role_source']).where('id', '=', id).executeTakeFirstOrThrow();
      return { role: row.app_role, source: row.app_role_source as Record<string, unknown> | null };
    };
    const withRoles = (roles: unknown) => createUser(org, `role-${++n}@example.com`, { roles });

    it('takes the primary entry ("True" as a string too), trims and lower-cases it, and maps it', async () => {
      const u = await withRoles([{ value: 'viewer' }, { value: ' ADMIN ', primary: 'True' }]);
      expect(await roleOf(u.id)).toEqual({ role: 'app-admin', source: expect.objectContaining({ kind: 'mapping', received: ' ADMIN ', chosenBy: 'primary', normalized: 'admin' }) });
      const strict = await withRoles([{ value: 'admin' }, { value: 'Viewer', primary: true }]);
      expect((await roleOf(strict.id)).role).toBe('app-viewer');
    });

    it('takes the first entry when none is primary', async () => {
      const u = await withRoles([{ value: 'Viewer' }, { value: 'admin' }]);
      expect(await roleOf(u.id)).toEqual({ role: 'app-viewer', source: expect.objectContaining({ kind: 'mapping', chosenBy: 'first', normalized: 'viewer' }) });
    });

    it('returns roles through SCIM as received', async () => {
      const roles = [{ value: ' ADMIN ', display: 'Administrator', type: 'idp', primary: true }];
      const u = await withRoles(roles);
      expect(u.roles).toEqual(roles);
      expect((await org.scim('GET', `/Users/${u.id}`)).body.roles).toEqual(roles);
    });

    it('falls back to no role without a default, and to the default role when one is set', async () => {
      const unmapped = await withRoles([{ value: 'Auditor' }]);
      expect(await roleOf(unmapped.id)).toEqual({ role: null, source: expect.objectContaining({ kind: 'none', received: 'Auditor' }) });
      const none = await createUser(org, `role-none-${++n}@example.com`);
      expect((await roleOf(none.id)).role).toBeNull();
      expect((await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: 'member' })).status).toBe(200);
      try {
        const later = await withRoles([{ value: 'Auditor' }]);
        expect(await roleOf(later.id)).toEqual({ role: 'member', source: expect.objectContaining({ kind: 'default', received: 'Auditor' }) });
        const noRoles = await createUser(org, `role-none-${++n}@example.com`);
        expect(await roleOf(noRoles.id)).toEqual({ role: 'member', source: expect.objectContaining({ kind: 'default' }) });
        const mapped = await withRoles([{ value: 'admin' }]);
        expect((await roleOf(mapped.id)).role).toBe('app-admin');
      } finally {
        await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: null });
      }
    });

    it('re-resolves a user only when its record changes', async () => {
      const o = await testOrg(t);
      for (const name of ['app-editor', 'app-writer']) expect((await t.admin('POST', `/orgs/${o.slug}/roles`, { name })).status).toBe(201);
      await t.admin('PUT', `/orgs/${o.slug}/role-mappings`, [{ idpRoleValue: 'editor', role: 'app-editor' }]);
      const u = await createUser(o, 'reresolve@example.com', { roles: [{ value: 'Editor' }] });
      expect((await roleOf(u.id)).role).toBe('app-editor');
      await t.admin('PUT', `/orgs/${o.slug}/role-mappings`, [{ idpRoleValue: 'editor', role: 'app-writer' }]);
      expect((await o.scim('GET', `/Users/${u.id}`)).status).toBe(200);
      expect((await roleOf(u.id)).role).toBe('app-editor');
      const p = await o.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'Writer' }));
      expect(p.status).toBe(200);
      expect((await roleOf(u.id)).role).toBe('app-writer');
    });

    it('re-resolves when roles change through PATCH and PUT', async () => {
      const u = await withRoles([{ value: 'viewer' }]);
      expect((await roleOf(u.id)).role).toBe('app-viewer');
      const p = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'roles', value: [{ value: 'Admin', primary: true }] }));
      expect(p.status).toBe(200);
      expect((await roleOf(u.id)).role).toBe('app-admin');
      const put = await org.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, roles: [{ value: 'unmapped' }] });
      expect(put.status).toBe(200);
      expect(await roleOf(u.id)).toEqual({ role: null, source: expect.objectContaining({ kind: 'none', received: 'unmapped' }) });
    });
  });
});
