/**
 * Error handling (RFC 7644 §3.12): every failure under `/scim/v2` is a SCIM error
 * body with `application/scim+json`, the right status and `scimType`, and a
 * `detail` naming what is wrong; malformed input never becomes a 500 and never
 * writes anything. Also: unknown attributes are ignored, `password` is never
 * returned, PATCH is atomic (RFC 7644 §3.5.2).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createGroup, createUser, ENTERPRISE, expectScimError, filterQuery, GROUP, patchOp, rawRequest, SEARCH, USER, userBody } from '../support/scim.js';

describe.each(dialects())('Errors on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let n = 0;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: string, contentType = 'application/scim+json') =>
    rawRequest(t, { method, url: `/scim/v2${url}`, token: org.token, headers: { 'content-type': contentType }, payload });
  const countUsers = async (userName: string) => (await org.scim('GET', `/Users?${filterQuery(`userName eq "${userName}"`)}`)).body.totalResults as number;

  describe('request bodies', () => {
    it('answers 400 invalidSyntax in SCIM JSON for malformed JSON', async () => {
      const u = await createUser(org, `malformed-${++n}@example.com`);
      for (const [method, url] of [['POST', '/Users'], ['PUT', `/Users/${u.id}`], ['PATCH', `/Users/${u.id}`], ['POST', '/Groups'], ['POST', '/Bulk'], ['POST', '/.search']] as const) {
        const r = await send(method, url, '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ');
        expect({ call: `${method} ${url}`, status: r.status }).toEqual({ call: `${method} ${url}`, status: 400 });
        expectScimError(r, 400, 'invalidSyntax');
      }
    });

    it('accepts application/json and content types with parameters', async () => {
      const a = await send('POST', '/Users', JSON.stringify(userBody(`plain-json-${++n}@example.com`)), 'application/json');
      expect(a.status).toBe(201);
      const b = await send('POST', '/Users', JSON.stringify(userBody(`charset-${++n}@example.com`)), 'application/scim+json; charset=utf-8');
      expect(b.status).toBe(201);
    });

    it('answers 400 invalidSyntax for a body that is a JSON array, string, number or null', async () => {
      const u = await createUser(org, `shapes-${++n}@example.com`);
      for (const payload of [JSON.stringify([userBody('array@example.com')]), JSON.stringify('userName'), '42', 'null', 'true']) {
        for (const [method, url] of [['POST', '/Users'], ['PUT', `/Users/${u.id}`], ['PATCH', `/Users/${u.id}`], ['POST', '/Groups']] as const) {
          const r = await send(method, url, payload);
          expect({ payload, call: `${method} ${url}`, status: r.status }).toEqual({ payload, call: `${method} ${url}`, status: 400 });
          expectScimError(r, 400, 'invalidSyntax');
        }
      }
      expect(await countUsers('array@example.com')).toBe(0);
    });

    it('answers 400 for an empty body on POST, PUT and PATCH', async () => {
      const u = await createUser(org, `empty-${++n}@example.com`);
      for (const [method, url] of [['POST', '/Users'], ['PUT', `/Users/${u.id}`], ['PATCH', `/Users/${u.id}`]] as const) {
        const r = await send(method, url, '');
        expect({ call: `${method} ${url}`, status: r.status }).toEqual({ call: `${method} ${url}`, status: 400 });
        expectScimError(r, 400, 'invalidSyntax');
      }
    });

    it('answers 415 in SCIM JSON for a text/plain body, and writes nothing', async () => {
      const userName = `text-plain-${++n}@example.com`;
      const r = await send('POST', '/Users', JSON.stringify(userBody(userName)), 'text/plain');
      expectScimError(r, 415);
      expect(await countUsers(userName)).toBe(0);
      const form = await send('POST', '/Users', `userName=${userName}`, 'application/x-www-form-urlencoded');
      expectScimError(form, 415);
    });

    it('answers 413 in SCIM JSON for a body over the configured limit', async () => {
      const small = await testApp(dialect, { maxPayloadBytes: 2048 });
      try {
        const o = await testOrg(small);
        const userName = 'big@example.com';
        const body = JSON.stringify(userBody(userName, { displayName: 'x'.repeat(3000) }));
        const r = await rawRequest(small, { method: 'POST', url: '/scim/v2/Users', token: o.token, headers: { 'content-type': 'application/scim+json' }, payload: body });
        expectScimError(r, 413);
        const list = await o.scim('GET', `/Users?${filterQuery(`userName eq "${userName}"`)}`);
        expect(list.body.totalResults).toBe(0);
        const fits = await o.scim('POST', '/Users', userBody(userName, { displayName: 'x'.repeat(100) }));
        expect(fits.status).toBe(201);
      } finally {
        await small.app.close();
      }
    });
  });

  describe('routes and ids', () => {
    it('answers 404 in SCIM JSON for unknown endpoints under /scim/v2', async () => {
      for (const url of ['/scim/v2/Devices', '/scim/v2/Users/x/y', '/scim/v2/']) {
        const r = await rawRequest(t, { method: 'GET', url, token: org.token });
        expect({ url, status: r.status }).toEqual({ url, status: 404 });
        expectScimError(r, 404);
      }
    });

    it('answers 501 for /Me, which a token naming an organisation cannot serve (RFC 7644 §3.11)', async () => {
      // Found by a reviewer: /Me answered 404, where the RFC asks for 501.
      for (const [method, url] of [['GET', '/scim/v2/Me'], ['PATCH', '/scim/v2/Me'], ['GET', '/scim/v2/me'], ['DELETE', '/scim/v2/Me/x']] as const) {
        const r = await rawRequest(t, { method, url, token: org.token });
        expect({ method, url, status: r.status }).toEqual({ method, url, status: 501 });
        expectScimError(r, 501);
      }
      // Still after authentication, like every SCIM call.
      expect((await rawRequest(t, { method: 'GET', url: '/scim/v2/Me' })).status).toBe(401);
    });

    it('answers 404 for unknown user ids, well-formed or not, on every verb', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '12345']) {
        expectScimError(await org.scim('GET', `/Users/${id}`), 404);
        expectScimError(await org.scim('PUT', `/Users/${id}`, userBody(`ghost-${++n}@example.com`)), 404);
        expectScimError(await org.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })), 404);
        expectScimError(await org.scim('DELETE', `/Users/${id}`), 404);
      }
    });

    it('answers 404 (never 403) for another org\'s user and group on every verb', async () => {
      const other = await testOrg(t);
      const u = await createUser(other, `theirs-${++n}@example.com`);
      const g = await createGroup(other, 'Theirs');
      expectScimError(await org.scim('GET', `/Users/${u.id}`), 404);
      expectScimError(await org.scim('PUT', `/Users/${u.id}`, userBody(u.userName, { displayName: 'Hijacked' })), 404);
      expectScimError(await org.scim('GET', `/Groups/${g.id}`), 404);
      expect((await other.scim('GET', `/Users/${u.id}`)).body.displayName).toBeUndefined();
      const list = await org.scim('GET', `/Users?${filterQuery(`id eq "${u.id}"`)}`);
      expect(list.body.totalResults).toBe(0);
    });
  });

  describe('userName', () => {
    it('answers 400 invalidValue for a missing, empty or blank userName on PUT, and keeps the user', async () => {
      const u = await createUser(org, `put-name-${++n}@example.com`);
      for (const body of [{ schemas: [USER] }, { schemas: [USER], userName: '' }, { schemas: [USER], userName: '  ' }, { schemas: [USER], userName: null }]) {
        const r = await org.scim('PUT', `/Users/${u.id}`, body);
        expectScimError(r, 400, 'invalidValue', 'userName');
      }
      expect((await org.scim('GET', `/Users/${u.id}`)).body.userName).toBe(u.userName);
    });

    it('answers 400 invalidValue for a userName that is not a string', async () => {
      expectScimError(await org.scim('POST', '/Users', { schemas: [USER], userName: 42 }), 400, 'invalidValue', 'userName');
      expectScimError(await org.scim('POST', '/Users', { schemas: [USER], userName: ['a@example.com'] }), 400, 'invalidValue', 'userName');
    });

    it('answers 409 uniqueness for a PUT or PATCH onto another user\'s userName (case-insensitive)', async () => {
      const a = await createUser(org, `taken-${++n}@example.com`);
      const b = await createUser(org, `other-${++n}@example.com`);
      expectScimError(await org.scim('PUT', `/Users/${b.id}`, userBody(a.userName.toUpperCase())), 409, 'uniqueness');
      expectScimError(await org.scim('PATCH', `/Users/${b.id}`, patchOp({ op: 'replace', path: 'userName', value: a.userName })), 409, 'uniqueness');
      expect((await org.scim('GET', `/Users/${b.id}`)).body.userName).toBe(b.userName);
    });

    it('answers 409 for a userName differing only in the case of non-ASCII letters', async () => {
      const first = await org.scim('POST', '/Users', userBody(`ÅSA.ÖBERG-${++n}@example.com`));
      expect(first.status).toBe(201);
      const again = await org.scim('POST', '/Users', userBody(`åsa.öberg-${n}@example.com`));
      expectScimError(again, 409, 'uniqueness');
    });

    it('lets a user change the letter case of its own userName', async () => {
      const u = await createUser(org, `recase-${++n}@example.com`);
      const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'userName', value: u.userName.toUpperCase() }));
      expect(r.status).toBe(200);
      expect(r.body.userName).toBe(u.userName.toUpperCase());
      const put = await org.scim('PUT', `/Users/${u.id}`, userBody(u.userName));
      expect(put.status).toBe(200);
      expect(put.body.userName).toBe(u.userName);
    });

    it('lets the same userName exist in two orgs', async () => {
      const other = await testOrg(t);
      const userName = `shared-${++n}@example.com`;
      await createUser(org, userName);
      expect((await other.scim('POST', '/Users', userBody(userName))).status).toBe(201);
    });
  });

  describe('attribute types', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['active "maybe"', { active: 'maybe' }, 'active'],
      ['active 1', { active: 1 }, 'active'],
      ['name "x"', { name: 'x' }, 'name'],
      ['name.givenName 5', { name: { givenName: 5 } }, 'name.givenName'],
      ['emails "x"', { emails: 'x' }, 'emails'],
      ['emails [{value: 5}]', { emails: [{ value: 5 }] }, 'emails.value'],
      ['emails primary "often"', { emails: [{ value: 'a@example.com', primary: 'often' }] }, 'emails.primary'],
      ['displayName {}', { displayName: { text: 'x' } }, 'displayName'],
      ['title []', { title: ['a', 'b'] }, 'title'],
      ['enterprise department 7', { [ENTERPRISE]: { department: 7 } }, 'department'],
      ['enterprise extension "x"', { [ENTERPRISE]: 'x' }, ENTERPRISE],
    ];

    for (const [what, extra, attribute] of cases) {
      it(`answers 400 invalidValue naming "${attribute}" for ${what} on POST, PUT and PATCH`, async () => {
        const userName = `types-${++n}@example.com`;
        const post = await org.scim('POST', '/Users', { schemas: [USER, ENTERPRISE], userName, ...extra });
        expectScimError(post, 400, 'invalidValue', attribute);
        expect(await countUsers(userName)).toBe(0);
        const u = await createUser(org, userName);
        const put = await org.scim('PUT', `/Users/${u.id}`, { schemas: [USER, ENTERPRISE], userName, ...extra });
        expectScimError(put, 400, 'invalidValue', attribute);
        const [key, value] = Object.entries(extra)[0]!;
        const patch = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: key, value }));
        expectScimError(patch, 400, 'invalidValue', attribute);
        const after = await org.scim('GET', `/Users/${u.id}`);
        expect(after.body.meta.version).toBe(u.meta.version);
      });
    }

    it('accepts the strings "True" and "False" for booleans (Entra) and stores booleans', async () => {
      const u = await org.scim('POST', '/Users', { schemas: [USER], userName: `bool-${++n}@example.com`, active: 'False' });
      expect(u.status).toBe(201);
      expect(u.body.active).toBe(false);
    });
  });

  describe('unknown and write-only attributes', () => {
    it('ignores unknown attributes and schemas on POST and PUT and never returns them', async () => {
      const body = {
        schemas: [USER, 'urn:example:custom:2.0:User'],
        userName: `unknown-${++n}@example.com`,
        favouriteColour: 'teal',
        'urn:example:custom:2.0:User': { shoeSize: 44 },
        name: { givenName: 'Una', nickname2: 'x' },
      };
      const r = await org.scim('POST', '/Users', body);
      expect(r.status).toBe(201);
      expect(r.body.favouriteColour).toBeUndefined();
      expect(r.body['urn:example:custom:2.0:User']).toBeUndefined();
      expect(r.body.schemas).not.toContain('urn:example:custom:2.0:User');
      expect(r.body.name).toEqual({ givenName: 'Una' });
      const got = await org.scim('GET', `/Users/${r.body.id}`);
      expect(got.body.favouriteColour).toBeUndefined();
      expect(got.body['urn:example:custom:2.0:User']).toBeUndefined();
      const put = await org.scim('PUT', `/Users/${r.body.id}`, { ...body, favouriteColour: 'red' });
      expect(put.status).toBe(200);
      expect(put.body.favouriteColour).toBeUndefined();
    });

    it('ignores a client-chosen id and meta on POST (readOnly, RFC 7643 §3.1)', async () => {
      const chosen = randomUUID();
      const r = await org.scim('POST', '/Users', {
        ...userBody(`readonly-body-${++n}@example.com`),
        id: chosen,
        meta: { created: '2001-01-01T00:00:00Z', version: 'W/"99"', resourceType: 'Group', location: 'https://evil.example/x' },
      });
      expect(r.status).toBe(201);
      expect(r.body.id).not.toBe(chosen);
      expect(r.body.meta.created).not.toBe('2001-01-01T00:00:00Z');
      expect(r.body.meta.resourceType).toBe('User');
      expect(r.body.meta.version).not.toBe('W/"99"');
      expect(r.body.meta.location).toBe(`https://scim.test/scim/v2/Users/${r.body.id}`);
      expectScimError(await org.scim('GET', `/Users/${chosen}`), 404);
    });

    it('recognises attribute names in any letter case (RFC 7643 §2.1) and answers the schema spelling', async () => {
      const r = await org.scim('POST', '/Users', { SCHEMAS: [USER], USERNAME: `cased-${++n}@example.com`, Name: { GIVENNAME: 'Case', familyname: 'Insensitive' }, DisplayName: 'Cased', ACTIVE: false });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ userName: `cased-${n}@example.com`, name: { givenName: 'Case', familyName: 'Insensitive' }, displayName: 'Cased', active: false });
      expect(r.body.USERNAME).toBeUndefined();
      expect(r.body.Name).toBeUndefined();
    });

    it('lists the extension URN in schemas exactly when the resource has extension data', async () => {
      const plain = await org.scim('POST', '/Users', { schemas: [USER, ENTERPRISE], userName: `schemas-${++n}@example.com` });
      expect(plain.status).toBe(201);
      expect(plain.body.schemas).toEqual([USER]);
      const ext = await org.scim('POST', '/Users', { schemas: [USER], userName: `schemas-${++n}@example.com`, [ENTERPRISE]: { employeeNumber: '42' } });
      expect(ext.status).toBe(201);
      expect([...ext.body.schemas].sort()).toEqual([ENTERPRISE, USER].sort());
      expect(ext.body[ENTERPRISE]).toEqual({ employeeNumber: '42' });
    });

    it('never returns password: not on POST, GET, PUT, PATCH, list, .search or when asked for', async () => {
      const userName = `secret-${++n}@example.com`;
      const created = await org.scim('POST', '/Users', userBody(userName, { password: 'S3cret!pass' }));
      expect(created.status).toBe(201);
      const id = created.body.id;
      const answers = [
        created.body,
        (await org.scim('GET', `/Users/${id}`)).body,
        (await org.scim('GET', `/Users/${id}?attributes=password,userName`)).body,
        (await org.scim('PUT', `/Users/${id}`, userBody(userName, { password: 'N3w!pass' }))).body,
        (await org.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'password', value: 'Th1rd!pass' }))).body,
        (await org.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', value: { password: 'F0urth!pass' } }))).body,
        (await org.scim('GET', `/Users?${filterQuery(`userName eq "${userName}"`)}&attributes=password`)).body.Resources[0],
        (await org.scim('POST', '/Users/.search', { schemas: [SEARCH], filter: `userName eq "${userName}"` })).body.Resources[0],
      ];
      for (const a of answers) {
        expect(a.id).toBe(id);
        expect(JSON.stringify(a)).not.toMatch(/password|S3cret|N3w!|Th1rd|F0urth/i);
      }
    });

    it('answers 400 for filtering on password', async () => {
      const r = await org.scim('GET', `/Users?${filterQuery('password eq "S3cret!pass"')}`);
      expect(r.status).toBe(400);
    });
  });

  describe('PATCH', () => {
    it('is atomic: a bad last operation changes nothing', async () => {
      const u = await createUser(org, `atomic-${++n}@example.com`, { displayName: 'Before', title: 'Before' });
      const bad = [
        { op: 'remove', path: 'userName' },
        { op: 'replace', path: 'active', value: 'maybe' },
        { op: 'replace', path: 'emails[type eq "work"', value: 'x' },
        { op: 'add', path: 'id', value: randomUUID() },
        { op: 'move', path: 'title', value: 'x' },
      ];
      for (const last of bad) {
        const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'After' }, { op: 'replace', path: 'title', value: 'After' }, last));
        expect({ last, status: r.status }).toEqual({ last, status: 400 });
        expectScimError(r, 400, r.body.scimType);
        expect(['invalidValue', 'invalidPath', 'invalidSyntax', 'mutability', 'noTarget']).toContain(r.body.scimType);
      }
      const after = await org.scim('GET', `/Users/${u.id}`);
      expect(after.body).toMatchObject({ displayName: 'Before', title: 'Before', userName: u.userName, meta: { version: u.meta.version } });
    });

    it('answers 400 invalidSyntax for an unknown op and for a malformed PatchOp', async () => {
      const u = await createUser(org, `badop-${++n}@example.com`);
      const cases: unknown[] = [
        patchOp({ op: 'move', path: 'title', value: 'x' }),
        patchOp({ op: 'copy', path: 'title', value: 'x' }),
        patchOp({ path: 'title', value: 'x' } as never),
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] },
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] },
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: 'replace' },
        { schemas: [USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
        patchOp({ op: 'replace', path: 'title' }),
      ];
      for (const body of cases) {
        const r = await org.scim('PATCH', `/Users/${u.id}`, body);
        expect({ body, status: r.status, scimType: r.body?.scimType }).toEqual({ body, status: 400, scimType: 'invalidSyntax' });
        expectScimError(r, 400, 'invalidSyntax');
      }
      expect((await org.scim('GET', `/Users/${u.id}`)).body.meta.version).toBe(u.meta.version);
    });

    it('answers 400 invalidPath for a malformed path and noTarget for remove without a path', async () => {
      const u = await createUser(org, `badpath-${++n}@example.com`);
      expectScimError(await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'emails[type eq "work"', value: 'x' })), 400, 'invalidPath');
      expectScimError(await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'name..givenName', value: 'x' })), 400, 'invalidPath');
      expectScimError(await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'remove' })), 400, 'noTarget');
    });

    it('answers 400 mutability for a path naming a readOnly attribute', async () => {
      const u = await createUser(org, `readonly-${++n}@example.com`);
      for (const path of ['id', 'meta.created', 'groups']) {
        const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path, value: path === 'groups' ? [] : 'x' }));
        expect({ path, status: r.status }).toEqual({ path, status: 400 });
        expectScimError(r, 400, 'mutability');
      }
      expect((await org.scim('GET', `/Users/${u.id}`)).body.id).toBe(u.id);
    });

    it('answers 400 mutability when a PUT body names another id', async () => {
      const u = await createUser(org, `put-id-${++n}@example.com`);
      const r = await org.scim('PUT', `/Users/${u.id}`, { ...userBody(u.userName), id: randomUUID() });
      expectScimError(r, 400, 'mutability');
    });
  });

  describe('list parameters', () => {
    it('answers 400 for both attributes and excludedAttributes, and for a bad sortOrder or sortBy', async () => {
      expectScimError(await org.scim('GET', '/Users?attributes=userName&excludedAttributes=emails'), 400, 'invalidValue');
      expectScimError(await org.scim('GET', '/Users?sortBy=userName&sortOrder=sideways'), 400, 'invalidValue');
      expectScimError(await org.scim('GET', '/Users?sortBy=noSuchAttribute'), 400, 'invalidValue');
    });

    it('answers 400 invalidFilter for a filter on an unknown attribute or a wrong operand type', async () => {
      expectScimError(await org.scim('GET', `/Users?${filterQuery('noSuchAttribute eq "x"')}`), 400, 'invalidFilter');
      expectScimError(await org.scim('GET', `/Users?${filterQuery('active gt true')}`), 400, 'invalidFilter');
      expectScimError(await org.scim('GET', `/Users?${filterQuery('meta.created gt "not a date"')}`), 400, 'invalidFilter');
    });
  });

  describe('no 500 for hostile input', () => {
    it('answers a 4xx SCIM error, never a 500, for odd requests', async () => {
      const u = await createUser(org, `fuzz-${++n}@example.com`);
      const g = await createGroup(org, `Fuzz ${n}`);
      const deep = JSON.stringify(Array.from({ length: 200 }).reduce((acc: unknown) => ({ a: acc }), { userName: 'x' }));
      const attempts: [string, string, string?][] = [
        ['GET', `/Users?${filterQuery('('.repeat(500) + 'userName eq "a"' + ')'.repeat(500))}`],
        ['GET', `/Users?${filterQuery('userName eq "' + 'x'.repeat(10_000) + '"')}`],
        ['GET', `/Users?${filterQuery('emails[value[type eq "x"]]')}`],
        ['GET', `/Users?${filterQuery('userName eq "\u0000"')}`],
        ['GET', `/Users?${filterQuery('meta.created gt "99999-01-01T00:00:00Z"')}`],
        ['GET', `/Users?${filterQuery('name gt "x"')}`],
        ['GET', `/Users?${filterQuery('emails.primary gt true')}`],
        ['GET', `/Users?${filterQuery('id gt 5')}`],
        ['GET', '/Users?count=99999999999999999999&startIndex=99999999999999999999'],
        ['GET', '/Users?count=1.5'],
        ['GET', '/Users?startIndex=2&startIndex=3'],
        ['GET', '/Users?sortBy=name'],
        ['GET', '/Users?sortBy=emails.primary'],
        ['GET', `/Users/${u.id}?attributes=${'a,'.repeat(2000)}`],
        ['GET', `/Users/${'%00'}`],
        ['GET', `/Groups?${filterQuery('members gt "x"')}`],
        ['GET', `/Groups?${filterQuery('members[display eq "x"]')}`],
        ['POST', '/Users', deep],
        ['POST', '/Users', JSON.stringify({ schemas: [USER], userName: `fuzz-nul-${n}\u0000@example.com` })],
        ['POST', '/Users', JSON.stringify({ schemas: [USER], userName: 'x'.repeat(100_000) })],
        ['POST', '/Users', JSON.stringify({ schemas: [USER], userName: `fuzz-${n}-2@example.com`, emails: [{ value: 'a' }, { value: 'b', primary: true }, { value: 'c', primary: true }], addresses: 'x' })],
        ['POST', '/Users', JSON.stringify({ schemas: [USER], userName: `fuzz-${n}-3@example.com`, [ENTERPRISE]: { manager: { value: 5 } } })],
        ['POST', '/Users', JSON.stringify({ __proto__: { userName: 'x' }, schemas: [USER] })],
        ['POST', '/Groups', JSON.stringify({ schemas: [GROUP], displayName: 'Fuzz members', members: 'x' })],
        ['POST', '/Groups', JSON.stringify({ schemas: [GROUP], displayName: 'Fuzz members', members: [{ value: 5 }] })],
        ['POST', '/Groups', JSON.stringify({ schemas: [GROUP], displayName: 'Fuzz members', members: [{ value: `${u.id}x` }] })],
        ['PATCH', `/Users/${u.id}`, JSON.stringify(patchOp({ op: 'add', path: 'emails[type eq "work"].value.x', value: 'x' }))],
        ['PATCH', `/Users/${u.id}`, JSON.stringify(patchOp({ op: 'replace', path: 42 as never, value: 'x' }))],
        ['PATCH', `/Users/${u.id}`, JSON.stringify(patchOp({ op: 'replace', value: 'not an object' }))],
        ['PATCH', `/Users/${u.id}`, JSON.stringify(patchOp({ op: 'remove', path: 'emails[value co "%"]' }, { op: 'replace', path: 'name', value: 'x' }))],
        ['PATCH', `/Groups/${g.id}`, JSON.stringify(patchOp({ op: 'add', path: 'members[value eq "x"]', value: [{ value: u.id }] }))],
        ['PATCH', `/Groups/${g.id}`, JSON.stringify(patchOp({ op: 'remove', path: 'members[display eq "x"]' }))],
        ['PATCH', `/Groups/${g.id}`, JSON.stringify(patchOp({ op: 'add', path: 'members', value: 'x' }))],
        ['POST', '/Bulk', JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'bulkId:a' } }], failOnErrors: 'x' })],
        ['POST', '/Bulk', JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'POST', path: '/Nothing', bulkId: 'a', data: {} }] })],
        ['POST', '/.search', JSON.stringify({ schemas: [SEARCH], filter: 42 })],
        ['POST', '/.search', JSON.stringify({ schemas: [SEARCH], startIndex: 'x' })],
      ];
      for (const [method, path, payload] of attempts) {
        const r = await rawRequest(t, {
          method: method as 'GET',
          url: `/scim/v2${path}`,
          token: org.token,
          ...(payload !== undefined ? { headers: { 'content-type': 'application/scim+json' }, payload } : {}),
        });
        const label = `${method} ${path.slice(0, 120)} ${payload?.slice(0, 120) ?? ''}`;
        expect({ label, serverError: r.status >= 500 }).toEqual({ label, serverError: false });
        if (r.status >= 400) {
          expect({ label, type: r.headers['content-type'], schema: r.json?.schemas }).toEqual({ label, type: 'application/scim+json; charset=utf-8', schema: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
        }
      }
    });
  });
});
