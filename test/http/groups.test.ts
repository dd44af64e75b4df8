/**
 * Groups and memberships (RFC 7643 §4.2, RFC 7644 §3.3–§3.6, §3.5.2 PATCH on
 * `members`) and the product rules: members are users of the same org (an
 * unknown id is a 400 naming it), deleting a group keeps its users, deleting a
 * user removes its memberships, a user's `groups` is derived and read-only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialects, testDatabase } from '../support/db.js';
import { MEMBER_CHUNK } from '../../src/provisioning/groups.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BASE, createGroup, createUser, expectScimError, filterQuery, GROUP, patchOp, SCIM_JSON } from '../support/scim.js';

type Resource = Record<string, any>;

describe.each(dialects())('Groups on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let n = 0;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  /** `count` fresh users of `org`. */
  async function users(count: number, o: TestOrg = org): Promise<Resource[]> {
    const out: Resource[] = [];
    for (let i = 0; i < count; i++) out.push(await createUser(o, `g-user-${++n}@example.com`, { displayName: `Member ${n}` }));
    return out;
  }
  const memberIds = (g: Resource) => (g.members ?? []).map((m: { value: string }) => m.value).sort();
  const ids = (list: Resource[]) => list.map((u) => u.id).sort();
  const getGroup = async (id: string) => {
    const r = await org.scim('GET', `/Groups/${id}`);
    expect(r.status).toBe(200);
    return r.body as Resource;
  };
  const groupNamed = async (displayName: string) => (await org.scim('GET', `/Groups?${filterQuery(`displayName eq "${displayName}"`)}`)).body.totalResults as number;
  /** A PATCH answers 200 with the resource or 204 without a body (RFC 7644 §3.5.2); either way it succeeded. */
  const patchGroup = async (id: string, ...ops: Parameters<typeof patchOp>) => {
    const r = await org.scim('PATCH', `/Groups/${id}`, patchOp(...ops));
    if (r.status !== 200 && r.status !== 204) expect.fail(`PATCH /Groups/${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };

  describe('create and read', () => {
    it('creates a group with members and answers them with value, $ref, display and type', async () => {
      const [a, b] = await users(2);
      const r = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'ext-eng', members: [{ value: a.id }, { value: b.id, type: 'User' }] });
      expect(r.status).toBe(201);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.headers.location).toBe(`${BASE}/Groups/${r.body.id}`);
      expect(r.body).toMatchObject({
        schemas: [GROUP],
        displayName: 'Engineering',
        externalId: 'ext-eng',
        meta: { resourceType: 'Group', location: `${BASE}/Groups/${r.body.id}`, version: expect.any(String) },
      });
      expect(r.body.members).toHaveLength(2);
      expect(r.body.members).toEqual(
        expect.arrayContaining([
          { value: a.id, $ref: `${BASE}/Users/${a.id}`, display: a.displayName, type: 'User' },
          { value: b.id, $ref: `${BASE}/Users/${b.id}`, display: b.displayName, type: 'User' },
        ]),
      );
      const got = await getGroup(r.body.id);
      expect(memberIds(got)).toEqual(ids([a, b]));
      expect(got.displayName).toBe('Engineering');
    });

    it('creates a group without members', async () => {
      const g = await createGroup(org, 'Empty');
      expect(g.members ?? []).toEqual([]);
    });

    it('answers 400 invalidValue for a missing displayName', async () => {
      expectScimError(await org.scim('POST', '/Groups', { schemas: [GROUP] }), 400, 'invalidValue', 'displayName');
      expectScimError(await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: '  ' }), 400, 'invalidValue', 'displayName');
    });

    it('answers 400 naming an unknown member id, and creates nothing', async () => {
      const [a] = await users(1);
      const ghost = randomUUID();
      const r = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'With ghost', members: [{ value: a.id }, { value: ghost }] });
      expectScimError(r, 400, 'invalidValue', ghost);
      expect(await groupNamed('With ghost')).toBe(0);
      const notUuid = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'With junk', members: [{ value: 'not-a-user' }] });
      expectScimError(notUuid, 400, 'invalidValue', 'not-a-user');
      expect(await groupNamed('With junk')).toBe(0);
    });

    it('answers 400 for another org\'s user as a member, naming it', async () => {
      const other = await testOrg(t);
      const [stranger] = await users(1, other);
      const r = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Cross org', members: [{ value: stranger.id }] });
      expectScimError(r, 400, 'invalidValue', stranger.id);
      expect(await groupNamed('Cross org')).toBe(0);
      const g = await createGroup(org, 'Cross org later');
      const p = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: stranger.id }] }));
      expectScimError(p, 400, 'invalidValue', stranger.id);
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
    });

    it('answers 400 naming a group id given as a member (members are users; nested groups are not supported)', async () => {
      const inner = await createGroup(org, 'Inner');
      const r = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Outer', members: [{ value: inner.id, type: 'Group' }] });
      expectScimError(r, 400, 'invalidValue', inner.id);
      expect(await groupNamed('Outer')).toBe(0);
    });

    it('stores a member listed twice once', async () => {
      const [a] = await users(1);
      const g = await createGroup(org, 'Twice', [a.id, a.id]);
      expect(g.members).toHaveLength(1);
    });

    it('answers 404 for an unknown group id and for another org\'s group', async () => {
      expectScimError(await org.scim('GET', `/Groups/${randomUUID()}`), 404);
      const other = await testOrg(t);
      const theirs = await createGroup(other, 'Theirs');
      expectScimError(await org.scim('GET', `/Groups/${theirs.id}`), 404);
      expectScimError(await org.scim('PATCH', `/Groups/${theirs.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Stolen' })), 404);
      expectScimError(await org.scim('PUT', `/Groups/${theirs.id}`, { schemas: [GROUP], displayName: 'Stolen' }), 404);
      expectScimError(await org.scim('DELETE', `/Groups/${theirs.id}`), 404);
      expect((await other.scim('GET', `/Groups/${theirs.id}`)).body.displayName).toBe('Theirs');
    });
  });

  describe('PATCH members', () => {
    it('adds by value list and removes by value list', async () => {
      const [a, b, c] = await users(3);
      const g = await createGroup(org, 'Patch list', [a.id]);
      await patchGroup(g.id, { op: 'add', path: 'members', value: [{ value: b.id }, { value: c.id }] });
      expect(memberIds(await getGroup(g.id))).toEqual(ids([a, b, c]));
      await patchGroup(g.id, { op: 'remove', path: 'members', value: [{ value: a.id }, { value: c.id }] });
      expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
    });

    it('removes by members[value eq "…"]', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Patch filter', [a.id, b.id]);
      await patchGroup(g.id, { op: 'remove', path: `members[value eq "${a.id}"]` });
      expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
    });

    it('removes all members with remove on "members" without a value', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Patch remove all', [a.id, b.id]);
      await patchGroup(g.id, { op: 'remove', path: 'members' });
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
      expect((await org.scim('GET', `/Users/${a.id}`)).status).toBe(200);
    });

    it('replaces the member list', async () => {
      const [a, b, c] = await users(3);
      const g = await createGroup(org, 'Patch replace', [a.id, b.id]);
      await patchGroup(g.id, { op: 'replace', path: 'members', value: [{ value: c.id }, { value: b.id }] });
      expect(memberIds(await getGroup(g.id))).toEqual(ids([b, c]));
    });

    it('applies several operations in order in one request', async () => {
      const [a, b, c] = await users(3);
      const g = await createGroup(org, 'Patch sequence', [a.id]);
      await patchGroup(
        g.id,
        { op: 'add', path: 'members', value: [{ value: b.id }, { value: c.id }] },
        { op: 'remove', path: `members[value eq "${a.id}"]` },
        { op: 'replace', path: 'displayName', value: 'Patch sequence renamed' },
      );
      const got = await getGroup(g.id);
      expect(memberIds(got)).toEqual(ids([b, c]));
      expect(got.displayName).toBe('Patch sequence renamed');
    });

    it('is idempotent: re-adding a member and re-removing a non-member succeed without change', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Idempotent', [a.id]);
      await patchGroup(g.id, { op: 'add', path: 'members', value: [{ value: a.id }] });
      await patchGroup(g.id, { op: 'add', path: 'members', value: [{ value: a.id }, { value: a.id }] });
      const once = await getGroup(g.id);
      expect(once.members).toHaveLength(1);
      expect(memberIds(once)).toEqual([a.id]);
      await patchGroup(g.id, { op: 'remove', path: 'members', value: [{ value: b.id }] });
      await patchGroup(g.id, { op: 'remove', path: `members[value eq "${b.id}"]` });
      expect(memberIds(await getGroup(g.id))).toEqual([a.id]);
    });

    it('refuses an unknown id in an add with 400 naming it and applies none of the request', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Atomic add', [a.id]);
      const before = await getGroup(g.id);
      const ghost = randomUUID();
      const r = await org.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patchOp({ op: 'replace', path: 'displayName', value: 'Atomic add renamed' }, { op: 'add', path: 'members', value: [{ value: b.id }, { value: ghost }] }),
      );
      expectScimError(r, 400, 'invalidValue', ghost);
      const after = await getGroup(g.id);
      expect(memberIds(after)).toEqual([a.id]);
      expect(after.displayName).toBe('Atomic add');
      expect(after.meta.version).toBe(before.meta.version);
    });

    it('answers the group with 200 when the PATCH asks for attributes', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Patch with answer', [a.id]);
      const r = await org.scim('PATCH', `/Groups/${g.id}?attributes=members,displayName`, patchOp({ op: 'add', path: 'members', value: [{ value: b.id }] }));
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(g.id);
      expect(r.body.displayName).toBe('Patch with answer');
      expect(memberIds(r.body)).toEqual(ids([a, b]));
      expect(r.headers.etag).toBe(r.body.meta?.version ?? r.headers.etag);
    });

    it('answers 404 for PATCH on an unknown group', async () => {
      expectScimError(await org.scim('PATCH', `/Groups/${randomUUID()}`, patchOp({ op: 'remove', path: 'members' })), 404);
    });
  });

  describe('projection and filters', () => {
    it('excludedAttributes=members leaves members out of GET and list answers', async () => {
      const [a] = await users(1);
      const g = await createGroup(org, 'Projected', [a.id]);
      const one = await org.scim('GET', `/Groups/${g.id}?excludedAttributes=members`);
      expect(one.status).toBe(200);
      expect(one.body.members).toBeUndefined();
      expect(one.body).toMatchObject({ id: g.id, displayName: 'Projected' });
      const listed = await org.scim('GET', `/Groups?excludedAttributes=members&${filterQuery('displayName eq "Projected"')}`);
      expect(listed.body.totalResults).toBe(1);
      expect(listed.body.Resources[0].members).toBeUndefined();
      expect(listed.body.Resources[0].displayName).toBe('Projected');
      const only = await org.scim('GET', `/Groups/${g.id}?attributes=displayName`);
      expect(only.body.members).toBeUndefined();
      expect(only.body.id).toBe(g.id);
    });

    it('filters groups by member: members eq "<userId>" and members.value eq', async () => {
      const o = await testOrg(t);
      const [a, b] = await users(2, o);
      const g1 = await createGroup(o, 'Has A', [a.id]);
      const g2 = await createGroup(o, 'Has A and B', [a.id, b.id]);
      await createGroup(o, 'Has B', [b.id]);
      await createGroup(o, 'Has none');
      const byA = await o.scim('GET', `/Groups?${filterQuery(`members eq "${a.id}"`)}&sortBy=displayName`);
      expect(byA.status).toBe(200);
      expect(byA.body.Resources.map((g: Resource) => g.id)).toEqual([g1.id, g2.id]);
      const byValue = await o.scim('GET', `/Groups?${filterQuery(`members.value eq "${a.id}"`)}`);
      expect(byValue.body.totalResults).toBe(2);
      const both = await o.scim('GET', `/Groups?${filterQuery(`members[value eq "${a.id}"] and members[value eq "${b.id}"]`)}`);
      expect(both.body.Resources.map((g: Resource) => g.id)).toEqual([g2.id]);
      const empty = await o.scim('GET', `/Groups?${filterQuery('not (members pr)')}`);
      expect(empty.body.Resources.map((g: Resource) => g.displayName)).toEqual(['Has none']);
      const nobody = await o.scim('GET', `/Groups?${filterQuery(`members eq "${randomUUID()}"`)}`);
      expect(nobody.body.totalResults).toBe(0);
    });
  });

  describe('rename, replace and delete', () => {
    it('renames with PATCH replace displayName, also path-less', async () => {
      const g = await createGroup(org, 'Old name');
      await patchGroup(g.id, { op: 'replace', path: 'displayName', value: 'New name' });
      expect((await getGroup(g.id)).displayName).toBe('New name');
      expect(await groupNamed('Old name')).toBe(0);
      expect(await groupNamed('New name')).toBe(1);
      await patchGroup(g.id, { op: 'replace', value: { displayName: 'Newer name' } });
      expect((await getGroup(g.id)).displayName).toBe('Newer name');
    });

    it('refuses to remove or blank the required displayName with 400 invalidValue', async () => {
      const g = await createGroup(org, 'Keeps its name');
      expectScimError(await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', path: 'displayName', value: '' })), 400, 'invalidValue', 'displayName');
      expectScimError(await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'displayName' })), 400, 'invalidValue', 'displayName');
      expectScimError(await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: ' ' }), 400, 'invalidValue', 'displayName');
      expect((await getGroup(g.id)).displayName).toBe('Keeps its name');
    });

    it('PUT replaces the name and the whole member list', async () => {
      const [a, b, c] = await users(3);
      const g = await createGroup(org, 'Put me', [a.id, b.id]);
      const r = await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put done', members: [{ value: c.id }] });
      expect(r.status).toBe(200);
      expect(r.body.displayName).toBe('Put done');
      expect(memberIds(r.body)).toEqual([c.id]);
      expect(memberIds(await getGroup(g.id))).toEqual([c.id]);
      const empty = await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put done', members: [] });
      expect(empty.status).toBe(200);
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
    });

    it('PUT with an unknown member answers 400 naming it and changes nothing', async () => {
      const [a] = await users(1);
      const g = await createGroup(org, 'Put atomic', [a.id]);
      const ghost = randomUUID();
      expectScimError(await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put atomic 2', members: [{ value: ghost }] }), 400, 'invalidValue', ghost);
      const got = await getGroup(g.id);
      expect(got.displayName).toBe('Put atomic');
      expect(memberIds(got)).toEqual([a.id]);
    });

    it('DELETE removes the group and keeps its users', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Doomed', [a.id, b.id]);
      const del = await org.scim('DELETE', `/Groups/${g.id}`);
      expect(del.status).toBe(204);
      expect(del.body).toBeUndefined();
      expectScimError(await org.scim('GET', `/Groups/${g.id}`), 404);
      expectScimError(await org.scim('DELETE', `/Groups/${g.id}`), 404);
      for (const u of [a, b]) {
        const got = await org.scim('GET', `/Users/${u.id}`);
        expect(got.status).toBe(200);
        expect(got.body.active).toBe(true);
        expect(got.body.groups ?? []).toEqual([]);
      }
    });

    it('DELETE of a user removes its memberships and leaves the group', async () => {
      const [a, b] = await users(2);
      const g = await createGroup(org, 'Loses a member', [a.id, b.id]);
      expect((await org.scim('DELETE', `/Users/${a.id}`)).status).toBe(204);
      const got = await getGroup(g.id);
      expect(memberIds(got)).toEqual([b.id]);
      const filtered = await org.scim('GET', `/Groups?${filterQuery(`members eq "${a.id}"`)}`);
      expect(filtered.body.totalResults).toBe(0);
    });

    it('deactivating a user keeps it and its memberships', async () => {
      const [a] = await users(1);
      const g = await createGroup(org, 'Keeps inactive', [a.id]);
      const p = await org.scim('PATCH', `/Users/${a.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
      expect(p.status).toBe(200);
      expect(p.body.active).toBe(false);
      expect(memberIds(await getGroup(g.id))).toEqual([a.id]);
      const u = await org.scim('GET', `/Users/${a.id}`);
      expect(u.body.groups.map((x: { value: string }) => x.value)).toEqual([g.id]);
      const back = await org.scim('PATCH', `/Users/${a.id}`, patchOp({ op: 'replace', path: 'active', value: true }));
      expect(back.body.active).toBe(true);
      expect(memberIds(await getGroup(g.id))).toEqual([a.id]);
    });
  });

  describe('a group bigger than one chunk of members', () => {
    it('streams every member once, in membership order, with the ETag and 304 of a small group', async () => {
      const o = await testOrg(t);
      const { db } = await testDatabase(dialect);
      const size = MEMBER_CHUNK * 2 + 600;
      const g = await createGroup(o, 'Streamed');
      await sql`insert into scim_users (org_id, user_name, display_name, doc, active)
        select ${o.orgId}::uuid, 's' || n || '@stream.example', case when n % 3 = 0 then null else 'S ' || n end,
          jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', 's' || n || '@stream.example', 'active', true), true
        from generate_series(1, ${size}) n`.execute(db);
      // Runs of members share a created_at (one statement) and others differ by a microsecond, across chunk borders.
      await sql`insert into scim_group_members (org_id, group_id, user_id, created_at)
        select u.org_id, ${g.id}::uuid, u.id, timestamptz '2026-01-01' + ((u.seq / 7) * interval '1 microsecond')
        from scim_users u where u.org_id = ${o.orgId}::uuid`.execute(db);
      const expected = await sql<{ id: string; name: string }>`select u.id, coalesce(u.display_name, u.user_name) as name
        from scim_group_members m join scim_users u on u.id = m.user_id where m.group_id = ${g.id}::uuid order by m.created_at, m.user_id`.execute(db);

      const res = await t.app.inject({ method: 'GET', url: `/scim/v2/Groups/${g.id}`, headers: { authorization: `Bearer ${o.token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(SCIM_JSON);
      expect(res.headers['content-length']).toBeUndefined();
      const body = JSON.parse(res.body);
      expect(res.headers.etag).toBe(body.meta.version);
      expect(body).toMatchObject({ id: g.id, displayName: 'Streamed', schemas: [GROUP], meta: { resourceType: 'Group', location: `${BASE}/Groups/${g.id}` } });
      expect(body.members).toHaveLength(size);
      expect(body.members.map((m: { value: string; display: string }) => [m.value, m.display])).toEqual(expected.rows.map((r) => [r.id, r.name]));
      expect(body.members[0]).toEqual({ value: expected.rows[0]!.id, $ref: `${BASE}/Users/${expected.rows[0]!.id}`, display: expected.rows[0]!.name, type: 'User' });

      const again = await o.scim('GET', `/Groups/${g.id}`, undefined, { 'if-none-match': res.headers.etag as string });
      expect(again.status).toBe(304);
      const lean = await o.scim('GET', `/Groups/${g.id}?excludedAttributes=members`);
      expect(lean.body.members).toBeUndefined();
      expect(lean.body.displayName).toBe('Streamed');
    });
  });

  describe('concurrency', () => {
    it('loses no member when many PATCH adds to one group run at once', async () => {
      const members = await users(12);
      const g = await createGroup(org, 'Concurrent adds');
      const results = await Promise.all(members.map((u) => org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] }))));
      expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 204)).toEqual([]);
      expect(memberIds(await getGroup(g.id))).toEqual(ids(members));
    });

    it('ends with the membership of a serial order when overlapping adds and removes of one group run at once', async () => {
      // Overlapping member sets make PostgreSQL's lock order matter (member users
      // are locked by their version bump), so deadlocks must retry, not fail.
      const pool = await users(30);
      const g = await createGroup(org, 'Overlapping batches', ids(pool.slice(0, 10)));
      const startVersion = (await org.scim('GET', `/Groups/${g.id}`)).headers.etag as string;
      const batches = [pool.slice(5, 20), pool.slice(10, 25), pool.slice(15, 30), pool.slice(0, 12)];
      const results = await Promise.all([
        ...batches.map((b) => org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: b.map((u) => ({ value: u.id })) }))),
        org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: `members[value eq "${pool[29]!.id}"]` })),
      ]);
      expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
      const final = new Set(memberIds(await getGroup(g.id)));
      // Every add covers 0–29 between them; pool[29] is in or out depending on the order the remove ran.
      for (const u of pool.slice(0, 29)) expect(final.has(u.id)).toBe(true);
      expect(final.size === 29 || final.size === 30).toBe(true);
      // Each PATCH that changed members moved the version exactly once and left one activity row.
      const after = (await org.scim('GET', `/Groups/${g.id}`)).headers.etag as string;
      const n = (etag: string) => Number(/"(\d+)"/.exec(etag)![1]);
      const changes = (await t.admin('GET', `/orgs/${org.slug}/activity?target=${g.id}&limit=50`)).body.items.filter((r: { operation: string }) => r.operation.startsWith('membership'));
      expect(changes.length).toBeGreaterThanOrEqual(2);
      expect(n(after) - n(startVersion)).toBe(changes.length);
      const added = changes.flatMap((r: { diff: { membersAdded?: string[] } }) => r.diff.membersAdded ?? []);
      // Users 10–29 each became a member exactly once, whatever the order (29 only in the third batch).
      expect(added.sort()).toEqual(ids(pool.slice(10, 30)));
      // A member added by one of them has a moved version (its groups attribute changed).
      const u = await org.scim('GET', `/Users/${pool[25]!.id}`);
      expect(u.body.groups.map((x: { value: string }) => x.value)).toEqual([g.id]);
      expect(u.headers.etag).not.toBe(pool[25]!.meta.version);
    });

    it('ends with exactly one request\'s member list when replaces of one group race (no union, no 500)', async () => {
      // Found by a reviewer on PostgreSQL: two replaces that ran side by side left the union of both lists.
      const pool = await users(40);
      const lists = [pool.slice(0, 10), pool.slice(10, 20), pool.slice(5, 15), pool.slice(20, 40), pool.slice(0, 3)];
      for (let trial = 0; trial < 3; trial++) {
        const g = await createGroup(org, `Racing replaces ${trial}`, ids(pool.slice(30, 35)));
        const results = await Promise.all([
          ...lists.map((l) => org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', path: 'members', value: l.map((u) => ({ value: u.id })) }))),
          ...lists.slice(0, 2).map((l) => org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', value: { members: l.map((u) => ({ value: u.id })) } }))),
          org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'members' })),
        ]);
        expect(results.map((r) => r.status)).toEqual(Array(8).fill(204));
        const final = memberIds(await getGroup(g.id));
        const candidates = [...lists.map((l) => ids(l)), []];
        expect(candidates).toContainEqual(final);
      }
    });

    it('answers 404, not 500, for a membership PATCH of a group deleted meanwhile', async () => {
      for (let i = 0; i < 5; i++) {
        const [u] = await users(1);
        const g = await createGroup(org, `Vanishing ${i}`);
        const [del, add] = await Promise.all([
          org.scim('DELETE', `/Groups/${g.id}`),
          org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] })),
        ]);
        expect(del.status).toBe(204);
        expect({ round: i, status: add.status }).toMatchObject({ round: i, status: expect.toBeOneOf([204, 404]) });
        // Either way the user ends in no group.
        expect((await org.scim('GET', `/Users/${u.id}`)).body.groups).toBeUndefined();
      }
    });

    it('answers no 500 when a user is deleted while it is being added to a group', async () => {
      const g = await createGroup(org, 'Add versus delete');
      for (let i = 0; i < 10; i++) {
        const [u] = await users(1);
        const [del, add] = await Promise.all([
          org.scim('DELETE', `/Users/${u.id}`),
          org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] })),
        ]);
        expect(del.status).toBe(204);
        expect({ round: i, status: add.status, body: add.body }).toMatchObject({ round: i, status: expect.toBeOneOf([200, 204, 400]) });
        if (add.status === 400) expectScimError(add, 400, 'invalidValue', u.id);
      }
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
    });
  });

  describe('the user\'s groups attribute', () => {
    it('lists the user\'s groups with value, $ref, display and type', async () => {
      const [a] = await users(1);
      const g1 = await createGroup(org, 'Alpha team', [a.id]);
      const g2 = await createGroup(org, 'Beta team', [a.id]);
      const u = await org.scim('GET', `/Users/${a.id}`);
      expect(u.status).toBe(200);
      expect(u.body.groups).toHaveLength(2);
      expect(u.body.groups).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ value: g1.id, $ref: `${BASE}/Groups/${g1.id}`, display: 'Alpha team' }),
          expect.objectContaining({ value: g2.id, $ref: `${BASE}/Groups/${g2.id}`, display: 'Beta team' }),
        ]),
      );
      const listed = await org.scim('GET', `/Users?${filterQuery(`id eq "${a.id}"`)}`);
      expect(listed.body.Resources[0].groups).toHaveLength(2);
      const byGroup = await org.scim('GET', `/Users?${filterQuery(`groups eq "${g1.id}"`)}`);
      expect(byGroup.body.Resources.map((x: Resource) => x.id)).toEqual([a.id]);
      await patchGroup(g1.id, { op: 'replace', path: 'displayName', value: 'Alpha renamed' });
      const renamed = await org.scim('GET', `/Users/${a.id}`);
      expect(renamed.body.groups.find((x: { value: string }) => x.value === g1.id).display).toBe('Alpha renamed');
    });

    it('ignores groups in a POST or PUT body: memberships come from the groups only', async () => {
      const g = await createGroup(org, 'Not joinable from the user');
      const created = await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `self-join-${++n}@example.com`, groups: [{ value: g.id }] });
      expect(created.status).toBe(201);
      expect(created.body.groups ?? []).toEqual([]);
      const put = await org.scim('PUT', `/Users/${created.body.id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: created.body.userName, groups: [{ value: g.id }] });
      expect(put.status).toBe(200);
      expect(put.body.groups ?? []).toEqual([]);
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
    });

    it('refuses a PATCH that names groups with 400 mutability and changes nothing', async () => {
      const [a] = await users(1);
      const g = await createGroup(org, 'Not patchable from the user');
      const r = await org.scim('PATCH', `/Users/${a.id}`, patchOp({ op: 'add', path: 'groups', value: [{ value: g.id }] }));
      expectScimError(r, 400, 'mutability');
      expect((await getGroup(g.id)).members ?? []).toEqual([]);
      expect((await org.scim('GET', `/Users/${a.id}`)).body.groups ?? []).toEqual([]);
    });
  });
});
