/**
 * `POST /Bulk` (RFC 7644 §3.7): `bulkId` references between operations
 * (§3.7.2), forward references, `failOnErrors` (§3.7.3), `maxOperations` (§3.7.4,
 * 413) and malformed BulkRequests (400).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BASE, BULK_REQUEST, BULK_RESPONSE, createUser, ERROR, expectScimError, filterQuery, GROUP, PATCH_OP, SCIM_JSON, userBody } from '../support/scim.js';

type Op = Record<string, unknown>;
const bulk = (Operations: Op[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST], Operations, ...extra });

describe.each(dialects())('Bulk on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const userNamed = async (o: TestOrg, userName: string) => (await o.scim('GET', `/Users?${filterQuery(`userName eq "${userName}"`)}`)).body;
  const idOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

  it('creates users and a group whose members reference them by bulkId', async () => {
    const o = await testOrg(t);
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'alice', data: userBody('bulk-alice@example.com') },
        { method: 'POST', path: '/Users', bulkId: 'bob', data: userBody('bulk-bob@example.com') },
        { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP], displayName: 'Bulk team', members: [{ type: 'User', value: 'bulkId:alice' }, { type: 'User', value: 'bulkId:bob' }] } },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(SCIM_JSON);
    expect(r.body.schemas).toEqual([BULK_RESPONSE]);
    expect(r.body.Operations).toHaveLength(3);
    const [alice, bob, team] = r.body.Operations;
    expect(alice).toMatchObject({ method: 'POST', bulkId: 'alice', status: '201', location: expect.stringMatching(`^${BASE}/Users/`), version: expect.any(String) });
    expect(bob).toMatchObject({ method: 'POST', bulkId: 'bob', status: '201', location: expect.stringMatching(`^${BASE}/Users/`) });
    expect(team).toMatchObject({ method: 'POST', bulkId: 'team', status: '201', location: expect.stringMatching(`^${BASE}/Groups/`) });
    const aliceUser = await o.scim('GET', `/Users/${idOf(alice.location)}`);
    expect(aliceUser.body).toMatchObject({ userName: 'bulk-alice@example.com' });
    expect(aliceUser.body.groups.map((g: { value: string }) => g.value)).toEqual([idOf(team.location)]);
    const group = await o.scim('GET', `/Groups/${idOf(team.location)}`);
    expect(group.status).toBe(200);
    expect(group.body.members.map((m: { value: string }) => m.value).sort()).toEqual([idOf(alice.location), idOf(bob.location)].sort());
  });

  it('resolves a forward reference: the group operation comes before the user it names', async () => {
    const o = await testOrg(t);
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Groups', bulkId: 'early-group', data: { schemas: [GROUP], displayName: 'Forward', members: [{ value: 'bulkId:late-user' }] } },
        { method: 'POST', path: '/Users', bulkId: 'late-user', data: userBody('bulk-late@example.com') },
      ]),
    );
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.Operations.map((op: { bulkId: string }) => [op.bulkId, op]));
    expect(byId['early-group']).toMatchObject({ status: '201' });
    expect(byId['late-user']).toMatchObject({ status: '201' });
    const group = await o.scim('GET', `/Groups/${idOf(byId['early-group'].location)}`);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([idOf(byId['late-user'].location)]);
  });

  it('runs PUT, PATCH and DELETE on existing resources and on bulkId paths', async () => {
    const o = await testOrg(t);
    const existing = await createUser(o, 'bulk-existing@example.com');
    const doomed = await createUser(o, 'bulk-doomed@example.com');
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'n', data: userBody('bulk-new@example.com') },
        { method: 'PATCH', path: '/Users/bulkId:n', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Made in bulk' }] } },
        { method: 'PUT', path: `/Users/${existing.id}`, version: existing.meta.version, data: userBody('bulk-existing@example.com', { displayName: 'Put in bulk' }) },
        { method: 'DELETE', path: `/Users/${doomed.id}` },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((op: { method: string; status: string }) => [op.method, op.status])).toEqual([
      ['POST', '201'],
      ['PATCH', '200'],
      ['PUT', '200'],
      ['DELETE', '204'],
    ]);
    const created = idOf(r.body.Operations[0].location);
    expect((await o.scim('GET', `/Users/${created}`)).body.title).toBe('Made in bulk');
    expect((await o.scim('GET', `/Users/${existing.id}`)).body.displayName).toBe('Put in bulk');
    expect((await o.scim('GET', `/Users/${doomed.id}`)).status).toBe(404);
  });

  it('reports a failing operation in the BulkResponse and continues with the others', async () => {
    const o = await testOrg(t);
    await createUser(o, 'bulk-taken@example.com');
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('BULK-TAKEN@example.com') },
        { method: 'POST', path: '/Users', bulkId: 'ok', data: userBody('bulk-fine@example.com') },
        { method: 'DELETE', path: `/Users/${randomUUID()}` },
      ]),
    );
    expect(r.status).toBe(200);
    const [dup, ok, missing] = r.body.Operations;
    expect(dup).toMatchObject({ method: 'POST', bulkId: 'dup', status: '409', response: { schemas: [ERROR], status: '409', scimType: 'uniqueness' } });
    expect(ok).toMatchObject({ bulkId: 'ok', status: '201' });
    expect(missing).toMatchObject({ method: 'DELETE', status: '404', response: { schemas: [ERROR], status: '404' } });
    expect((await userNamed(o, 'bulk-fine@example.com')).totalResults).toBe(1);
  });

  it('stops after failOnErrors errors and reports only what ran', async () => {
    const o = await testOrg(t);
    await createUser(o, 'bulk-stop@example.com');
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk(
        [
          { method: 'POST', path: '/Users', bulkId: 'first-ok', data: userBody('bulk-before-stop@example.com') },
          { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('bulk-stop@example.com') },
          { method: 'POST', path: '/Users', bulkId: 'never', data: userBody('bulk-after-stop@example.com') },
          { method: 'POST', path: '/Users', bulkId: 'never2', data: userBody('bulk-after-stop-2@example.com') },
        ],
        { failOnErrors: 1 },
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((op: { bulkId: string; status: string }) => [op.bulkId, op.status])).toEqual([
      ['first-ok', '201'],
      ['dup', '409'],
    ]);
    expect((await userNamed(o, 'bulk-before-stop@example.com')).totalResults).toBe(1);
    expect((await userNamed(o, 'bulk-after-stop@example.com')).totalResults).toBe(0);
    expect((await userNamed(o, 'bulk-after-stop-2@example.com')).totalResults).toBe(0);
  });

  it('with failOnErrors 2 continues past the first error and stops at the second', async () => {
    const o = await testOrg(t);
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk(
        [
          { method: 'POST', path: '/Users', bulkId: 'bad1', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] } },
          { method: 'POST', path: '/Users', bulkId: 'good', data: userBody('bulk-between@example.com') },
          { method: 'POST', path: '/Users', bulkId: 'bad2', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: '' } },
          { method: 'POST', path: '/Users', bulkId: 'skipped', data: userBody('bulk-skipped@example.com') },
        ],
        { failOnErrors: 2 },
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((op: { bulkId: string; status: string }) => [op.bulkId, op.status])).toEqual([
      ['bad1', '400'],
      ['good', '201'],
      ['bad2', '400'],
    ]);
    expect(r.body.Operations[0].response).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect((await userNamed(o, 'bulk-skipped@example.com')).totalResults).toBe(0);
  });

  it('answers a bulkId reference to an operation that failed with an error for that operation', async () => {
    const o = await testOrg(t);
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'broken', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] } },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Refers to broken', members: [{ value: 'bulkId:broken' }] } },
      ]),
    );
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.Operations.map((op: { bulkId: string }) => [op.bulkId, op]));
    expect(byId.broken.status).toBe('400');
    expect(byId.g.status).toMatch(/^4\d\d$/);
    expect((await o.scim('GET', `/Groups?${filterQuery('displayName eq "Refers to broken"')}`)).body.totalResults).toBe(0);
  });

  it('honours an operation\'s version as If-Match: a stale one fails that operation with 412', async () => {
    const o = await testOrg(t);
    const u = await createUser(o, 'bulk-versioned@example.com');
    await o.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Moved on' }] });
    const r = await o.scim('POST', '/Bulk', bulk([{ method: 'PUT', path: `/Users/${u.id}`, version: u.meta.version, data: userBody('bulk-versioned@example.com', { displayName: 'Lost' }) }]));
    expect(r.status).toBe(200);
    expect(r.body.Operations[0]).toMatchObject({ method: 'PUT', status: '412', response: { schemas: [ERROR], status: '412' } });
    const got = await o.scim('GET', `/Users/${u.id}`);
    expect(got.body.displayName).toBeUndefined();
    expect(got.body.title).toBe('Moved on');
  });

  it('answers circular bulkId references with 409 or resolves them, never half-done (RFC 7644 §3.7.1)', async () => {
    const o = await testOrg(t);
    const r = await o.scim(
      'POST',
      '/Bulk',
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'a', data: userBody('bulk-circle-a@example.com', { [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`]: { manager: { value: 'bulkId:b' } } }) },
        { method: 'POST', path: '/Users', bulkId: 'b', data: userBody('bulk-circle-b@example.com', { [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`]: { manager: { value: 'bulkId:a' } } }) },
      ]),
    );
    expect(r.status).toBe(200);
    const statuses = r.body.Operations.map((op: { status: string }) => op.status);
    expect(statuses).toHaveLength(2);
    if (statuses.every((s: string) => s === '409')) {
      expect((await o.scim('GET', '/Users')).body.totalResults).toBe(0);
    } else {
      expect(statuses).toEqual(['201', '201']);
      const [a, b] = r.body.Operations.map((op: { location: string }) => idOf(op.location));
      const got = await o.scim('GET', `/Users/${a}`);
      expect(got.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager.value).toBe(b);
    }
  });

  it('answers an operation that references its own bulkId with the 409 of a circle, and creates nothing', async () => {
    // Found by a reviewer: a self-reference got 400 invalidValue while a two-operation circle got 409.
    const o = await testOrg(t);
    const r = await o.scim('POST', '/Bulk', bulk([{ method: 'POST', path: '/Groups', bulkId: 'self', data: { schemas: [GROUP], displayName: 'Self', members: [{ value: 'bulkId:self' }] } }]));
    expect(r.status).toBe(200);
    expect(r.body.Operations).toEqual([
      { method: 'POST', bulkId: 'self', status: '409', response: expect.objectContaining({ status: '409', detail: 'Circular bulkId reference: operation "self" refers to itself' }) },
    ]);
    expect((await o.scim('GET', '/Groups')).body.totalResults).toBe(0);
  });

  it('answers 413 for a BulkRequest over maxPayloadSize', async () => {
    const small = await testApp(dialect, { maxPayloadBytes: 2048 });
    try {
      const o = await testOrg(small);
      const ops = Array.from({ length: 10 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `p${i}`, data: userBody(`bulk-payload-${i}@example.com`, { displayName: 'y'.repeat(200) }) }));
      const r = await o.scim('POST', '/Bulk', bulk(ops));
      expectScimError(r, 413);
      expect((await o.scim('GET', '/Users')).body.totalResults).toBe(0);
    } finally {
      await small.app.close();
    }
  });

  it('answers 413 when the request has more operations than maxOperations, and runs none', async () => {
    const small = await testApp(dialect, { bulkMaxOperations: 2 });
    try {
      const o = await testOrg(small);
      const spc = await o.scim('GET', '/ServiceProviderConfig');
      expect(spc.body.bulk.maxOperations).toBe(2);
      const ops = [1, 2, 3].map((i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: userBody(`bulk-limit-${i}@example.com`) }));
      const r = await o.scim('POST', '/Bulk', bulk(ops));
      expectScimError(r, 413);
      expect((await o.scim('GET', '/Users')).body.totalResults).toBe(0);
      const within = await o.scim('POST', '/Bulk', bulk(ops.slice(0, 2)));
      expect(within.status).toBe(200);
      expect(within.body.Operations.map((op: { status: string }) => op.status)).toEqual(['201', '201']);
    } finally {
      await small.app.close();
    }
  });

  it('answers 400 for a malformed BulkRequest', async () => {
    const cases: [string, unknown][] = [
      ['no schemas', { Operations: [] }],
      ['wrong schema', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }],
      ['no Operations', { schemas: [BULK_REQUEST] }],
      ['Operations not an array', { schemas: [BULK_REQUEST], Operations: { method: 'POST' } }],
      ['an operation without method', bulk([{ path: '/Users', bulkId: 'x', data: userBody('bulk-bad-1@example.com') }])],
      ['an unknown method', bulk([{ method: 'GET', path: '/Users' }])],
      ['an operation without path', bulk([{ method: 'POST', bulkId: 'x', data: userBody('bulk-bad-2@example.com') }])],
      ['an operation that is not an object', bulk(['POST /Users'] as never)],
      ['an array body', [bulk([])]],
    ];
    for (const [what, body] of cases) {
      const r = await org.scim('POST', '/Bulk', body);
      expect({ what, status: r.status }).toEqual({ what, status: 400 });
      expectScimError(r, 400, 'invalidSyntax');
    }
    expect((await userNamed(org, 'bulk-bad-1@example.com')).totalResults).toBe(0);
    expect((await userNamed(org, 'bulk-bad-2@example.com')).totalResults).toBe(0);
  });

  it('answers POST without a bulkId as an error (bulkId is required for POST, RFC 7644 §3.7)', async () => {
    const r = await org.scim('POST', '/Bulk', bulk([{ method: 'POST', path: '/Users', data: userBody('bulk-no-id@example.com') }]));
    expect(r.status).toBe(400);
    expect((await userNamed(org, 'bulk-no-id@example.com')).totalResults).toBe(0);
  });

  it('keeps operations inside the caller\'s org', async () => {
    const other = await testOrg(t);
    const theirs = await createUser(other, 'bulk-theirs@example.com');
    const r = await org.scim('POST', '/Bulk', bulk([{ method: 'DELETE', path: `/Users/${theirs.id}` }, { method: 'PATCH', path: `/Users/${theirs.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } }]));
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((op: { status: string }) => op.status)).toEqual(['404', '404']);
    expect((await other.scim('GET', `/Users/${theirs.id}`)).body.active).toBe(true);
  });
});
