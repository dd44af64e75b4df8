/**
 * Members through the admin API (docs/admin-api.md "Members"): users provisioned
 * through SCIM, read back with their app role and its source; the five
 * role-resolution cases of PRODUCT.md and every near-miss kind as role
 * explanations; a manual role and what the next IdP update does to it; paging,
 * sorting, search and filters; another org's ids answer 404.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects, testDatabase } from '../support/db.js';
import { BASE, createGroup, createUser, patchOp, USER } from '../support/scim.js';

describe.each(dialects())('Members on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const expectError = (r: { status: number; body: any }, status: number, ...contains: string[]) => {
    expect({ status: r.status, body: r.body }).toEqual({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
    for (const c of contains) expect(r.body.message).toContain(c);
  };
  const get = async (org: TestOrg, url: string) => {
    const r = await t.admin('GET', `/orgs/${org.slug}${url}`);
    expect({ url, status: r.status }).toEqual({ url, status: 200 });
    return r.body;
  };
  const explain = (org: TestOrg, id: string) => get(org, `/members/${id}/role-explanation`);

  /** An org with the reference document's mappings (Step A) plus one with an inner space. */
  const roleOrg = async (defaultRole: string | null) => {
    const org = await testOrg(t);
    const r = await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [
      { idpRoleValue: 'admin', role: 'admin' },
      { idpRoleValue: 'member', role: 'member' },
      { idpRoleValue: 'viewer', role: 'viewer' },
      { idpRoleValue: 'read only', role: 'viewer' },
    ]);
    expect(r.status).toBe(200);
    if (defaultRole) expect((await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole })).status).toBe(200);
    return org;
  };

  describe('role resolution, the five cases of PRODUCT.md, as the admin sees them', () => {
    let org: TestOrg;
    let noDefault: TestOrg;
    let n = 0;
    beforeAll(async () => {
      org = await roleOrg('member');
      noDefault = await roleOrg(null);
    });
    const withRoles = (o: TestOrg, roles: unknown) => createUser(o, `five-${++n}@example.com`, { roles });

    it('1. takes the entry marked primary (Entra sends primary as the string "True")', async () => {
      const u = await withRoles(org, [{ value: 'viewer' }, { value: 'admin', primary: 'True' }]);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: 'admin', roleSource: 'mapping' });
      const e = await explain(org, u.id);
      // scimd stores "True" as true (coerceBooleanString), so the entry reads primary: true.
      expect(e.received).toEqual([{ value: 'viewer' }, { value: 'admin', primary: true }]);
      expect(e.primary).toEqual({ index: 1, entry: { value: 'admin', primary: true }, value: 'admin', valueEscaped: 'admin', reason: 'primary: true' });
    });

    it('1b. takes the first entry when none is marked primary', async () => {
      const u = await withRoles(org, [{ value: 'Viewer', primary: false }, { value: 'admin' }]);
      const e = await explain(org, u.id);
      expect(e.primary).toMatchObject({ index: 0, value: 'Viewer', reason: 'no entry marked primary: the first' });
      expect(e.resolved).toEqual({ role: 'viewer', source: 'mapping' });
      expect(e.hints).toEqual([]);
    });

    it('2. lower-cases and trims the value', async () => {
      const u = await withRoles(org, [{ value: '  ADMIN ', primary: true }]);
      const e = await explain(org, u.id);
      expect(e).toMatchObject({ normalized: 'admin', matchedMapping: { idpRoleValue: 'admin', role: 'admin' }, role: { name: 'admin', source: 'mapping' } });
      expect(e.matchedMapping.differences.map((d: { kind: string; ignoredByMatching: boolean }) => [d.kind, d.ignoredByMatching])).toEqual([
        ['surrounding-whitespace', true],
        ['case', true],
      ]);
    });

    it('3. matches the mappings exactly', async () => {
      const u = await withRoles(org, [{ value: 'member', primary: true }]);
      const e = await explain(org, u.id);
      expect(e).toMatchObject({
        matchedMapping: { idpRoleValue: 'member', role: 'member', differences: [] },
        noMatchReason: null,
        nearMisses: [],
        resolved: { role: 'member', source: 'mapping' },
        role: { name: 'member', source: 'mapping', detail: { kind: 'mapping', received: 'member', chosenBy: 'primary', normalized: 'member' } },
        differsFromCurrentSettings: false,
        summary: 'Received "member" (primary: true); normalised "member" matches the mapping "member" → member.',
      });
    });

    it('4. no match: the default role', async () => {
      const u = await withRoles(org, [{ value: 'Auditor', primary: true }]);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: 'member', roleSource: 'default' });
      const e = await explain(org, u.id);
      expect(e).toMatchObject({ matchedMapping: null, nearMisses: [], resolved: { role: 'member', source: 'default' } });
      expect(e.noMatchReason).toBe('No mapping is "auditor", nor close to it; the mappings are "admin", "member", "read only", "viewer".');
      expect(e.summary).toBe('Received "Auditor" (primary: true); normalised "auditor" matches no mapping, so the default role "member" applies.');
    });

    it('4b. no roles at all: the default role', async () => {
      const u = await createUser(org, `five-${++n}@example.com`);
      const e = await explain(org, u.id);
      expect(e).toMatchObject({ received: null, primary: null, normalized: null, resolved: { role: 'member', source: 'default' }, noMatchReason: "The member's record has no roles, so there is nothing to match." });
    });

    it('5. no match and no default: no role', async () => {
      const u = await withRoles(noDefault, [{ value: 'Auditor' }]);
      expect(await get(noDefault, `/members/${u.id}`)).toMatchObject({ role: null, roleSource: 'none' });
      const e = await explain(noDefault, u.id);
      expect(e).toMatchObject({ resolved: { role: null, source: 'none' }, role: { name: null, source: 'none' } });
      expect(e.summary).toContain('there is no default role, so no role');
    });
  });

  describe('near-misses, end to end (the value arrives through SCIM, the admin reads why it did not match)', () => {
    let org: TestOrg;
    let n = 0;
    beforeAll(async () => {
      org = await roleOrg('viewer');
    });
    const kinds = async (value: string) => {
      const u = await createUser(org, `near-${++n}@example.com`, { roles: [{ value, primary: true }] });
      const e = await explain(org, u.id);
      return { member: await get(org, `/members/${u.id}`), e };
    };

    it.each([
      ['inner whitespace: two spaces', 'Read  Only', 'read only', ['inner-whitespace', 'case'], '2 spaces in a row at position 5'],
      ['inner whitespace: a tab', 'read\tonly', 'read only', ['inner-whitespace'], 'U+0009 CHARACTER TABULATION (tab) at position 5'],
      ['inner whitespace: a no-break space', 'read\u00a0only', 'read only', ['inner-whitespace'], 'U+00A0 NO-BREAK SPACE at position 5'],
      ['a zero-width space', 'Admin\u200b', 'admin', ['invisible-characters', 'case'], 'U+200B ZERO WIDTH SPACE at position 6'],
      ['a zero-width joiner', 'ad\u200dmin', 'admin', ['invisible-characters'], 'U+200D ZERO WIDTH JOINER at position 3'],
      ['a word joiner', 'mem\u2060ber', 'member', ['invisible-characters'], 'U+2060 WORD JOINER at position 4'],
      ['a byte order mark inside', 'view\ufeffer', 'viewer', ['invisible-characters'], 'U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark) at position 5'],
      ['a soft hyphen', 'ad\u00admin', 'admin', ['invisible-characters'], 'U+00AD SOFT HYPHEN at position 3'],
      ['a bidi mark', '\u200fadmin', 'admin', ['invisible-characters'], 'U+200F RIGHT-TO-LEFT MARK at position 1'],
      ['a Cyrillic look-alike', '\u0430dmin', 'admin', ['look-alike-characters'], '"\u0430" (U+0430, a Cyrillic letter) at position 1 looks like "a"'],
      ['a Greek look-alike', 'ΜEMBER', 'member', ['look-alike-characters', 'case'], '(U+039C, a Greek letter) at position 1 looks like "M"'],
      ['fullwidth letters', 'ａｄｍｉｎ', 'admin', ['look-alike-characters'], '(U+FF41, a fullwidth form) at position 1 looks like "a"'],
      ['a JSON-encoded string', '"admin"', 'admin', ['json-encoded'], 'JSON text; decoded, it holds "admin"'],
      ['a JSON-encoded object without a value', '{"displayName":"Admin","id":"6a7c"}', 'admin', ['json-encoded', 'case'], 'decoded, it holds "Admin"'],
    ])('%s', async (_name, value, mapping, expectedKinds, detail) => {
      const { member, e } = await kinds(value);
      expect(member).toMatchObject({ role: 'viewer', roleSource: 'default' });
      expect(e.primary.value).toBe(value);
      expect(e.matchedMapping).toBeNull();
      expect(e.resolved).toEqual({ role: 'viewer', source: 'default' });
      expect(e.nearMisses).toHaveLength(1);
      expect(e.nearMisses[0]).toMatchObject({ idpRoleValue: mapping, kinds: expectedKinds });
      expect(e.noMatchReason).toContain(detail);
      expect(e.nearMisses[0].message).toContain(detail);
    });

    it('different case only and surrounding whitespace: matched, and the explanation says matching ignored them', async () => {
      for (const [value, kind] of [['ADMIN', 'case'], [' admin\t', 'surrounding-whitespace']] as const) {
        const { member, e } = await kinds(value);
        expect(member).toMatchObject({ role: 'admin', roleSource: 'mapping' });
        expect(e.nearMisses).toEqual([]);
        expect(e.matchedMapping.differences).toEqual([expect.objectContaining({ kind, ignoredByMatching: true, side: 'received' })]);
      }
    });

    it('a JSON-encoded object with a value is decoded on the way in (Entra) and matches', async () => {
      const { member, e } = await kinds('{"id":"6a7c","value":"Admin","displayName":"Stack AI Admin"}');
      expect(member).toMatchObject({ role: 'admin', roleSource: 'mapping' });
      expect(e.received).toEqual([{ value: 'Admin', display: 'Stack AI Admin', primary: true }]);
    });

    it('a hint when another entry would have matched', async () => {
      const u = await createUser(org, `near-${++n}@example.com`, { roles: [{ value: 'Owner', primary: true }, { value: 'admin' }] });
      const e = await explain(org, u.id);
      expect(e.hints).toEqual(['Entry 1 ("admin") would match the mapping "admin" (→ admin), but only the primary entry counts.']);
    });
  });

  describe('settings changed since provisioning', () => {
    it('the stored role stays until the record changes; the explanation says what the current mappings would give', async () => {
      const org = await roleOrg(null);
      const u = await createUser(org, 'stale@example.com', { roles: [{ value: 'Owner' }] });
      expect((await explain(org, u.id)).differsFromCurrentSettings).toBe(false);
      await t.admin('POST', `/orgs/${org.slug}/role-mappings`, { idpRoleValue: 'owner', role: 'admin' });
      const e = await explain(org, u.id);
      expect(e).toMatchObject({ role: { name: null, source: 'none' }, resolved: { role: 'admin', source: 'mapping' }, differsFromCurrentSettings: true });
      expect(e.differenceNote).toContain('with the current mappings and default role it would be "admin" (mapping)');
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: null, roleSource: 'none' });
      // A change of the record re-resolves (PRODUCT.md: "re-resolved only when their record changes").
      expect((await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'CEO' }))).status).toBe(200);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: 'admin', roleSource: 'mapping' });
      expect((await explain(org, u.id)).differsFromCurrentSettings).toBe(false);
    });
  });

  describe('a manual role', () => {
    it('PATCH {role} sets it (source manual), without touching the SCIM resource; recorded with the actor', async () => {
      const org = await roleOrg('viewer');
      const u = await createUser(org, 'manual@example.com', { roles: [{ value: 'member' }] });
      const before = await org.scim('GET', `/Users/${u.id}`);
      const r = await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: 'ADMIN' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: u.id, role: 'admin', roleSource: 'manual', roleSourceDetail: { kind: 'manual', setBy: 'operator', setAt: expect.any(String) } });
      const after = await org.scim('GET', `/Users/${u.id}`);
      expect(after.body).toEqual(before.body);
      const e = await explain(org, u.id);
      expect(e).toMatchObject({ role: { name: 'admin', source: 'manual' }, resolved: { role: 'member', source: 'mapping' }, differsFromCurrentSettings: true });
      expect(e.differenceNote).toBe('An admin set "admin" by operator. It stays until the IdP sends a change of roles; then resolution gives "member" (mapping) with the current settings.');
      const { db } = await testDatabase(dialect);
      const rec = await db.selectFrom('activity').selectAll().where('org_id', '=', org.orgId).where('operation', '=', 'member.role.update').executeTakeFirstOrThrow();
      expect(rec).toMatchObject({ source: 'admin', actor: 'operator', target_type: 'member', target_id: u.id, target_name: 'manual@example.com', diff: { details: { before: { role: 'member', source: 'mapping' }, after: { role: 'admin', source: 'manual' } } } });
    });

    it('survives IdP updates that leave roles as they were; an update that changes roles resolves again and replaces it', async () => {
      const org = await roleOrg('viewer');
      const u = await createUser(org, 'idp@example.com', { roles: [{ value: 'member', primary: true }] });
      await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: 'admin' });
      expect((await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Renamed' }))).status).toBe(200);
      expect((await org.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: 'Put', roles: [{ value: 'member', primary: true }] })).status).toBe(200);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ displayName: 'Put', role: 'admin', roleSource: 'manual' });
      expect((await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'roles', value: [{ value: 'viewer', primary: true }] }))).status).toBe(200);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: 'viewer', roleSource: 'mapping' });
    });

    it('PATCH {role: null} hands the role back to automatic resolution at once', async () => {
      const org = await roleOrg('viewer');
      const u = await createUser(org, 'auto@example.com', { roles: [{ value: 'Member' }] });
      await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: 'admin' });
      const r = await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: null });
      expect(r.body).toMatchObject({ role: 'member', roleSource: 'mapping', roleSourceDetail: { kind: 'mapping', received: 'Member', chosenBy: 'first', normalized: 'member' } });
    });

    it('refuses an unknown role (400) and a malformed body (400), and changes nothing', async () => {
      const org = await roleOrg(null);
      const u = await createUser(org, 'refuse@example.com', { roles: [{ value: 'member' }] });
      expectError(await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, { role: 'owner' }), 400, 'no role "owner"');
      for (const body of [{}, { role: '' }, { role: 5 }, { role: 'admin', active: false }]) expectError(await t.admin('PATCH', `/orgs/${org.slug}/members/${u.id}`, body), 400);
      expect(await get(org, `/members/${u.id}`)).toMatchObject({ role: 'member', roleSource: 'mapping' });
    });
  });

  describe('reading members', () => {
    it('GET /members/{id} answers the member and its SCIM document exactly as SCIM renders it', async () => {
      const org = await roleOrg(null);
      const u = await createUser(org, 'doc@example.com', {
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        displayName: 'Ada L.',
        roles: [{ value: 'admin' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      });
      const g = await createGroup(org, 'Engineers', [u.id]);
      const m = await get(org, `/members/${u.id}`);
      const scim = (await org.scim('GET', `/Users/${u.id}`)).body;
      expect(m).toEqual({
        id: u.id,
        userName: 'doc@example.com',
        name: 'Ada Lovelace',
        displayName: 'Ada L.',
        email: 'doc@example.com',
        active: true,
        role: 'admin',
        roleSource: 'mapping',
        groups: [{ id: g.id, displayName: 'Engineers' }],
        createdAt: scim.meta.created,
        updatedAt: scim.meta.lastModified,
        roleSourceDetail: { kind: 'mapping', received: 'admin', chosenBy: 'first', normalized: 'admin' },
        scim,
      });
      expect(m.scim.meta.location).toBe(`${BASE}/Users/${u.id}`);
    });

    it("answers 404 for an unknown id, a malformed id and another org's member, on every member route", async () => {
      const org = await testOrg(t);
      const other = await testOrg(t);
      const theirs = await createUser(other, 'theirs@example.com', { roles: [{ value: 'x' }] });
      for (const id of [randomUUID(), 'nope', theirs.id]) {
        expectError(await t.admin('GET', `/orgs/${org.slug}/members/${id}`), 404);
        expectError(await t.admin('GET', `/orgs/${org.slug}/members/${id}/role-explanation`), 404);
        expectError(await t.admin('PATCH', `/orgs/${org.slug}/members/${id}`, { role: 'admin' }), 404);
      }
      expect(await get(other, `/members/${theirs.id}`)).toMatchObject({ role: null, roleSource: 'none' });
      expect((await get(org, '/members')).items).toEqual([]);
      expectError(await t.admin('GET', `/orgs/no-such-org-${randomUUID().slice(0, 8)}/members`), 404);
    });

    describe('lists', () => {
      let org: TestOrg;
      const people = [
        { userName: 'carol@b.example', givenName: 'Carol', familyName: 'Zed', role: 'admin', active: true },
        { userName: 'alice@a.example', givenName: 'Alice', familyName: 'Young', role: 'member', active: true },
        { userName: 'dave@a.example', givenName: 'Dave', familyName: 'Xu', role: 'viewer', active: false },
        { userName: 'bob@b.example', givenName: 'Bob', familyName: 'Walker', role: 'member', active: true },
        { userName: 'erin@c.example', givenName: 'Erin', familyName: 'Vance', role: 'member', active: true },
        { userName: 'frank@c.example', givenName: 'Frank', familyName: 'Under_score', role: 'viewer', active: false },
        { userName: 'gina%@c.example', givenName: 'Gina', familyName: 'Tate', role: 'admin', active: true },
      ];
      const ids = new Map<string, string>();
      beforeAll(async () => {
        org = await roleOrg(null);
        for (const p of people) {
          const u = await createUser(org, p.userName, { name: { givenName: p.givenName, familyName: p.familyName }, active: p.active, roles: [{ value: p.role }] });
          ids.set(p.userName, u.id);
        }
        await createGroup(org, 'Team B', [ids.get('bob@b.example')!, ids.get('carol@b.example')!]);
        await createGroup(org, 'All admins', [ids.get('carol@b.example')!]);
      });
      const userNames = (page: { items: { userName: string }[] }) => page.items.map((m) => m.userName);
      const all = async (query: string, limit: number) => {
        const out: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: any = await get(org, `/members?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(page.total).toBe(people.length);
          out.push(...userNames(page));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 20);
        return { out, pages };
      };

      it('items carry the documented fields, groups included', async () => {
        const page = await get(org, '/members?search=carol');
        expect(page).toEqual({
          items: [
            {
              id: ids.get('carol@b.example'),
              userName: 'carol@b.example',
              name: 'Carol Zed',
              displayName: null,
              email: 'carol@b.example',
              active: true,
              role: 'admin',
              roleSource: 'mapping',
              groups: [
                { id: expect.any(String), displayName: 'All admins' },
                { id: expect.any(String), displayName: 'Team B' },
              ],
              createdAt: expect.any(String),
              updatedAt: expect.any(String),
            },
          ],
          total: 1,
          limit: 50,
          nextCursor: null,
        });
      });

      it('sorts by each key, both ways, by default userName ascending', async () => {
        const byUser = [...people].map((p) => p.userName).sort();
        expect(userNames(await get(org, '/members'))).toEqual(byUser);
        expect(userNames(await get(org, '/members?sort=userName&order=desc'))).toEqual([...byUser].reverse());
        expect(userNames(await get(org, '/members?sort=name'))).toEqual(['alice@a.example', 'bob@b.example', 'carol@b.example', 'dave@a.example', 'erin@c.example', 'frank@c.example', 'gina%@c.example']);
        expect(userNames(await get(org, '/members?sort=createdAt'))).toEqual(people.map((p) => p.userName));
        expect(userNames(await get(org, '/members?sort=createdAt&order=desc'))).toEqual(people.map((p) => p.userName).reverse());
        // Group membership changes touch the members (bob and carol together, then carol again).
        expect(userNames(await get(org, '/members?sort=updatedAt'))).toEqual(['alice@a.example', 'dave@a.example', 'erin@c.example', 'frank@c.example', 'gina%@c.example', 'bob@b.example', 'carol@b.example']);
        const roles = (await get(org, '/members?sort=role')).items.map((m: { role: string }) => m.role);
        expect(roles).toEqual(['admin', 'admin', 'member', 'member', 'member', 'viewer', 'viewer']);
        const emails = (await get(org, '/members?sort=email&order=desc')).items.map((m: { email: string }) => m.email);
        expect(emails).toEqual([...emails].sort().reverse());
      });

      it('pages by cursor without gaps or repeats, for every sort, also over ties', async () => {
        for (const query of ['sort=userName', 'sort=role', 'sort=role&order=desc', 'sort=createdAt&order=desc', 'sort=name']) {
          const whole = userNames(await get(org, `/members?${query}`));
          const { out, pages } = await all(query, 2);
          expect({ query, out }).toEqual({ query, out: whole });
          expect(pages).toBe(4);
        }
      });

      it('pages by number', async () => {
        const whole = userNames(await get(org, '/members?sort=email'));
        const p2 = await get(org, '/members?sort=email&limit=3&page=2');
        expect(p2).toMatchObject({ total: 7, limit: 3, page: 2 });
        expect(userNames(p2)).toEqual(whole.slice(3, 6));
        expect(userNames(await get(org, '/members?sort=email&limit=3&page=3'))).toEqual(whole.slice(6));
        expect((await get(org, '/members?sort=email&limit=3&page=9')).items).toEqual([]);
      });

      it('searches userName, name and email case-insensitively, with % and _ taken literally', async () => {
        expect(userNames(await get(org, '/members?search=A.EXAMPLE'))).toEqual(['alice@a.example', 'dave@a.example']);
        expect(userNames(await get(org, '/members?search=walker'))).toEqual(['bob@b.example']);
        expect(userNames(await get(org, '/members?search=alice%20young'))).toEqual(['alice@a.example']);
        expect(userNames(await get(org, `/members?search=${encodeURIComponent('%')}`))).toEqual(['gina%@c.example']);
        expect(userNames(await get(org, '/members?search=_'))).toEqual(['frank@c.example']);
        expect((await get(org, '/members?search=nobody')).total).toBe(0);
      });

      it('filters by active and role', async () => {
        expect(userNames(await get(org, '/members?active=false'))).toEqual(['dave@a.example', 'frank@c.example']);
        expect((await get(org, '/members?active=true')).total).toBe(5);
        expect(userNames(await get(org, '/members?role=ADMIN'))).toEqual(['carol@b.example', 'gina%@c.example']);
        expect(userNames(await get(org, '/members?role=member&search=b.example'))).toEqual(['bob@b.example']);
      });

      it('answers 400 for bad parameters: limit out of range, unknown sort, a foreign or mismatched cursor, cursor and page together', async () => {
        const first = await get(org, '/members?limit=2&sort=email');
        for (const q of ['limit=0', 'limit=201', 'limit=x', 'sort=password', 'order=up', 'active=yes', 'page=0', 'cursor=garbage', `cursor=${first.nextCursor}`, `sort=email&page=2&cursor=${first.nextCursor}`]) {
          const r = await t.admin('GET', `/orgs/${org.slug}/members?${q}`);
          expect({ q, status: r.status }).toEqual({ q, status: 400 });
        }
        expectError(await t.admin('GET', `/orgs/${org.slug}/members?cursor=${first.nextCursor}`), 400, 'sort=email&order=asc');
        expect((await get(org, '/members?limit=200')).limit).toBe(200);
      });
    });
  });
});

describe.each(dialects())('Member names on %s', (dialect) => {
  it('follows given and family name when the IdP renames without touching name.formatted', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'rename@example.com', name: { formatted: 'Alice Anders', givenName: 'Alice', familyName: 'Anders' } })).body;
    await org.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Anders-Smith' }] });
    const list = await t.admin('GET', `/orgs/${org.slug}/members`);
    expect(list.body.items.map((m: { name: string }) => m.name)).toEqual(['Alice Anders-Smith']);
    await t.app.close();
  });
});
