/**
 * The configurable request limits (docs/scim.md "Limits", docs/config.md): the
 * ones RFC 7643 §5 has a field for are advertised in ServiceProviderConfig, the
 * rest are enforced with a 400 naming the limit, before anything is written.
 * Also the 405 of an unserved method on a known endpoint, and the 412 of
 * `If-None-Match: *`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createGroup, createUser, expectScimError, GROUP, patchOp, rawRequest, SEARCH } from '../support/scim.js';

const orClauses = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}@example.com"`).join(' or ');
const search = (filter: string) => ({ schemas: [SEARCH], filter, count: 1 });

describe('limit configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({ maxFilterLength: 4096, maxFilterDepth: 50, maxFilterClauses: 500, maxPatchOperations: 1000, maxMembersPerRequest: 10_000 });
  });

  it('reads each variable', () => {
    const c = loadConfig({ SCIMD_MAX_FILTER_LENGTH: '8192', SCIMD_MAX_FILTER_DEPTH: '20', SCIMD_MAX_FILTER_CLAUSES: '100', SCIMD_MAX_PATCH_OPERATIONS: '50', SCIMD_MAX_MEMBERS_PER_REQUEST: '2500' });
    expect(c).toMatchObject({ maxFilterLength: 8192, maxFilterDepth: 20, maxFilterClauses: 100, maxPatchOperations: 50, maxMembersPerRequest: 2500 });
  });

  it.each([
    ['SCIMD_MAX_FILTER_DEPTH', '101'],
    ['SCIMD_MAX_FILTER_CLAUSES', '10000'],
    ['SCIMD_MAX_MEMBERS_PER_REQUEST', '70000'],
    ['SCIMD_MAX_PATCH_OPERATIONS', '0'],
    ['SCIMD_MAX_FILTER_LENGTH', 'lots'],
  ])('refuses %s=%s (beyond what the databases can run, or not a number)', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}="${value}"`);
  });
});

describe.each(dialects())('Request limits on %s', (dialect) => {
  let small: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    small = await testApp(dialect, {
      maxPageSize: 25,
      bulkMaxOperations: 5,
      maxPayloadBytes: 64 * 1024,
      maxFilterLength: 300,
      maxFilterDepth: 5,
      maxFilterClauses: 8,
      maxPatchOperations: 3,
      maxMembersPerRequest: 3,
    });
    org = await testOrg(small);
  });
  afterAll(() => small.app.close());

  const groupCount = async () => {
    const { db } = await testDatabase(dialect);
    return Number((await db.selectFrom('scim_groups').select((e) => e.fn.countAll().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).n);
  };

  it('advertises the three limits RFC 7643 §5 has fields for, as configured', async () => {
    const r = await org.scim('GET', '/ServiceProviderConfig');
    expect(r.body.filter).toEqual({ supported: true, maxResults: 25 });
    expect(r.body.bulk).toEqual({ supported: true, maxOperations: 5, maxPayloadSize: 65536 });
  });

  it('refuses a filter longer than SCIMD_MAX_FILTER_LENGTH, naming the limit', async () => {
    const at = `userName eq "${'a'.repeat(300 - 14)}"`;
    expect(at.length).toBe(300);
    expect((await org.scim('POST', '/Users/.search', search(at))).status).toBe(200);
    const over = `userName eq "${'a'.repeat(301 - 14)}"`;
    expectScimError(await org.scim('POST', '/Users/.search', search(over)), 400, 'invalidFilter', 'Filter is 301 characters long; the limit is 300');
  });

  it('refuses a filter nested deeper than SCIMD_MAX_FILTER_DEPTH', async () => {
    const nested = (d: number) => `${'not ('.repeat(d)}title pr${')'.repeat(d)}`;
    expect((await org.scim('GET', `/Users?filter=${encodeURIComponent(nested(5))}`)).status).toBe(200);
    expectScimError(await org.scim('GET', `/Users?filter=${encodeURIComponent(nested(6))}`), 400, 'invalidFilter', 'Nesting deeper than 5 levels');
  });

  it('refuses more comparisons than SCIMD_MAX_FILTER_CLAUSES, value filters included', async () => {
    const clauses = (n: number) => Array.from({ length: n }, (_, i) => `title eq "t${i}"`).join(' or ');
    expect((await org.scim('POST', '/Users/.search', search(clauses(8)))).status).toBe(200);
    expectScimError(await org.scim('POST', '/Users/.search', search(clauses(9))), 400, 'invalidFilter', 'More than 8 comparisons (the limit)');
    expectScimError(await org.scim('POST', '/Users/.search', search(`${clauses(7)} or emails[type eq "work" and value pr]`)), 400, 'invalidFilter', 'More than 8 comparisons');
    expectScimError(await org.scim('POST', '/Groups/.search', search(clauses(9).replaceAll('title', 'displayName'))), 400, 'invalidFilter', 'More than 8 comparisons');
  });

  it('refuses more PATCH operations than SCIMD_MAX_PATCH_OPERATIONS, changing nothing', async () => {
    const u = await createUser(org, 'patch-limit@example.com');
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp(...ops(4)));
    expectScimError(r, 400, 'invalidValue', 'The PATCH request has 4 operations; this server accepts at most 3');
    const after = await org.scim('GET', `/Users/${u.id}`);
    expect(after.body.title).toBeUndefined();
    expect(after.body.meta.version).toBe(u.meta.version);
    expect((await org.scim('PATCH', `/Users/${u.id}`, patchOp(...ops(3)))).body.title).toBe('t2');
    const g = await createGroup(org, 'patch-limit-group');
    expectScimError(await org.scim('PATCH', `/Groups/${g.id}`, patchOp(...Array.from({ length: 4 }, (_, i) => ({ op: 'replace', path: 'displayName', value: `g${i}` })))), 400, 'invalidValue', 'at most 3');
    expect((await org.scim('GET', `/Groups/${g.id}`)).body.displayName).toBe('patch-limit-group');
  });

  it('refuses more members than SCIMD_MAX_MEMBERS_PER_REQUEST in a POST, PUT, PATCH or Bulk operation, writing nothing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await createUser(org, `member-limit-${i}@example.com`)).id);
    const before = await groupCount();
    const post = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'too-many', members: ids.map((value) => ({ value })) });
    expectScimError(post, 400, 'invalidValue', 'The request carries 4 member values in "members"; this server accepts at most 3');
    expect(await groupCount()).toBe(before);

    const g = await createGroup(org, 'member-limit', ids.slice(0, 3));
    const put = await org.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'member-limit', members: ids.map((value) => ({ value })) });
    expectScimError(put, 400, 'invalidValue', 'at most 3');
    // Added and removed values count together: 2 + 2 is over 3, although each op alone is not.
    const patch = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'members', value: ids.slice(0, 2).map((value) => ({ value })) }, { op: 'add', path: 'members', value: ids.slice(2, 4).map((value) => ({ value })) }));
    expectScimError(patch, 400, 'invalidValue', 'The request carries 4 member values in its PATCH operations');
    const filterRemove = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: `members[${ids.map((v) => `value eq "${v}"`).join(' or ')}]` }));
    expectScimError(filterRemove, 400, 'invalidValue', 'at most 3');
    const now = await org.scim('GET', `/Groups/${g.id}`);
    expect(now.body.members.map((m: { value: string }) => m.value).sort()).toEqual(ids.slice(0, 3).sort());
    expect(now.body.meta.version).toBe(g.meta.version);

    const bulk = await org.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', bulkId: 'g', path: '/Groups', data: { schemas: [GROUP], displayName: 'bulk-too-many', members: ids.map((value) => ({ value })) } }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0].status).toBe('400');
    expect(bulk.body.Operations[0].response.detail).toContain('at most 3');
    // Exactly at the limit is accepted.
    const ok = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'members', value: ids.slice(0, 2).map((value) => ({ value })) }, { op: 'add', path: 'members', value: [{ value: ids[3] }] }));
    expect(ok.status).toBe(204);
  });
});

describe.each(dialects())('Filters at the limits on %s', (dialect) => {
  let t: TestApp;
  let roomy: TestApp;
  let top: TestApp;
  let org: TestOrg;
  let roomyOrg: TestOrg;
  let topOrg: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
    // Filter length raised far enough that only the clause limit can refuse 10,000 clauses.
    roomy = await testApp(dialect, { maxFilterLength: 1_048_576, maxPayloadBytes: 2_000_000 });
    roomyOrg = await testOrg(roomy);
    // Every filter limit at the highest value the configuration accepts.
    top = await testApp(dialect, { maxFilterLength: 1_048_576, maxFilterDepth: 100, maxFilterClauses: 5000, maxPayloadBytes: 2_000_000 });
    topOrg = await testOrg(top);
  });
  afterAll(async () => {
    await t.app.close();
    await roomy.app.close();
    await top.app.close();
  });

  it('refuses a 10,000-clause filter quickly with the default limits (by its length) and with a raised length (by its clauses)', async () => {
    let started = performance.now();
    expectScimError(await org.scim('POST', '/Users/.search', search(orClauses(10_000))), 400, 'invalidFilter', 'the limit is 4096');
    expect(performance.now() - started).toBeLessThan(1000);
    started = performance.now();
    expectScimError(await roomyOrg.scim('POST', '/Users/.search', search(orClauses(10_000))), 400, 'invalidFilter', 'More than 500 comparisons (the limit)');
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await roomyOrg.scim('POST', '/Users/.search', search(orClauses(500)))).status).toBe(200);
  });

  it('refuses a filter nested 1,000 deep by its depth', async () => {
    const deep = `${'('.repeat(1000)}userName pr${')'.repeat(1000)}`;
    expectScimError(await roomyOrg.scim('POST', '/Users/.search', search(deep)), 400, 'invalidFilter', 'Nesting deeper than 50 levels');
  });

  it('runs the largest filters the configuration allows on the database (5,000 clauses, 100 levels)', async () => {
    await createUser(topOrg, 'u4999@example.com');
    const wide = await topOrg.scim('POST', '/Users/.search', search(orClauses(5000)));
    expect(wide.status).toBe(200);
    expect(wide.body.totalResults).toBe(1);
    const members = await topOrg.scim('POST', '/Groups/.search', search(Array.from({ length: 5000 }, (_, i) => `members.value eq "m${i}"`).join(' or ')));
    expect(members.status).toBe(200);
    for (const deep of [`${'not ('.repeat(100)}userName pr${')'.repeat(100)}`, `${'('.repeat(99)}emails[value pr]${')'.repeat(99)}`, `${'not ('.repeat(99)}emails[type eq "work"]${')'.repeat(99)}`]) {
      const r = await topOrg.scim('POST', '/Users/.search', search(deep));
      expect(r.status, deep.slice(0, 40)).toBe(200);
    }
    expectScimError(await topOrg.scim('POST', '/Users/.search', search(orClauses(5001))), 400, 'invalidFilter', 'More than 5000 comparisons');
  });
});

describe.each(dialects())('405 and If-None-Match on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  it.each([
    ['DELETE', '/Users', 'GET, HEAD, POST'],
    ['PUT', '/Groups', 'GET, HEAD, POST'],
    ['POST', '/Users/2819c223-7f76-453a-919d-413861904646', 'DELETE, GET, HEAD, PATCH, PUT'],
    ['POST', '/Groups/2819c223-7f76-453a-919d-413861904646', 'DELETE, GET, HEAD, PATCH, PUT'],
    ['GET', '/Users/.search', 'POST'],
    ['GET', '/.search', 'POST'],
    ['GET', '/Bulk', 'POST'],
    ['DELETE', '/Bulk', 'POST'],
    ['PUT', '/ServiceProviderConfig', 'GET, HEAD'],
    ['POST', '/ResourceTypes', 'GET, HEAD'],
    ['DELETE', '/ResourceTypes/User', 'GET, HEAD'],
    ['PATCH', '/Schemas', 'GET, HEAD'],
    ['OPTIONS', '/users', 'GET, HEAD, POST'],
  ])('%s %s answers 405 with Allow: %s in the SCIM error shape', async (method, path, allow) => {
    const r = await rawRequest(t, { method: method as 'GET', url: `/scim/v2${path}`, token: org.token });
    expectScimError(r, 405, undefined, [`${method} is not supported`, allow]);
    expect(r.headers.allow).toBe(allow);
  });

  it('still authenticates first, and an unknown endpoint stays 404', async () => {
    expect((await rawRequest(t, { method: 'DELETE', url: '/scim/v2/Users' })).status).toBe(401);
    expectScimError(await rawRequest(t, { method: 'DELETE', url: '/scim/v2/Nothing', token: org.token }), 404);
    const me = await rawRequest(t, { method: 'DELETE', url: '/scim/v2/Me', token: org.token });
    expect(me.status).toBe(501);
  });

  it('answers a write with If-None-Match: * on an existing resource 412 naming If-None-Match', async () => {
    const u = await createUser(org, 'inm-detail@example.com');
    for (const [method, body] of [['PUT', { userName: 'inm-other@example.com' }], ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'x' })], ['DELETE', undefined]] as const) {
      const r = await org.scim(method, `/Users/${u.id}`, body, { 'if-none-match': '*' });
      expectScimError(r, 412, undefined, 'If-None-Match: *');
      expect(r.body.detail).not.toMatch(/If-Match/);
    }
    const g = await createGroup(org, 'inm-group');
    expectScimError(await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] }), { 'if-none-match': '*' }), 412, undefined, 'If-None-Match: *');
    expect((await org.scim('GET', `/Users/${u.id}`)).body.meta.version).toBe(u.meta.version);
  });
});

// Reviewer finding (issue 6): 16,000 e-mails in one create kept the process busy for
// 20 s (duplicates were found by comparing each value with every earlier one), and
// /healthz waited with it. Values per multi-valued attribute are now capped and
// de-duplicated in one pass.
describe.each(dialects())('Values per multi-valued attribute on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const emails = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `a${from + i}@x.example` }));

  it('accepts 1,000 values (duplicates kept once) and refuses 1,001 with 400 invalidValue, writing nothing', async () => {
    const ok = await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'many@x.example', emails: [...emails(999), { value: 'a0@x.example' }] });
    expect(ok.status).toBe(201);
    expect(ok.body.emails).toHaveLength(999);
    const tooMany = await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'toomany@x.example', emails: emails(1001) });
    expectScimError(tooMany, 400, 'invalidValue', 'Attribute "emails" has 1001 values; at most 1000');
    expect((await org.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "toomany@x.example"')}`)).body.totalResults).toBe(0);
    const phones = await org.scim('PATCH', `/Users/${ok.body.id}`, patchOp({ op: 'replace', path: 'phoneNumbers', value: Array.from({ length: 5000 }, (_, i) => ({ value: `+1555${i}` })) }));
    expectScimError(phones, 400, 'invalidValue', 'Attribute "phoneNumbers" has 5000 values');
  });

  it('refuses a PATCH that would grow a stored list past 1,000 and leaves it as it was', async () => {
    const u = await createUser(org, 'grow@x.example', { emails: emails(600) });
    const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'add', path: 'emails', value: emails(600, 600) }));
    expectScimError(r, 400, 'invalidValue', 'at most 1000');
    expect((await org.scim('GET', `/Users/${u.id}`)).body.emails).toHaveLength(600);
  });
});
