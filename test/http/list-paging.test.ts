/**
 * Paging at depth and `totalResults` (RFC 7644 §3.4.2.4) as src/provisioning/
 * list-page.ts computes them: from the page itself when it is not full, from
 * the trigger-kept counts (migration 0006) when the list is unfiltered, by
 * `count(*)` otherwise; and deep pages (offset ≥ DEFERRED_JOIN_OFFSET) through
 * the key-first plan. Every answer is compared with one computed from a walk of
 * the whole list, so a wrong total or a page off by one fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BULK_REQUEST, createGroup, filterQuery, GROUP, userBody, USER } from '../support/scim.js';
import { DEFERRED_JOIN_OFFSET } from '../../src/provisioning/list-page.js';

const USERS = 640;

/** Creates `n` users named `<prefix>NNNN` one after another, so creation order (`seq`) is name order. */
async function createMany(org: TestOrg, prefix: string, n: number): Promise<{ id: string; userName: string }[]> {
  const out: { id: string; userName: string }[] = [];
  for (let i = 0; i < n; i++) {
    const userName = `${prefix}${String(i).padStart(4, '0')}`;
    // Every third user is inactive, for a filter that matches a known share.
    const r = await org.scim('POST', '/Users', userBody(userName, { active: i % 3 !== 0 }));
    if (r.status !== 201) throw new Error(`${userName}: ${r.status} ${JSON.stringify(r.body)}`);
    out.push({ id: r.body.id as string, userName });
  }
  return out;
}

describe.each(dialects())('Deep paging and totalResults on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let users: { id: string; userName: string }[];
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
    other = await testOrg(t);
    users = await createMany(org, 'p-', USERS);
    await createMany(other, 'p-', 30);
  }, 120_000);
  afterAll(() => t.app.close());

  const list = async (query: string) => {
    const r = await org.scim('GET', `/Users?${query}`);
    expect(r.status).toBe(200);
    return r.body as { totalResults: number; startIndex: number; itemsPerPage: number; Resources: { id: string; userName: string }[] };
  };
  const names = (body: { Resources: { userName: string }[] }) => body.Resources.map((r) => r.userName);

  it('pages past the deferred-join offset exactly as a walk from the start does', async () => {
    expect(USERS).toBeGreaterThan(DEFERRED_JOIN_OFFSET + 100);
    const walked: string[] = [];
    for (let start = 1; start <= USERS; start += 100) {
      const page = await list(`startIndex=${start}&count=100`);
      expect(page.totalResults).toBe(USERS);
      walked.push(...names(page));
    }
    expect(walked).toEqual(users.map((u) => u.userName));
    for (const start of [DEFERRED_JOIN_OFFSET, DEFERRED_JOIN_OFFSET + 1, DEFERRED_JOIN_OFFSET + 2, 587, USERS - 99, USERS]) {
      const page = await list(`startIndex=${start}&count=50`);
      expect({ start, names: names(page), total: page.totalResults, startIndex: page.startIndex }).toEqual({
        start,
        names: walked.slice(start - 1, start - 1 + 50),
        total: USERS,
        startIndex: start,
      });
    }
  });

  it('answers an empty page with the exact total past the end, unfiltered and filtered', async () => {
    expect(await list(`startIndex=${USERS + 1}&count=10`)).toMatchObject({ totalResults: USERS, itemsPerPage: 0, Resources: [] });
    const active = users.filter((_, i) => i % 3 !== 0).length;
    expect(await list(`${filterQuery('active eq true')}&startIndex=${active + 5}&count=10`)).toMatchObject({ totalResults: active, itemsPerPage: 0 });
    expect(await list(`${filterQuery('userName eq "nobody"')}`)).toMatchObject({ totalResults: 0, itemsPerPage: 0 });
  });

  it('reads any size of startIndex and count, in GET and in .search, as the RFC\'s empty page or the largest page', async () => {
    // Found by a reviewer: startIndex 1e19 in .search overflowed a SQL bigint (400), and GET refused 2^53 as "not an integer".
    for (const huge of ['9007199254740991', '9223372036854775807', '100000000000000000000', '1' + '0'.repeat(400)]) {
      const page = await list(`startIndex=${huge}&count=${huge}`);
      expect({ huge, total: page.totalResults, items: page.itemsPerPage }).toEqual({ huge, total: USERS, items: 0 });
      const first = await list(`count=${huge}`);
      expect(first.itemsPerPage).toBe(USERS);
    }
    for (const startIndex of [1e19, 1e20, 9223372036854775807, Number.MAX_SAFE_INTEGER]) {
      const r = await org.scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex, count: 1 });
      expect({ startIndex, status: r.status, items: r.body.itemsPerPage, total: r.body.totalResults }).toEqual({ startIndex, status: 200, items: 0, total: USERS });
      const g = await org.scim('POST', '/Groups/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex, count: 1 });
      expect(g.status).toBe(200);
    }
    const big = await org.scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 1e19 });
    expect(big.body.itemsPerPage).toBe(USERS);
    // Found by a reviewer: a SearchRequest's [5] was read as 5, while [1,2] and true were refused.
    for (const bad of [[5], ['3'], { a: 1 }, true, [1, 2]]) {
      const r = await org.scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: bad, startIndex: 1 });
      expect({ bad, status: r.status, scimType: r.body.scimType }).toEqual({ bad, status: 400, scimType: 'invalidValue' });
      const s = await org.scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex: bad });
      expect({ bad, status: s.status }).toEqual({ bad, status: 400 });
    }
    for (const bad of ['0x10', '1e3', '1.5', '-', '+', ' ']) expect((await org.scim('GET', `/Users?count=${encodeURIComponent(bad)}`)).status, bad).toBe(400);
  });

  it('counts a filtered list whose page is full, and sorts deep pages of it', async () => {
    const inactive = users.filter((_, i) => i % 3 === 0).map((u) => u.userName);
    const full = await list(`${filterQuery('active eq false')}&count=100`);
    expect(full.totalResults).toBe(inactive.length);
    expect(names(full)).toEqual(inactive.slice(0, 100));
    const active = users.filter((_, i) => i % 3 !== 0).map((u) => u.userName);
    const deepDesc = await list(`${filterQuery('active eq true')}&sortBy=userName&sortOrder=descending&startIndex=${DEFERRED_JOIN_OFFSET - 100}&count=30`);
    expect(deepDesc.totalResults).toBe(active.length);
    const reversed = [...active].reverse();
    expect(names(deepDesc)).toEqual(reversed.slice(DEFERRED_JOIN_OFFSET - 101, DEFERRED_JOIN_OFFSET - 71));
    const deepSorted = await list(`sortBy=userName&sortOrder=descending&startIndex=${DEFERRED_JOIN_OFFSET + 10}&count=25`);
    expect(names(deepSorted)).toEqual([...users.map((u) => u.userName)].reverse().slice(DEFERRED_JOIN_OFFSET + 9, DEFERRED_JOIN_OFFSET + 34));
  });

  it('keeps the unfiltered total exact through deletes, concurrent creates and Bulk, per org', async () => {
    const gone = users.slice(0, 15);
    for (const u of gone) expect((await org.scim('DELETE', `/Users/${u.id}`)).status).toBe(204);
    const added = await Promise.all(Array.from({ length: 12 }, (_, i) => org.scim('POST', '/Users', userBody(`conc-${i}@p.test`))));
    expect(added.map((r) => r.status)).toEqual(Array(12).fill(201));
    // A duplicate refused with 409 must not count.
    expect((await org.scim('POST', '/Users', userBody('CONC-0@p.test'))).status).toBe(409);
    const bulk = await org.scim('POST', '/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'bulk-a@p.test' } },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER], userName: 'bulk-b@p.test' } },
        { method: 'DELETE', path: `/Users/${users[20]!.id}` },
      ],
    });
    expect(bulk.status).toBe(200);
    const expected = USERS - 15 + 12 + 2 - 1;
    expect((await list('count=0')).totalResults).toBe(expected);
    expect((await list('count=100')).totalResults).toBe(expected);
    expect((await list(`startIndex=${expected - 9}&count=100`)).itemsPerPage).toBe(10);
    expect((await other.scim('GET', '/Users?count=0')).body.totalResults).toBe(30);
    // The counts table agrees with the rows themselves.
    const { db } = await testDatabase(dialect);
    const counted = await db.selectFrom('scim_users').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(expected);
    users = users.filter((u) => !gone.includes(u) && u !== users[20]);
  });

  it('counts groups the same way', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await createGroup(org, `pg-${i}`)).id);
    expect((await org.scim('DELETE', `/Groups/${ids[3]}`)).status).toBe(204);
    const r = await org.scim('GET', '/Groups?count=2&excludedAttributes=members');
    expect(r.body).toMatchObject({ totalResults: 6, itemsPerPage: 2 });
    expect(r.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['pg-0', 'pg-1']);
    expect((await org.scim('GET', `/Groups?count=0`)).body.totalResults).toBe(6);
    expect((await other.scim('GET', `/Groups?count=0`)).body.totalResults).toBe(0);
    expect((await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'pg-7' })).status).toBe(201);
    expect((await org.scim('GET', `/Groups?startIndex=7&count=5`)).body).toMatchObject({ totalResults: 7, itemsPerPage: 1 });
  });
});
