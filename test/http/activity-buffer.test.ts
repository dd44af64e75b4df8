/**
 * The rows of reads and refusals are written in batches (ActivityBuffer in
 * src/activity/scim-activity.ts): none is lost, whether the batch fills, the
 * timer fires or the server closes; the admin API sees them at once; and the
 * log orders a read before a write that followed it (migration 0007).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createUser, filterQuery, sleep } from '../support/scim.js';

describe.each(dialects())('Batched activity rows on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  /** The org's SCIM rows straight from the table (no admin request, so no flush), oldest first. */
  const stored = async (org: TestOrg) => {
    const { db } = await testDatabase(dialect);
    return db.selectFrom('activity').select(['operation', 'status', 'path', 'method']).where('org_id', '=', org.orgId).where('source', '=', 'scim').orderBy('at').orderBy('id').execute();
  };

  it('writes every read of a burst larger than a batch, and each within the timer without any admin request', async () => {
    const org = await testOrg(t);
    // 1,100 reads: two full batches of 500 and a remainder the timer writes.
    const reads = Array.from({ length: 1100 }, (_, i) => `/Users?${filterQuery(`userName eq "r${i}@x.test"`)}`);
    for (let i = 0; i < reads.length; i += 50) await Promise.all(reads.slice(i, i + 50).map((p) => org.scim('GET', p)));
    let rows = await stored(org);
    for (let waited = 0; rows.length < reads.length && waited < 2000; waited += 25) {
      await sleep(25);
      rows = await stored(org);
    }
    expect(rows.length).toBe(reads.length);
    expect(new Set(rows.map((r) => r.path))).toEqual(new Set(reads));
    expect(rows.every((r) => r.operation === 'lookup' && r.status === 200 && r.method === 'GET')).toBe(true);
  });

  it('orders a read before the write that followed it, and a refusal after the write before it', async () => {
    const org = await testOrg(t);
    const u = await createUser(org, 'order@x.test');
    await org.scim('GET', `/Users/${u.id}`);
    await org.scim('DELETE', `/Users/${u.id}`);
    await org.scim('GET', `/Users/${u.id}`);
    const items = (await t.admin('GET', `/orgs/${org.slug}/activity?source=scim&limit=10`)).body.items.reverse();
    expect(items.map((r: { operation: string; status: number }) => [r.operation, r.status])).toEqual([
      ['create', 201],
      ['lookup', 200],
      ['delete', 204],
      ['lookup', 404],
    ]);
  });

  it('writes what it queued when the server closes', async () => {
    const own = await testApp(dialect);
    const org = await testOrg(own);
    await org.scim('GET', '/Users?count=1');
    await org.scim('GET', '/Groups?count=1');
    await own.app.close();
    expect((await stored(org)).map((r) => r.path)).toEqual(['/Users?count=1', '/Groups?count=1']);
  });
});
