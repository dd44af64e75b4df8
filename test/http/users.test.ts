import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe.each(dialects())('Users on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const alice = (userName = 'alice@example.com') => ({
    schemas: [USER, ENTERPRISE],
    userName,
    externalId: `ext-${userName}`,
    name: { givenName: 'Alice', familyName: 'Smith' },
    displayName: 'Alice Smith',
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    password: 'S3cret!pass',
    [ENTERPRISE]: { department: 'R&D' },
  });

  it('creates, reads and never returns the password', async () => {
    const created = await org.scim('POST', '/Users', alice('create@example.com'));
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(created.headers.location).toBe(`https://scim.test/scim/v2/Users/${created.body.id}`);
    expect(created.body).toMatchObject({
      userName: 'create@example.com',
      name: { givenName: 'Alice', familyName: 'Smith' },
      active: true,
      [ENTERPRISE]: { department: 'R&D' },
      meta: { resourceType: 'User', version: 'W/"1"', location: `https://scim.test/scim/v2/Users/${created.body.id}` },
    });
    expect(created.body.password).toBeUndefined();
    const got = await org.scim('GET', `/Users/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.password).toBeUndefined();
    expect(got.headers.etag).toBe('W/"1"');
  });

  it('answers 409 uniqueness for a userName differing only in case', async () => {
    expect((await org.scim('POST', '/Users', alice('dup@example.com'))).status).toBe(201);
    const again = await org.scim('POST', '/Users', alice('DUP@Example.com'));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringContaining('DUP@Example.com'),
    });
  });

  it('lets only one of many concurrent creates of one userName succeed', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => org.scim('POST', '/Users', alice('race@example.com'))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const list = await org.scim('GET', '/Users?filter=userName eq "race@example.com"');
    expect(list.body.totalResults).toBe(1);
  });

  it('answers 400 invalidValue for a missing or empty userName', async () => {
    for (const body of [{ schemas: [USER] }, { schemas: [USER], userName: '' }, { schemas: [USER], userName: '   ' }]) {
      const r = await org.scim('POST', '/Users', body);
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe('invalidValue');
    }
  });

  it('filters case-insensitively on userName and exactly on externalId', async () => {
    await org.scim('POST', '/Users', alice('Filter.Me@example.com'));
    const byName = await org.scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "filter.me@EXAMPLE.com"'));
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].userName).toBe('Filter.Me@example.com');
    const byExt = await org.scim('GET', '/Users?filter=' + encodeURIComponent('externalId eq "EXT-Filter.Me@example.com"'));
    expect(byExt.body.totalResults).toBe(0);
    const byEmail = await org.scim('GET', '/Users?filter=' + encodeURIComponent('emails[type eq "work"].value eq "FILTER.me@example.com"'));
    expect(byEmail.body.totalResults).toBe(1);
  });

  it('deactivates with PATCH and keeps the record', async () => {
    const u = (await org.scim('POST', '/Users', alice('deact@example.com'))).body;
    const p = await org.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(p.status).toBe(200);
    expect(p.body.active).toBe(false);
    expect(p.body.meta.version).toBe('W/"2"');
    const got = await org.scim('GET', `/Users/${u.id}`);
    expect(got.body.active).toBe(false);
  });

  // Reviewer finding (issue 6): `replace active null` removed `active`, which the app reads
  // as active: a leaver came back, and the activity log said "reactivate".
  it.each([
    ['replace with null', [{ op: 'replace', path: 'active', value: null }]],
    ['remove', [{ op: 'remove', path: 'active' }]],
    ['replace of a value object with null', [{ op: 'replace', value: { active: null } }]],
    ['Bulk', 'bulk'],
  ] as const)('keeps a deactivated user inactive when a PATCH leaves active unassigned (%s)', async (label, ops) => {
    const name = `leaver-${label.replace(/\W+/g, '-')}@example.com`;
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: name, active: false })).body;
    expect(u.active).toBe(false);
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: 'active' }, { op: 'replace', path: 'displayName', value: 'Left' }] };
    const r =
      ops === 'bulk'
        ? await org.scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'PATCH', path: `/Users/${u.id}`, data: patch }] })
        : await org.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
    expect(r.status).toBe(200);
    const got = await org.scim('GET', `/Users/${u.id}`);
    expect(got.body.active).toBe(false);
    expect((await org.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}" and active eq false`)}`)).body.totalResults).toBe(1);
    const member = await t.admin('GET', `/orgs/${org.slug}/members/${u.id}`);
    expect(member.body.active).toBe(false);
  });

  // Reviewer finding (issue 6): " bob " was stored as "bob", but a lookup by " bob " found
  // nothing while a create answered 409, so a look-up-then-create IdP looped.
  it('finds a trimmed userName by the untrimmed value the IdP sent', async () => {
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: '  spaced-bob@example.com ' })).body;
    expect(u.userName).toBe('spaced-bob@example.com');
    const found = await org.scim('GET', `/Users?filter=${encodeURIComponent('userName eq " Spaced-Bob@example.com  "')}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    const others = await org.scim('GET', `/Users?filter=${encodeURIComponent('userName ne " spaced-bob@example.com" and userName sw "spaced-bob"')}`);
    expect(others.body.totalResults).toBe(0);
    expect((await org.scim('POST', '/Users', { schemas: [USER], userName: ' spaced-bob@example.com' })).status).toBe(409);
  });

  it('answers 404 for another org\'s user', async () => {
    const other = await testOrg(t);
    const u = (await other.scim('POST', '/Users', alice('other@example.com'))).body;
    expect((await org.scim('GET', `/Users/${u.id}`)).status).toBe(404);
    expect((await org.scim('DELETE', `/Users/${u.id}`)).status).toBe(404);
    expect((await org.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(404);
    expect((await other.scim('GET', `/Users/${u.id}`)).body.active).toBe(true);
  });
});

describe.each(dialects())('Users projection on %s', (dialect) => {
  it('reads attributes=emails[type eq "work"] as attributes=emails', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'proj@example.com', title: 'T', emails: [{ value: 'proj@example.com', type: 'work' }] })).body;
    const r = await org.scim('GET', `/Users/${u.id}?attributes=${encodeURIComponent('emails[type eq "work"]')}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ schemas: [USER], id: u.id, emails: [{ value: 'proj@example.com', type: 'work' }] });
    await t.app.close();
  });
});

describe.each(dialects())('Users input limits on %s', (dialect) => {
  it('refuses over-long indexed values and NUL characters with 400, storing nothing', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    const long = 'x'.repeat(5000);
    const cases: [unknown, string][] = [
      [{ schemas: [USER], userName: `${long}@example.com` }, '"userName" is 5012 characters long; at most 1024 are accepted'],
      [{ schemas: [USER], userName: 'ok1@example.com', externalId: long }, '"externalId" is 5000 characters long'],
      [{ schemas: [USER], userName: 'ok2@example.com', emails: [{ value: long, type: 'work' }] }, '"emails.value" is 5000 characters long'],
      [{ schemas: [USER], userName: 'nul\u0000@example.com' }, 'NUL character'],
      [{ schemas: [USER], userName: 'ok3@example.com', title: 'a\u0000b' }, 'NUL character'],
    ];
    for (const [body, detail] of cases) {
      const r = await org.scim('POST', '/Users', body);
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe('invalidValue');
      expect(r.body.detail).toContain(detail);
    }
    const f = await org.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "a\u0000"')}`);
    expect(f.status).toBe(400);
    expect(f.body.scimType).toBe('invalidFilter');
    expect((await org.scim('GET', '/Users')).body.totalResults).toBe(0);
    await t.app.close();
  });
});

describe.each(dialects())('Users sortBy validation on %s', (dialect) => {
  it('refuses an unsortable sortBy even when the org has no users', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    for (const sortBy of ['name', 'groups', 'nosuch']) {
      const r = await org.scim('GET', `/Users?sortBy=${sortBy}`);
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe('invalidValue');
    }
    await t.app.close();
  });
});

describe.each(dialects())('root .search on %s', (dialect) => {
  it('lets a type-specific attribute match nothing of the other type, and checks paging like the lists', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    await org.scim('POST', '/Users', { schemas: [USER], userName: 'root-search@example.com' });
    await org.scim('POST', '/Groups', { displayName: 'Root search group' });
    const search = (body: Record<string, unknown>) => org.scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body });
    const byUser = await search({ filter: 'userName eq "root-search@example.com"' });
    expect(byUser.status).toBe(200);
    expect(byUser.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['root-search@example.com']);
    const byGroup = await search({ filter: 'displayName eq "Root search group"' });
    expect(byGroup.body.totalResults).toBe(1);
    expect((await search({ filter: 'nosuch eq "x"' })).body.scimType).toBe('invalidFilter');
    expect((await search({ startIndex: '0x10' })).status).toBe(400);
    await t.app.close();
  });
});
