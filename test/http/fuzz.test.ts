/**
 * The HTTP fuzz suite (issue 6, "Hostile input"): generated, deterministic
 * requests against every SCIM route and method and the admin API's JSON
 * routes. Every answer must be below 500; under /scim/v2 every answer with a
 * body is `application/scim+json`, and every error is exactly the RFC 7644
 * §3.12 shape with `status` as a string equal to the HTTP status; admin errors
 * are `{statusCode, error, message}`. Refused writes leave no row behind, and
 * the server keeps serving afterwards.
 *
 * Deterministic: the lists are fixed and fast-check runs with the printed SEED.
 * The number of cases per dialect is printed at the end.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { OPERATOR_TOKEN, testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BULK_REQUEST, ENTERPRISE, ERROR, GROUP, PATCH_OP, SCIM_JSON, SEARCH, USER } from '../support/scim.js';

/** fast-check seed; change it to explore, keep it fixed in the suite. */
const SEED = 20261130;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Answer {
  method: string;
  url: string;
  status: number;
  type: string | undefined;
  text: string;
  json: any;
}

/** Nested `{"a":…}` objects or `[…]` arrays, as text (JSON.stringify would itself recurse). */
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Byte sequences that are not UTF-8: a bad continuation, 0xFF, an encoded surrogate, an overlong "/", a 5-byte form, a cut 3-byte form, beyond U+10FFFF. */
const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];

/** Ids a client could send in a path: traversal (plain and encoded), NUL, bad UTF-8, long, unicode, look-alikes of ids and route names. */
const HOSTILE_IDS = [
  '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F', '..%5C..%5Cwindows', '%2e%2e', '..;', '%252e%252e%252f',
  '%00', 'a%00b', '%C3%28', '%FF', '%ED%A0%80', '%C0%AF', '%',
  'x'.repeat(101), 'x'.repeat(10_000), `${'a'.repeat(36)}`, '00000000-0000-0000-0000-000000000000', '2819C223-7F76-453A-919D-413861904646', '{2819c223-7f76-453a-919d-413861904646}', '2819c223-7f76-453a-919d-41386190464',
  '%C3%BC', '%F0%9F%98%80', '%E2%80%AE', '%EF%BB%BF', 'ü', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-1', '0', '1e309',
  "'%20or%20'1'='1", '1;DROP%20TABLE%20scim_users', '%22', '%5C', '%20', '+', '.search', 'Users', '*', '%3F', '%23', '%2F',
];

describe.each(dialects())('HTTP fuzz on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let userId: string;
  let groupId: string;
  const tally: Record<string, number> = {};
  let cases = 0;

  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
    userId = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'fuzz-anchor@example.com' })).body.id;
    groupId = (await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'fuzz-anchor', members: [{ value: userId }] })).body.id;
  });
  afterAll(async () => {
    console.log(`[fuzz ${dialect}] seed ${SEED}; ${cases} cases: ${Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    await t.app.close();
  });

  async function send(method: Method | string, url: string, opts: { payload?: string | Buffer; contentType?: string | null; token?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string | undefined> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? (url.startsWith('/api/') ? OPERATOR_TOKEN : org.token) : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.payload !== undefined) headers['content-type'] = opts.contentType === null ? undefined : (opts.contentType ?? (url.startsWith('/api/') ? 'application/json' : 'application/scim+json'));
    const res = await t.app.inject({ method: method as Method, url, headers: headers as Record<string, string>, ...(opts.payload !== undefined ? { payload: opts.payload } : {}) });
    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = undefined;
    }
    return { method, url, status: res.statusCode, type: res.headers['content-type'] as string | undefined, text: res.body, json };
  }

  /**
   * The contract of every answer, plus the expected statuses when given.
   * Counts the case under `category`.
   */
  function check(category: string, label: string, a: Answer, expected?: number[], scimType?: string): void {
    cases++;
    tally[category] = (tally[category] ?? 0) + 1;
    const where = `${category} / ${label.slice(0, 160)} → ${a.status} ${a.text.slice(0, 300)}`;
    // Only an expected status (the 501 of /Me, RFC 7644 §3.11) may be 5xx.
    if (!expected?.includes(a.status)) expect(a.status, where).toBeLessThan(500);
    if (expected) expect(expected, where).toContain(a.status);
    const scim = a.url.startsWith('/scim/');
    if (scim && a.text !== '') expect(a.type, where).toBe(SCIM_JSON);
    // A HEAD answer has the GET answer's headers and no body (RFC 9110 §9.3.2).
    if (a.status < 400 || a.method === 'HEAD') return;
    if (scim) {
      expect(a.json, where).toEqual({ schemas: [ERROR], status: String(a.status), ...(a.json?.scimType !== undefined ? { scimType: expect.any(String) } : {}), detail: expect.any(String) });
      expect(a.json.detail.trim(), where).not.toBe('');
      if (scimType) expect(a.json.scimType, where).toBe(scimType);
    } else {
      expect(a.json, where).toEqual({ statusCode: a.status, error: expect.any(String), message: expect.any(String) });
    }
  }

  const counts = async () => {
    const { db } = await testDatabase(dialect);
    const n = async (table: 'scim_users' | 'scim_groups' | 'scim_group_members') =>
      Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).n);
    return { users: await n('scim_users'), groups: await n('scim_groups'), members: await n('scim_group_members') };
  };

  /** Valid bodies for every JSON-taking SCIM route (multi-byte characters included, so truncation also cuts UTF-8). */
  const userBody = JSON.stringify({
    schemas: [USER, ENTERPRISE],
    userName: 'josé.fuzz@example.com',
    name: { givenName: 'José', familyName: 'Füzz' },
    emails: [{ value: 'josé.fuzz@example.com', type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { department: 'Ωmega' },
  });
  const groupBody = () => JSON.stringify({ schemas: [GROUP], displayName: 'Grüppe fuzz', members: [{ value: userId }] });
  const patchBody = () => JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Ünïcode' }, { op: 'add', path: 'members', value: [{ value: userId }] }] });
  const searchBody = JSON.stringify({ schemas: [SEARCH], filter: 'userName sw "jo" and not (title pr)', startIndex: 1, count: 10, attributes: ['userName'] });
  const bulkBody = JSON.stringify({ schemas: [BULK_REQUEST], Operations: [{ method: 'POST', bulkId: 'q1', path: '/Users', data: { schemas: [USER], userName: 'bülk@example.com' } }] });

  /** Every JSON-taking SCIM route with a valid body for it. */
  const scimRoutes = (): [Method, string, string][] => [
    ['POST', '/scim/v2/Users', userBody],
    ['PUT', `/scim/v2/Users/${userId}`, userBody],
    ['PATCH', `/scim/v2/Users/${userId}`, JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Jösé' }] })],
    ['POST', '/scim/v2/Groups', groupBody()],
    ['PUT', `/scim/v2/Groups/${groupId}`, groupBody()],
    ['PATCH', `/scim/v2/Groups/${groupId}`, patchBody()],
    ['POST', '/scim/v2/Users/.search', searchBody],
    ['POST', '/scim/v2/Groups/.search', JSON.stringify({ schemas: [SEARCH], filter: 'displayName co "ü"' })],
    ['POST', '/scim/v2/.search', searchBody],
    ['POST', '/scim/v2/Bulk', bulkBody],
  ];
  /** The admin API's JSON-taking routes with a valid body each. */
  const adminRoutes = (): [Method, string, string][] => [
    ['POST', '/api/v1/orgs', JSON.stringify({ slug: 'fuzz-org', name: 'Füzz Örg' })],
    ['PATCH', `/api/v1/orgs/${org.slug}/scim`, JSON.stringify({ enabled: true, syncGroups: true, defaultRole: null })],
    ['POST', `/api/v1/orgs/${org.slug}/scim/tokens`, JSON.stringify({ name: 'fuzz tökén', expiresAt: null })],
    ['POST', `/api/v1/orgs/${org.slug}/roles`, JSON.stringify({ name: 'fuzz-röle' })],
    ['PATCH', `/api/v1/orgs/${org.slug}/roles/viewer`, JSON.stringify({ name: 'viewer' })],
    ['PUT', `/api/v1/orgs/${org.slug}/role-mappings`, JSON.stringify([{ idpRoleValue: 'fuzz', role: 'member' }])],
    ['POST', `/api/v1/orgs/${org.slug}/role-mappings`, JSON.stringify({ idpRoleValue: 'fuzz2', role: 'member' })],
    ['PATCH', `/api/v1/orgs/${org.slug}/role-mappings/00000000-0000-0000-0000-000000000000`, JSON.stringify({ role: 'member' })],
    ['PATCH', `/api/v1/orgs/${org.slug}/members/${userId}`, JSON.stringify({ role: 'member' })],
    ['POST', `/api/v1/orgs/${org.slug}/admins`, JSON.stringify({ email: 'fuzz-admin@example.com' })],
    ['POST', '/api/v1/password', JSON.stringify({ token: 'x', password: 'correct horse battery staple' })],
  ];

  it('answers truncations of every valid body 400, writing nothing', async () => {
    const before = await counts();
    // Cut at every byte offset for one body of each message kind, at every 6th for the rest.
    const everyByte = new Set(['POST /scim/v2/Users', `PATCH /scim/v2/Groups/${groupId}`, 'POST /scim/v2/Bulk', 'POST /api/v1/orgs']);
    for (const [method, url, body] of [...scimRoutes(), ...adminRoutes()]) {
      const bytes = Buffer.from(body);
      const step = everyByte.has(`${method} ${url}`) ? 1 : 6;
      for (let cut = 0; cut < bytes.length; cut += step) {
        check('truncated JSON', `${method} ${url} [0,${cut})`, await send(method, url, { payload: bytes.subarray(0, cut) }), [400]);
      }
    }
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('answers wrong and missing content types 415, writing nothing', async () => {
    const before = await counts();
    const wrong = [null, '', 'text/plain', 'text/json', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/scim', 'application/*', '*/*', 'ü/ä', ';;', 'application/scim+json; charset=latin1', 'application/json; charset=utf-16', 'application/scim+json; charset="ebcdic"'];
    for (const [method, url, body] of [...scimRoutes(), ...adminRoutes()]) {
      // Refused before the body is read, so even a valid body changes nothing.
      for (const contentType of wrong) check('content type', `${method} ${url} ${contentType ?? 'none'}`, await send(method, url, { payload: body, contentType }), [415]);
      check('content type', `${method} ${url} gzip`, await send(method, url, { payload: body, headers: { 'content-encoding': 'gzip' } }), [415]);
    }
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('refuses bodies nested 100,000 deep (and 500,000, 1 MB) with 400, the stack intact', async () => {
    const before = await counts();
    const deep = [nestedObject(100_000), nestedArray(100_000)];
    // The same depth inside otherwise valid messages, where recursive consumers (Bulk's bulkId resolution) would meet it.
    const inner = nestedObject(100_000);
    const wrapped: [Method, string, string][] = [
      ['POST', '/scim/v2/Users', `{"schemas":["${USER}"],"userName":"deep@example.com","x":${inner}}`],
      ['POST', '/scim/v2/Bulk', `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","bulkId":"d","path":"/Users","data":{"userName":"deep-bulk@example.com","x":${inner}}}]}`],
      ['PATCH', `/scim/v2/Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":{"x":${inner}}}]}`],
      ['PATCH', `/scim/v2/Groups/${groupId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"members","value":[${inner}]}]}`],
      ['POST', '/api/v1/orgs', `{"slug":"deep-org","name":${inner}}`],
    ];
    for (const [method, url] of [...scimRoutes(), ...adminRoutes()]) {
      for (const [i, body] of deep.entries()) check('deep nesting', `${method} ${url} ${['objects', 'arrays'][i]} 100,000 deep`, await send(method, url, { payload: body }), [400]);
    }
    // 500,000 levels: the most that fits in the 1 MiB body limit.
    for (const [method, url] of scimRoutes().slice(0, 3)) check('deep nesting', `${method} ${url} [×500,000`, await send(method, url, { payload: nestedArray(500_000) }), [400]);
    for (const [method, url, body] of wrapped) {
      const a = await send(method, url, { payload: body });
      check('deep nesting', `${method} ${url} wrapped`, a, [400]);
      expect(a.json.detail ?? a.json.message).toContain('nested deeper than 32 levels');
    }
    expect(await counts()).toEqual(before);
    // 32 levels, the limit, still pass; brackets inside strings (escaped quotes too) are not nesting.
    for (const [label, x] of [['at the limit', nestedArray(31)], ['brackets in a string', `"${'['.repeat(1000)}"`], ['after an escaped quote', `"\\"${'{'.repeat(1000)}"`]]) {
      check('deep nesting', label, await send('POST', '/scim/v2/Users/.search', { payload: `{"schemas":["${SEARCH}"],"count":0,"x":${x}}` }), [200]);
    }
  }, 120_000);

  it('answers 5 MB bodies 413, and huge strings under the limit 400 or as ordinary data', async () => {
    const before = await counts();
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const hugeBody = JSON.stringify({ userName: huge });
    for (const [method, url] of [...scimRoutes(), ...adminRoutes()]) {
      check('huge strings', `${method} ${url} 5 MB`, await send(method, url, { payload: hugeBody }), [413]);
    }
    check('huge strings', '5 MB filter', await send('POST', '/scim/v2/Users/.search', { payload: `{"filter":"userName eq \\"${huge}\\""}` }), [413]);
    const big = 'ü'.repeat(400_000); // 800 KB of UTF-8, under the 1 MiB limit
    const userCases: [string, string, number[]][] = [
      ['userName', JSON.stringify({ schemas: [USER], userName: big }), [400]],
      ['displayName', JSON.stringify({ schemas: [USER], userName: 'big-display@example.com', displayName: big }), [400]],
      ['externalId', JSON.stringify({ schemas: [USER], userName: 'big-external@example.com', externalId: big }), [400]],
      ['email', JSON.stringify({ schemas: [USER], userName: 'big-email@example.com', emails: [{ value: big, primary: true }] }), [400]],
      ['attribute name', JSON.stringify({ schemas: [USER], userName: 'big-key@example.com', [big]: 1 }), [201, 400]],
    ];
    let created = 0;
    for (const [label, body, expected] of userCases) {
      const a = await send('POST', '/scim/v2/Users', { payload: body });
      check('huge strings', `POST /Users ${label} 800 KB`, a, expected);
      if (a.status === 201) created++;
    }
    check('huge strings', 'filter 800 KB', await send('POST', '/scim/v2/Users/.search', { payload: JSON.stringify({ filter: `userName eq "${big}"` }) }), [400], 'invalidFilter');
    check('huge strings', 'PATCH path 800 KB', await send('PATCH', `/scim/v2/Users/${userId}`, { payload: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: big }] }) }), [400], 'invalidPath');
    check('huge strings', 'group displayName 800 KB', await send('POST', '/scim/v2/Groups', { payload: JSON.stringify({ schemas: [GROUP], displayName: big }) }), [400]);
    check('huge strings', 'admin org name 800 KB', await send('POST', '/api/v1/orgs', { payload: JSON.stringify({ slug: 'big-org', name: big }) }), [400]);
    check('huge strings', 'query attributes 100 KB', await send('GET', `/scim/v2/Users?attributes=${'a'.repeat(100_000)}`), [200]);
    check('huge strings', 'query sortBy 100 KB', await send('GET', `/scim/v2/Users?sortBy=${'a'.repeat(100_000)}`), [400], 'invalidValue');
    const after = await counts();
    expect(after).toEqual({ ...before, users: before.users + created });
  }, 60_000);

  it('refuses NUL and invalid UTF-8 in every string of every body, and in ids and filters', async () => {
    const before = await counts();
    for (const [method, url, body] of scimRoutes()) {
      // Every string literal in the body, one at a time: a \u0000 escape, a raw NUL byte, each invalid UTF-8 sequence.
      const strings = [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m.index! + 1);
      for (const at of strings) {
        const escaped = body.slice(0, at) + '\\u0000' + body.slice(at);
        check('NUL and UTF-8', `${method} ${url} \\u0000 at ${at}`, await send(method, url, { payload: escaped }), [400]);
        const lone = body.slice(0, at) + '\\udc00' + body.slice(at);
        check('NUL and UTF-8', `${method} ${url} \\udc00 at ${at}`, await send(method, url, { payload: lone }), [400]);
        const bytes = Buffer.from(body);
        const cut = Buffer.byteLength(body.slice(0, at));
        check('NUL and UTF-8', `${method} ${url} 0x00 at ${at}`, await send(method, url, { payload: Buffer.concat([bytes.subarray(0, cut), Buffer.from([0]), bytes.subarray(cut)]) }), [400], 'invalidSyntax');
        const seq = INVALID_UTF8[at % INVALID_UTF8.length]!;
        check('NUL and UTF-8', `${method} ${url} ${seq} at ${at}`, await send(method, url, { payload: Buffer.concat([bytes.subarray(0, cut), Buffer.from(seq), bytes.subarray(cut)]) }), [400], 'invalidSyntax');
      }
    }
    for (const seq of INVALID_UTF8) {
      for (const [method, url, body] of adminRoutes()) {
        const bytes = Buffer.from(body);
        check('NUL and UTF-8', `${method} ${url} ${seq}`, await send(method, url, { payload: Buffer.concat([bytes.subarray(0, bytes.length - 2), Buffer.from(seq), bytes.subarray(bytes.length - 2)]) }), [400]);
      }
    }
    for (const filter of ['userName eq "a%00b"', 'userName%00 eq "a"', 'userName eq "a\\u0000b"', 'userName eq "\\ud800"', 'userName eq "%C3%28"', 'userName eq "%FF"', '%ED%A0%80 pr', 'members[value eq "\\u0000"]']) {
      for (const base of ['/scim/v2/Users', '/scim/v2/Groups']) {
        const url = `${base}?filter=${filter.replaceAll(' ', '%20').replaceAll('"', '%22').replaceAll('[', '%5B').replaceAll(']', '%5D').replaceAll('\\', '%5C')}`;
        check('NUL and UTF-8', `GET ${url}`, await send('GET', url), [400]);
      }
      // In a body the text arrives as written: only what decodes to NUL or a lone surrogate must be refused.
      const text = decodeURIComponentSafe(filter);
      const search = await send('POST', '/scim/v2/Users/.search', { payload: JSON.stringify({ filter: text }) });
      check('NUL and UTF-8', `.search ${JSON.stringify(text)}`, search, /\\u0000|\\ud800|\0/.test(text) ? [400] : [200, 400]);
    }
    for (const v of ['%00', '%C3%28', '%FF', '%ED%A0%80']) {
      for (const p of ['count', 'startIndex', 'sortBy', 'sortOrder']) {
        check('NUL and UTF-8', `GET /Users?${p}=${v}`, await send('GET', `/scim/v2/Users?${p}=${v}`), [400], 'invalidValue');
      }
      // attributes/excludedAttributes ignore names no schema has (RFC 7644 §3.9 lets a server), so these match nothing.
      for (const p of ['attributes', 'excludedAttributes']) {
        check('NUL and UTF-8', `GET /Users?${p}=${v}`, await send('GET', `/scim/v2/Users?${p}=${v}`), [200]);
      }
    }
    const patchPath = await send('PATCH', `/scim/v2/Groups/${groupId}`, { payload: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "\\u0000"]' }] }) });
    check('NUL and UTF-8', 'PATCH path with an escaped NUL', patchPath, [400], 'invalidPath');
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('answers hostile ids on every id route with 400, 404 or 405, touching nothing', async () => {
    const before = await counts();
    const anchor = (await send('GET', `/scim/v2/Users/${userId}`)).json;
    const putUser = JSON.stringify({ schemas: [USER], userName: 'hostile-id@example.com' });
    const putGroup = JSON.stringify({ schemas: [GROUP], displayName: 'hostile-id' });
    const patch = JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'hostile' }] });
    for (const id of HOSTILE_IDS) {
      for (const [endpoint, putBody] of [['Users', putUser], ['Groups', putGroup]] as const) {
        const url = `/scim/v2/${endpoint}/${id}`;
        for (const [method, payload] of [['GET', undefined], ['PUT', putBody], ['PATCH', patch], ['DELETE', undefined], ['POST', putBody]] as const) {
          const a = await send(method, url, payload === undefined ? {} : { payload });
          check('hostile ids', `${method} ${url}`, a, [400, 404, 405]);
        }
      }
      for (const endpoint of ['ResourceTypes', 'Schemas']) {
        check('hostile ids', `GET /${endpoint}/${id}`, await send('GET', `/scim/v2/${endpoint}/${id}`), [400, 404]);
      }
      const bulk = await send('POST', '/scim/v2/Bulk', { payload: JSON.stringify({ schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: `/Users/${decodeURIComponentSafe(id)}` }, { method: 'PATCH', path: `/Groups/${decodeURIComponentSafe(id)}`, data: JSON.parse(patch) }] }) });
      check('hostile ids', `Bulk ${id}`, bulk, [200, 400]);
      if (bulk.status === 200) for (const op of bulk.json.Operations) expect(['400', '404'], `${id}: ${JSON.stringify(op)}`).toContain(op.status);
    }
    expect(await counts()).toEqual(before);
    expect((await send('GET', `/scim/v2/Users/${userId}`)).json).toEqual(anchor);
  }, 120_000);

  it('answers absurd count and startIndex with 200 or 400 invalidValue', async () => {
    const texts = ['-1', '0', '1', '1e309', '-1e309', 'NaN', '0x10', '0b1', '0o7', '1.5', '1,2', '1_000', '', '%20', '%20%201', 'Infinity', '-Infinity', '+5', '--5', '%D9%A3', '%EF%BC%91', 'true', 'null', '[]', '9'.repeat(400), `-${'9'.repeat(400)}`, '9007199254740993', '-9007199254740993', '2147483648', '4294967296'];
    for (const base of ['/scim/v2/Users', '/scim/v2/Groups']) {
      for (const v of texts) {
        for (const q of [`count=${v}`, `StartIndex=${v}`, `count=${v}&startIndex=${v}`]) {
          const a = await send('GET', `${base}?${q}`);
          check('count/startIndex', `GET ${base}?${q}`, a, [200, 400]);
          if (a.status === 200) {
            expect(a.json.Resources.length).toBeLessThanOrEqual(1000);
            expect(Number.isSafeInteger(a.json.startIndex) && a.json.startIndex >= 1, JSON.stringify(a.json)).toBe(true);
          } else expect(a.json.scimType).toBe('invalidValue');
        }
      }
      check('count/startIndex', 'repeated count', await send('GET', `${base}?count=1&count=2`), [400], 'invalidValue');
    }
    const values = ['-1', '0', '1e308', '-1e308', '1e309', '1.5', '"NaN"', '"0x10"', '"1e3"', 'true', 'null', '[]', '{}', '[1]', '"1"', '" 1 "', '9'.repeat(400), '9007199254740993', '-0', '0.0000001', '"٣"'];
    for (const url of ['/scim/v2/Users/.search', '/scim/v2/Groups/.search', '/scim/v2/.search']) {
      for (const v of values) {
        for (const field of ['count', 'startIndex']) {
          const a = await send('POST', url, { payload: `{"schemas":["${SEARCH}"],"${field}":${v}}` });
          check('count/startIndex', `POST ${url} ${field}=${v}`, a, [200, 400]);
          if (a.status === 400) expect(a.json.scimType, v).toBe('invalidValue');
        }
      }
    }
  }, 120_000);

  it('refuses filters nested 1,000 deep or with 10,000 clauses quickly, and answers generated filters 200 or 400 invalidFilter', async () => {
    const deep = [
      `${'('.repeat(1000)}userName pr${')'.repeat(1000)}`,
      `${'not ('.repeat(1000)}userName pr${')'.repeat(1000)}`,
      `emails[${'('.repeat(1000)}value pr${')'.repeat(1000)}]`,
      `${'('.repeat(1000)}userName pr`,
      `userName pr${')'.repeat(1000)}`,
      `${'emails['.repeat(1000)}value pr${']'.repeat(1000)}`,
    ];
    const wide = [
      Array.from({ length: 10_000 }, (_, i) => `userName eq "u${i}"`).join(' or '),
      Array.from({ length: 10_000 }, (_, i) => `title pr and displayName ne "d${i}"`).join(' and '),
      Array.from({ length: 10_000 }, () => 'members.value pr').join(' or '),
    ];
    for (const filter of [...deep, ...wide]) {
      for (const url of ['/scim/v2/Users/.search', '/scim/v2/Groups/.search', '/scim/v2/.search']) {
        const started = performance.now();
        const a = await send('POST', url, { payload: JSON.stringify({ schemas: [SEARCH], filter }) });
        check('filters', `POST ${url} ${filter.slice(0, 30)}…(${filter.length})`, a, [400], 'invalidFilter');
        expect(performance.now() - started).toBeLessThan(1000);
      }
      for (const base of ['/scim/v2/Users', '/scim/v2/Groups']) {
        check('filters', `GET ${base} ${filter.slice(0, 30)}…`, await send('GET', `${base}?filter=${encodeURIComponent(filter)}`), [400], 'invalidFilter');
      }
    }
    // Token soup from the filter grammar, including what it forbids.
    const token = fc.constantFrom(
      'userName', 'emails', 'members', 'members.value', 'name.givenName', 'meta.lastModified', `${USER}:userName`, `${ENTERPRISE}:manager.value`, 'urn:x', 'x.y.z', '$ref',
      'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'pr', 'EQ', 'and', 'or', 'not', 'AND',
      '(', ')', '[', ']', '"x"', '"', '"\\"', '"\\u00"', '"\\u0000"', '"\\ud800"', '"é"', '1', '-1.5e3', '1e999', 'true', 'null', '"2024-01-01T00:00:00Z"', '.value', ' ', '\t', '\n',
    );
    const filter = fc.array(token, { minLength: 0, maxLength: 24 }).map((ts) => ts.join(' '));
    const glued = fc.array(token, { minLength: 1, maxLength: 24 }).map((ts) => ts.join(''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(filter, glued), fc.constantFrom('Users', 'Groups'), fc.boolean(), async (f, endpoint, viaSearch) => {
        const a = viaSearch
          ? await send('POST', `/scim/v2/${endpoint}/.search`, { payload: JSON.stringify({ schemas: [SEARCH], filter: f, count: 2 }) })
          : await send('GET', `/scim/v2/${endpoint}?count=2&filter=${encodeURIComponent(f)}`);
        check('filters', `${viaSearch ? 'POST .search' : 'GET'} ${endpoint} ${JSON.stringify(f)}`, a, [200, 400]);
        if (a.status === 400) expect(['invalidFilter', 'invalidValue'], f).toContain(a.json.scimType);
      }),
      { seed: SEED, numRuns: 400 },
    );
  }, 120_000);

  it('answers unknown and wrong-typed attributes 400 (or stores a valid resource), never half a write', async () => {
    const before = await counts();
    let createdUsers = 0;
    let createdGroups = 0;
    const userAttrs = ['schemas', 'id', 'externalId', 'meta', 'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates', ENTERPRISE, `${USER}:userName`, 'name.givenName'];
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const attrName = fc.oneof(fc.constantFrom(...userAttrs), fc.string({ maxLength: 12 }));
    const userArb = fc.tuple(fc.dictionary(attrName, anyJson, { maxKeys: 6 }), fc.boolean(), fc.nat()).map(([extra, withName, n]) => ({ ...extra, ...(withName ? { userName: `gen-${n}@example.com` } : {}) }));
    await fc.assert(
      fc.asyncProperty(userArb, async (body) => {
        const a = await send('POST', '/scim/v2/Users', { payload: JSON.stringify(body) });
        check('attributes', `POST /Users ${JSON.stringify(body)}`, a, [201, 400, 409]);
        if (a.status === 201) {
          createdUsers++;
          const back = await send('GET', `/scim/v2/Users/${a.json.id}`);
          check('attributes', 'GET the created user', back, [200]);
          expect(back.json.userName).toBe(a.json.userName);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    const groupArb = fc.dictionary(fc.oneof(fc.constantFrom('schemas', 'displayName', 'members', 'externalId', 'id', 'meta', `${GROUP}:displayName`), fc.string({ maxLength: 8 })), anyJson, { maxKeys: 5 });
    await fc.assert(
      fc.asyncProperty(groupArb, async (body) => {
        const a = await send('POST', '/scim/v2/Groups', { payload: JSON.stringify(body) });
        check('attributes', `POST /Groups ${JSON.stringify(body)}`, a, [201, 400, 409]);
        if (a.status === 201) createdGroups++;
      }),
      { seed: SEED, numRuns: 100 },
    );
    // PATCHes of the anchor user and group with the same kind of values: a refusal leaves the resource as it was.
    const opArb = fc.record({ op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Replace'), fc.string({ maxLength: 6 })), path: fc.option(fc.oneof(fc.constantFrom(...userAttrs, 'emails[type eq "work"].value', 'members', 'name.familyName'), fc.string({ maxLength: 10 })), { nil: undefined }), value: anyJson }, { requiredKeys: ['op'] });
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 0, maxLength: 4 }), fc.constantFrom('Users', 'Groups'), async (ops, endpoint) => {
        const id = endpoint === 'Users' ? userId : groupId;
        const beforeDoc = (await send('GET', `/scim/v2/${endpoint}/${id}`)).json;
        const a = await send('PATCH', `/scim/v2/${endpoint}/${id}`, { payload: JSON.stringify({ schemas: [PATCH_OP], Operations: ops }) });
        check('attributes', `PATCH /${endpoint} ${JSON.stringify(ops)}`, a, [200, 204, 400, 409]);
        if (a.status >= 400) expect((await send('GET', `/scim/v2/${endpoint}/${id}`)).json, JSON.stringify(ops)).toEqual(beforeDoc);
      }),
      { seed: SEED, numRuns: 150 },
    );
    const after = await counts();
    expect({ users: after.users, groups: after.groups }).toEqual({ users: before.users + createdUsers, groups: before.groups + createdGroups });
  }, 180_000);

  it('answers every unserved method and junk on discovery endpoints in the SCIM shape', async () => {
    const paths = ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${USER}`, '/Bulk', '/.search', '/Users', '/Groups', `/Users/${userId}`, `/Groups/${groupId}`, '/Users/.search', '/Me', '/Nowhere', '/', ''];
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'SEARCH', 'PROPFIND', 'TRACE']) {
        const payload = ['POST', 'PUT', 'PATCH'].includes(method) ? '{"schemas":["urn:x"]}' : undefined;
        // Only safe methods on the anchors: their writes are fuzzed above.
        if (path.includes(userId) || path.includes(groupId)) if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && method !== 'SEARCH') continue;
        const a = await send(method, `/scim/v2${path}?attributes=%00&filter=(((`, payload === undefined ? {} : { payload });
        check('methods', `${method} ${path}`, a, path === '/Me' ? [404, 501] : undefined);
      }
    }
  }, 60_000);

  it('keeps serving: an ordinary create, read, change and delete still work', async () => {
    const created = await send('POST', '/scim/v2/Users', { payload: JSON.stringify({ schemas: [USER], userName: 'after-fuzz@example.com' }) });
    expect(created.status).toBe(201);
    const read = await send('GET', `/scim/v2/Users/${created.json.id}`);
    expect(read.json.userName).toBe('after-fuzz@example.com');
    const patched = await send('PATCH', `/scim/v2/Groups/${groupId}`, { payload: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: created.json.id }] }] }) });
    expect(patched.status).toBe(204);
    expect((await send('DELETE', `/scim/v2/Users/${created.json.id}`)).status).toBe(204);
    expect((await send('GET', `/scim/v2/Users/${userId}`)).json.userName).toBeDefined();
    expect(cases).toBeGreaterThan(3000);
  });
});

/** decodeURIComponent that leaves undecodable text as it is (the hostile ids include malformed escapes). */
function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
