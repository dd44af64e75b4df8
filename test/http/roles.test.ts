/**
 * App roles and role mappings through the admin API (docs/admin-api.md "Roles
 * and role mappings"): default roles, adding and renaming (the rename reaches
 * mappings, the default role and members), references to unknown roles refused,
 * per-item mapping edits with ids, collisions after normalisation, and the
 * admin actions each change records.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects, testDatabase } from '../support/db.js';
import { createUser } from '../support/scim.js';

describe.each(dialects())('Roles and role mappings on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const expectError = (r: { status: number; body: any }, status: number, ...contains: string[]) => {
    expect({ status: r.status, body: r.body }).toEqual({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
    for (const c of contains) expect(r.body.message).toContain(c);
  };
  const names = async (org: TestOrg) => (await t.admin('GET', `/orgs/${org.slug}/roles`)).body.map((r: { name: string }) => r.name);
  const actions = async (org: TestOrg, operation: string) => {
    const { db } = await testDatabase(dialect);
    return db.selectFrom('activity').select(['actor', 'operation', 'target_type', 'target_id', 'target_name', 'status', 'diff']).where('org_id', '=', org.orgId).where('operation', '=', operation).orderBy('id').execute();
  };
  const member = async (org: TestOrg, id: string) => (await t.admin('GET', `/orgs/${org.slug}/members/${id}`)).body;

  describe('roles', () => {
    it('every new org has admin, member and viewer', async () => {
      const org = await testOrg(t);
      const r = await t.admin('GET', `/orgs/${org.slug}/roles`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(
        ['admin', 'member', 'viewer'].map((name) => ({ name, isDefault: false, mappingCount: 0, memberCount: 0, createdAt: expect.any(String) })),
      );
    });

    it('POST adds a role (201), listed after the defaults with its counts', async () => {
      const org = await testOrg(t);
      const r = await t.admin('POST', `/orgs/${org.slug}/roles`, { name: '  Billing Admin ' });
      expect(r).toEqual({ status: 201, body: { name: 'Billing Admin', isDefault: false, mappingCount: 0, memberCount: 0, createdAt: expect.any(String) } });
      expect(await names(org)).toEqual(['admin', 'member', 'viewer', 'Billing Admin']);
      await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'billing', role: 'billing admin' });
      await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: 'BILLING ADMIN' });
      await createUser(org, 'billing@example.com', { roles: [{ value: 'Billing' }] });
      const listed = (await t.admin('GET', `/orgs/${org.slug}/roles`)).body.find((x: { name: string }) => x.name === 'Billing Admin');
      expect(listed).toEqual({ name: 'Billing Admin', isDefault: true, mappingCount: 1, memberCount: 1, createdAt: r.body.createdAt });
      expect((await t.admin('GET', `/orgs/${org.slug}/scim`)).body.defaultRole).toBe('Billing Admin');
      const [rec] = await actions(org, 'role.create');
      expect(rec).toMatchObject({ actor: 'operator', target_type: 'role', target_name: 'Billing Admin', status: 200, diff: { details: { name: 'Billing Admin' } } });
    });

    it('answers 409 for a name that exists in any letter case, 400 for unusable names', async () => {
      const org = await testOrg(t);
      expectError(await t.admin('POST', `/orgs/${org.slug}/roles`, { name: 'admin' }), 409, '"admin" already exists');
      expectError(await t.admin('POST', `/orgs/${org.slug}/roles`, { name: 'Viewer' }), 409, '"viewer"', 'letter case');
      for (const name of ['', '   ', 'ad\u200bmin', 'tab\there', 'x'.repeat(101)]) expectError(await t.admin('POST', `/orgs/${org.slug}/roles`, { name }), 400);
      expectError(await t.admin('POST', `/orgs/${org.slug}/roles`, { name: 'ok', extra: 1 }), 400);
      expect(await names(org)).toEqual(['admin', 'member', 'viewer']);
    });

    it('PATCH renames a role everywhere in one step: mappings, default role, members (mapped, defaulted and manual)', async () => {
      const org = await testOrg(t);
      expect((await t.admin('POST', `/orgs/${org.slug}/roles`, { name: 'editor' })).status).toBe(201);
      await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [
        { idpRoleValue: 'Editor', role: 'editor' },
        { idpRoleValue: 'Writer', role: 'editor' },
        { idpRoleValue: 'Boss', role: 'admin' },
      ]);
      await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: 'editor' });
      const mapped = await createUser(org, 'mapped@example.com', { roles: [{ value: 'EDITOR', primary: true }] });
      const defaulted = await createUser(org, 'defaulted@example.com');
      const manual = await createUser(org, 'manual@example.com', { roles: [{ value: 'boss' }] });
      expect((await t.admin('PATCH', `/orgs/${org.slug}/members/${manual.id}`, { role: 'editor' })).status).toBe(200);
      const boss = await createUser(org, 'boss@example.com', { roles: [{ value: 'boss' }] });

      const r = await t.admin('PATCH', `/orgs/${org.slug}/roles/EDITOR`, { name: 'Content Editor' });
      expect(r).toEqual({
        status: 200,
        body: {
          role: { name: 'Content Editor', isDefault: true, mappingCount: 2, memberCount: 3, createdAt: expect.any(String) },
          from: 'editor',
          mappingsUpdated: 2,
          membersUpdated: 3,
          defaultRoleUpdated: true,
        },
      });
      expect(await names(org)).toEqual(['admin', 'member', 'viewer', 'Content Editor']);
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body.map((m: { idpRoleValue: string; role: string }) => [m.idpRoleValue, m.role])).toEqual([
        ['boss', 'admin'],
        ['editor', 'Content Editor'],
        ['writer', 'Content Editor'],
      ]);
      expect((await t.admin('GET', `/orgs/${org.slug}/scim`)).body.defaultRole).toBe('Content Editor');
      expect(await member(org, mapped.id)).toMatchObject({ role: 'Content Editor', roleSource: 'mapping' });
      expect(await member(org, defaulted.id)).toMatchObject({ role: 'Content Editor', roleSource: 'default' });
      expect(await member(org, manual.id)).toMatchObject({ role: 'Content Editor', roleSource: 'manual' });
      expect(await member(org, boss.id)).toMatchObject({ role: 'admin', roleSource: 'mapping' });
      // New provisioning uses the new name.
      const later = await createUser(org, 'later@example.com', { roles: [{ value: 'writer' }] });
      expect(await member(org, later.id)).toMatchObject({ role: 'Content Editor', roleSource: 'mapping' });
      const [rec] = await actions(org, 'role.rename');
      expect(rec).toMatchObject({ actor: 'operator', target_name: 'Content Editor', diff: { details: { from: 'editor', to: 'Content Editor', mappingsUpdated: 2, membersUpdated: 3, defaultRoleUpdated: true } } });
    });

    it('a rename may change only the letter case; 409 onto another role, 404 for an unknown one, 400 for a bad name', async () => {
      const org = await testOrg(t);
      const r = await t.admin('PATCH', `/orgs/${org.slug}/roles/viewer`, { name: 'Viewer' });
      expect(r.status).toBe(200);
      expect(r.body.role.name).toBe('Viewer');
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/roles/viewer`, { name: 'ADMIN' }), 409, '"admin" already exists');
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/roles/owner`, { name: 'boss' }), 404, 'owner');
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/roles/viewer`, { name: ' ' }), 400);
      expect(await names(org)).toEqual(['admin', 'member', 'Viewer']);
      // Renaming to the same name is a no-op without a record.
      expect((await t.admin('PATCH', `/orgs/${org.slug}/roles/Viewer`, { name: 'Viewer' })).status).toBe(200);
      expect(await actions(org, 'role.rename')).toHaveLength(1);
    });
  });

  describe('references to roles', () => {
    it('a mapping, the default role or a manual role naming an unknown role is a 400 that names the roles, and changes nothing', async () => {
      const org = await testOrg(t);
      const u = await createUser(org, 'someone@example.com');
      const ok = await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'a', role: 'admin' });
      const checks: [string, string, unknown][] = [
        ['POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'x', role: 'superuser' }],
        ['PATCH', `/orgs/${org.slug}/role-mappings/${ok.body.id}`, { role: 'superuser' }],
        ['PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'b', role: 'viewer' }, { idpRoleValue: 'x', role: 'superuser' }]],
        ['PATCH', `/orgs/${org.slug}/scim`, { defaultRole: 'superuser' }],
        ['PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: 'superuser' }],
      ];
      for (const [method, url, body] of checks) {
        const r = await t.admin(method as 'POST', url, body);
        expectError(r, 400, 'no role "superuser"', '"admin", "member", "viewer"');
      }
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([ok.body]);
      expect((await t.admin('GET', `/orgs/${org.slug}/scim`)).body.defaultRole).toBeNull();
      expect(await member(org, u.id)).toMatchObject({ role: null, roleSource: 'none' });
    });

    it('stores a role given in another letter case in the role\'s own spelling', async () => {
      const org = await testOrg(t);
      await t.admin('POST', `/orgs/${org.slug}/roles`, { name: 'Support Agent' });
      const r = await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'Agent', role: 'SUPPORT agent' });
      expect(r.body.role).toBe('Support Agent');
      const put = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'agent', role: 'support AGENT' }, { idpRoleValue: 'boss', role: 'Admin' }]);
      expect(put.body.map((m: { idpRoleValue: string; role: string }) => [m.idpRoleValue, m.role])).toEqual([
        ['agent', 'Support Agent'],
        ['boss', 'admin'],
      ]);
    });
  });

  describe('role mappings, per item', () => {
    it('POST adds a mapping (201) with its id and normalised value; GET lists it', async () => {
      const org = await testOrg(t);
      const r = await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: '  Stack AI Admin ', role: 'admin' });
      expect(r).toEqual({ status: 201, body: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), idpRoleValue: 'stack ai admin', normalizedValue: 'stack ai admin', role: 'admin' } });
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([r.body]);
      const [rec] = await actions(org, 'role-mapping.create');
      expect(rec).toMatchObject({ actor: 'operator', target_type: 'role-mapping', target_id: r.body.id, target_name: 'stack ai admin', diff: { details: { idpRoleValue: 'stack ai admin', role: 'admin' } } });
    });

    it('answers 409 when a new value collides after normalisation, naming both values', async () => {
      const org = await testOrg(t);
      const first = await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'admin', role: 'admin' });
      const r = await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: ' ADMIN\t', role: 'viewer' });
      expectError(r, 409, '" ADMIN\t"', '"admin"', 'trimming and lower-casing');
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([first.body]);
    });

    it('PATCH changes the role and/or the value, keeps the id, and refuses a collision', async () => {
      const org = await testOrg(t);
      const a = (await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'writer', role: 'member' })).body;
      const b = (await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'reader', role: 'viewer' })).body;
      expect(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${a.id}`, { role: 'Admin' })).toEqual({ status: 200, body: { ...a, role: 'admin' } });
      expect(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${a.id}`, { idpRoleValue: ' Editor ' })).toEqual({ status: 200, body: { id: a.id, idpRoleValue: 'editor', normalizedValue: 'editor', role: 'admin' } });
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${a.id}`, { idpRoleValue: 'READER' }), 409, '"READER"', '"reader"');
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${a.id}`, { idpRoleValue: '   ' }), 400, 'blank');
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${a.id}`, { colour: 'red' }), 400);
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([
        { id: a.id, idpRoleValue: 'editor', normalizedValue: 'editor', role: 'admin' },
        b,
      ]);
      const recs = await actions(org, 'role-mapping.update');
      expect(recs.map((x) => x.diff)).toEqual([
        { details: { before: { idpRoleValue: 'writer', role: 'member' }, after: { idpRoleValue: 'writer', role: 'admin' } } },
        { details: { before: { idpRoleValue: 'writer', role: 'admin' }, after: { idpRoleValue: 'editor', role: 'admin' } } },
      ]);
    });

    it('DELETE removes a mapping (204); resolution no longer uses it', async () => {
      const org = await testOrg(t);
      const m = (await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'boss', role: 'admin' })).body;
      expect((await createUser(org, 'before@example.com', { roles: [{ value: 'Boss' }] })).id).toBeTruthy();
      expect(await t.admin('DELETE', `/orgs/${org.slug}/role-mappings/${m.id}`)).toEqual({ status: 204, body: undefined });
      expect((await t.admin('GET', `/orgs/${org.slug}/role-mappings`)).body).toEqual([]);
      const after = await createUser(org, 'after@example.com', { roles: [{ value: 'Boss' }] });
      expect(await member(org, after.id)).toMatchObject({ role: null, roleSource: 'none' });
      expectError(await t.admin('DELETE', `/orgs/${org.slug}/role-mappings/${m.id}`), 404);
      const [rec] = await actions(org, 'role-mapping.delete');
      expect(rec).toMatchObject({ target_id: m.id, diff: { details: { idpRoleValue: 'boss', role: 'admin' } } });
    });

    it("answers 404 for an unknown id, a malformed id and another org's mapping, which is left alone", async () => {
      const org = await testOrg(t);
      const other = await testOrg(t);
      const theirs = (await t.admin('POST', `/orgs/${other.slug}/role-mappings`, { idpRoleValue: 'boss', role: 'admin' })).body;
      for (const id of [randomUUID(), 'not-a-uuid', theirs.id]) {
        expectError(await t.admin('PATCH', `/orgs/${org.slug}/role-mappings/${id}`, { role: 'viewer' }), 404);
        expectError(await t.admin('DELETE', `/orgs/${org.slug}/role-mappings/${id}`), 404);
      }
      expect((await t.admin('GET', `/orgs/${other.slug}/role-mappings`)).body).toEqual([theirs]);
    });

    it('PUT keeps the ids of values that stay, and records what it added, changed and removed', async () => {
      const org = await testOrg(t);
      const first = (await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'a', role: 'admin' }, { idpRoleValue: 'b', role: 'member' }])).body;
      const second = (await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'A', role: 'viewer' }, { idpRoleValue: 'c', role: 'member' }])).body;
      expect(second).toEqual([
        { id: first[0].id, idpRoleValue: 'a', normalizedValue: 'a', role: 'viewer' },
        { id: expect.any(String), idpRoleValue: 'c', normalizedValue: 'c', role: 'member' },
      ]);
      expect(second[1].id).not.toBe(first[1].id);
      const recs = await actions(org, 'role-mappings.replace');
      expect(recs[1]!.diff).toEqual({
        details: { count: 2, added: [{ idpRoleValue: 'c', role: 'member' }], changed: [{ idpRoleValue: 'a', from: 'admin', to: 'viewer' }], removed: [{ idpRoleValue: 'b', role: 'member' }] },
      });
    });
  });
});
