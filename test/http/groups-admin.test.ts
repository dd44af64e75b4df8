/**
 * Groups through the admin API (docs/admin-api.md "Groups"): groups provisioned
 * through SCIM, listed with member counts, searched, sorted and paged; a group's
 * members paged by cursor in join order, without reading the whole group (a
 * 100,000-member group: the plan of a deep page reads one page of the index);
 * another org's ids answer 404.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembersPageQuery } from '../../src/provisioning/group-reads.js';
import { encodeCursor } from '../../src/provisioning/admin-paging.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects, testDatabase } from '../support/db.js';
import { createGroup, createUser, patchOp, sleep } from '../support/scim.js';

describe.each(dialects())('Groups (admin API) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const expectError = (r: { status: number; body: any }, status: number) => {
    expect({ status: r.status, body: r.body }).toEqual({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
  };
  const get = async (org: TestOrg, url: string) => {
    const r = await t.admin('GET', `/orgs/${org.slug}${url}`);
    expect({ url, status: r.status }).toEqual({ url, status: 200 });
    return r.body;
  };
  const names = (page: { items: { displayName: string }[] }) => page.items.map((g) => g.displayName);

  describe('lists and reads groups', () => {
    let org: TestOrg;
    const groups = new Map<string, Record<string, any>>();
    let users: Record<string, any>[] = [];
    beforeAll(async () => {
      org = await testOrg(t);
      for (let i = 0; i < 6; i++) users.push(await createUser(org, `g-user-${i}@example.com`, { displayName: `User ${i}` }));
      const spec: [string, number, string?][] = [
        ['Engineering', 4, 'aad-eng'],
        ['sales EMEA', 2],
        ['Design', 0, 'aad-design'],
        ['Sales US', 6],
        ['support_team', 1],
      ];
      for (const [name, count, externalId] of spec) {
        groups.set(name, await createGroup(org, name, users.slice(0, count).map((u) => u.id), externalId ? { externalId } : {}));
        await sleep(2);
      }
    });

    it('items carry id, displayName, externalId, memberCount and timestamps', async () => {
      const eng = groups.get('Engineering')!;
      const page = await get(org, '/groups?search=engin');
      expect(page).toEqual({
        items: [{ id: eng.id, displayName: 'Engineering', externalId: 'aad-eng', memberCount: 4, createdAt: eng.meta.created, updatedAt: eng.meta.lastModified }],
        total: 1,
        limit: 50,
        nextCursor: null,
      });
      expect(await get(org, `/groups/${eng.id}`)).toEqual(page.items[0]);
      expect(await get(org, `/groups/${groups.get('Design')!.id}`)).toMatchObject({ externalId: 'aad-design', memberCount: 0 });
      expect(await get(org, `/groups/${groups.get('sales EMEA')!.id}`)).toMatchObject({ externalId: null, memberCount: 2 });
    });

    it('sorts by displayName (ignoring case), createdAt and updatedAt, both ways', async () => {
      expect(names(await get(org, '/groups'))).toEqual(['Design', 'Engineering', 'sales EMEA', 'Sales US', 'support_team']);
      expect(names(await get(org, '/groups?sort=displayName&order=desc'))).toEqual(['support_team', 'Sales US', 'sales EMEA', 'Engineering', 'Design']);
      expect(names(await get(org, '/groups?sort=createdAt'))).toEqual(['Engineering', 'sales EMEA', 'Design', 'Sales US', 'support_team']);
      expect(names(await get(org, '/groups?sort=createdAt&order=desc'))).toEqual(['support_team', 'Sales US', 'Design', 'sales EMEA', 'Engineering']);
      const design = groups.get('Design')!;
      expect((await org.scim('PATCH', `/Groups/${design.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Design Ops' }))).status).toBe(204);
      expect(names(await get(org, '/groups?sort=updatedAt&order=desc'))[0]).toBe('Design Ops');
      expect((await org.scim('PATCH', `/Groups/${design.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Design' }))).status).toBe(204);
    });

    it('searches displayName case-insensitively, with _ taken literally', async () => {
      expect(names(await get(org, '/groups?search=SALES'))).toEqual(['sales EMEA', 'Sales US']);
      expect(names(await get(org, '/groups?search=_'))).toEqual(['support_team']);
      expect((await get(org, '/groups?search=nothing')).total).toBe(0);
    });

    it('pages by cursor and by number', async () => {
      const first = await get(org, '/groups?limit=2');
      expect(first).toMatchObject({ total: 5, limit: 2, nextCursor: expect.any(String) });
      const second = await get(org, `/groups?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
      const third = await get(org, `/groups?limit=2&cursor=${encodeURIComponent(second.nextCursor)}`);
      expect(third.nextCursor).toBeNull();
      expect([...names(first), ...names(second), ...names(third)]).toEqual(['Design', 'Engineering', 'sales EMEA', 'Sales US', 'support_team']);
      expect(names(await get(org, '/groups?limit=2&page=3'))).toEqual(['support_team']);
      for (const q of ['limit=201', 'sort=members', `sort=createdAt&cursor=${encodeURIComponent(first.nextCursor)}`, 'cursor=x', `page=1&cursor=${encodeURIComponent(first.nextCursor)}`]) {
        expectError(await t.admin('GET', `/orgs/${org.slug}/groups?${q}`), 400);
      }
    });

    it("a group's members, by cursor, in the order they joined, with their role", async () => {
      const g = groups.get('Sales US')!;
      const first = await get(org, `/groups/${g.id}/members?limit=4`);
      expect(first.total).toBe(6);
      // All six joined in the group's creating request: same time, so ordered by member id.
      expect(first.items.map((m: { id: string }) => m.id)).toEqual(users.map((u) => u.id).sort().slice(0, 4));
      expect([...first.items, ...(await get(org, `/groups/${g.id}/members`)).items].find((m: { id: string }) => m.id === users[0]!.id)).toEqual({
        id: users[0]!.id,
        userName: 'g-user-0@example.com',
        displayName: 'User 0',
        email: 'g-user-0@example.com',
        active: true,
        role: null,
        roleSource: 'none',
        addedAt: expect.any(String),
      });
      const rest = await get(org, `/groups/${g.id}/members?limit=4&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(rest.nextCursor).toBeNull();
      const all = [...first.items, ...rest.items].map((m: { id: string }) => m.id);
      expect(new Set(all).size).toBe(6);
      expect([...all].sort()).toEqual(users.map((u) => u.id).sort());
      // A member added later comes last; a removed one is gone and the count follows.
      const late = await createUser(org, 'late@example.com');
      expect((await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: late.id }] }, { op: 'remove', path: `members[value eq "${users[0]!.id}"]` }))).status).toBe(204);
      const after = await get(org, `/groups/${g.id}/members?limit=200`);
      expect(after.total).toBe(6);
      expect(after.items.at(-1).id).toBe(late.id);
      expect(after.items.map((m: { id: string }) => m.id)).not.toContain(users[0]!.id);
      expect((await get(org, `/groups/${g.id}`)).memberCount).toBe(6);
      expect(await get(org, `/groups/${groups.get('Design')!.id}/members`)).toEqual({ items: [], total: 0, limit: 50, nextCursor: null });
    });

    it("answers 404 for an unknown id, a malformed id and another org's group", async () => {
      const other = await testOrg(t);
      const theirs = await createGroup(other, 'Theirs');
      for (const id of [randomUUID(), 'nope', theirs.id]) {
        expectError(await t.admin('GET', `/orgs/${org.slug}/groups/${id}`), 404);
        expectError(await t.admin('GET', `/orgs/${org.slug}/groups/${id}/members`), 404);
      }
      expect(names(await get(other, '/groups'))).toEqual(['Theirs']);
      expect(names(await get(org, '/groups'))).not.toContain('Theirs');
    });
  });

  it('pages a 100,000-member group reading one page of the membership index, never the group', async () => {
    const org = await testOrg(t);
    const { db } = await testDatabase(dialect);
    const size = 100_000;
    const g = await createGroup(org, 'Everyone');
    await sql`insert into scim_users (org_id, user_name, doc, active)
      select ${org.orgId}::uuid, 'm' || n || '@big.example', jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', 'm' || n || '@big.example', 'active', true), true
      from generate_series(1, ${size}) n`.execute(db);
    // Half the members joined in one statement (same created_at: ties broken by member id), half one by one.
    await sql`insert into scim_group_members (org_id, group_id, user_id, created_at)
      select u.org_id, ${g.id}::uuid, u.id, case when u.seq % 2 = 0 then timestamptz '2026-01-01' else timestamptz '2026-01-01' + (u.seq * interval '1 microsecond') end
      from scim_users u where u.org_id = ${org.orgId}::uuid`.execute(db);
    await sql`analyze scim_group_members`.execute(db);
    await sql`analyze scim_users`.execute(db);

    const first = await get(org, `/groups/${g.id}/members?limit=200`);
    expect(first.total).toBe(size);
    expect(first.items).toHaveLength(200);
    const second = await get(org, `/groups/${g.id}/members?limit=200&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.items).toHaveLength(200);
    const seen = new Set([...first.items, ...second.items].map((m: { id: string }) => m.id));
    expect(seen.size).toBe(400);
    expect((await get(org, '/groups')).items[0]).toMatchObject({ displayName: 'Everyone', memberCount: size });

    // A page from the middle of the group: the plan reads at most a page (+1) of membership rows and sorts nothing.
    const middle = await sql<{ k: string; user_id: string }>`select cast(created_at as text) as k, user_id from scim_group_members
      where group_id = ${g.id}::uuid order by created_at, user_id offset ${size / 2} limit 1`.execute(db);
    const cursor = encodeCursor({ s: 'joined', o: 'asc', k: middle.rows[0]!.k, t: middle.rows[0]!.user_id });
    const plan = (await groupMembersPageQuery(db, org.orgId, g.id, { limit: 200, cursor }).explain('json', sql`analyze`))[0] as Record<string, any>;
    const nodes: Record<string, any>[] = [];
    const walk = (n: Record<string, any>) => {
      nodes.push(n);
      for (const child of n.Plans ?? []) walk(child);
    };
    walk((plan['QUERY PLAN'] ?? plan)[0].Plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    const membership = nodes.filter((n) => n['Relation Name'] === 'scim_group_members');
    expect(membership).toHaveLength(1);
    expect(membership[0]!['Node Type']).toMatch(/Index/);
    expect(membership[0]!['Actual Rows']).toBeLessThanOrEqual(201);
    const page = await get(org, `/groups/${g.id}/members?limit=200&cursor=${encodeURIComponent(cursor)}`);
    expect(page.items).toHaveLength(200);
    expect(page.items.map((m: { id: string }) => m.id)).not.toContain(middle.rows[0]!.user_id);
  }, 120_000);
});
