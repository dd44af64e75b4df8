/**
 * Listing and searching (RFC 7644 §3.4.2 GET with query parameters, §3.4.3
 * POST `.search`): paging, sorting, attribute projection and filters. One org
 * holds a fixed set of seven users, so every count below is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createGroup, createUser, ENTERPRISE, expectScimError, filterQuery, LIST, SEARCH, SCIM_JSON, sleep, USER } from '../support/scim.js';

type Resource = Record<string, any>;

/**
 * The fixture users, in creation order. Sort keys were chosen so that a wrong
 * implementation gives a different order: `Carl@List.test` sorts third only
 * case-insensitively; bob's primary e-mail (`y-bob`) is not his first (`a-bob-home`);
 * dora has no familyName, eve no e-mail.
 */
const FIXTURE: [string, Record<string, unknown>][] = [
  ['ann@list.test', { name: { givenName: 'Ann', familyName: 'Zeller' }, emails: [{ value: 'z-ann@work.test', type: 'work', primary: true }], title: 'Engineer', active: true, [ENTERPRISE]: { department: 'R&D' } }],
  ['bob@list.test', { name: { givenName: 'Bob', familyName: 'Young' }, emails: [{ value: 'a-bob-home@home.test', type: 'home' }, { value: 'y-bob@work.test', type: 'work', primary: true }], active: true }],
  ['Carl@List.test', { name: { givenName: 'Carl', familyName: 'Xavier' }, emails: [{ value: 'x-carl@work.test', type: 'work' }], title: 'Manager', active: false }],
  ['dora@list.test', { name: { givenName: 'Dora' }, emails: [{ value: 'w-dora@work.test', type: 'work' }], title: 'Engineer', active: true }],
  ['eve@list.test', { name: { givenName: 'Eve', familyName: 'Adams' }, displayName: 'Eve list-root', nickName: 'evie', active: true }],
  ['frank@list.test', { name: { givenName: 'Frank', familyName: 'Brown' }, emails: [{ value: 'b-frank@work.test', type: 'work' }, { value: 'c-frank@home.test', type: 'home' }], active: true, [ENTERPRISE]: { department: 'Sales' } }],
  ['gina@list.test', { name: { givenName: 'Gina', familyName: 'Clark' }, emails: [{ value: 'c-gina@work.test', type: 'work' }], title: 'Director', active: true }],
];

async function seed(org: TestOrg): Promise<Map<string, Resource>> {
  const byName = new Map<string, Resource>();
  for (const [userName, extra] of FIXTURE) {
    const { emails, ...rest } = extra as { emails?: unknown };
    const r = await org.scim('POST', '/Users', { schemas: [USER, ...(ENTERPRISE in rest ? [ENTERPRISE] : [])], userName, ...(emails ? { emails } : {}), ...rest });
    if (r.status !== 201) throw new Error(`seed ${userName}: ${r.status} ${JSON.stringify(r.body)}`);
    byName.set(userName, r.body);
  }
  return byName;
}

const names = (body: { Resources?: Resource[] }) => (body.Resources ?? []).map((r) => r.userName);

describe.each(dialects())('Lists and searches on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let users: Map<string, Resource>;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
    users = await seed(org);
  });
  afterAll(() => t.app.close());

  const list = (query: string) => org.scim('GET', `/Users?${query}`);
  const filtered = async (filter: string, extra = '') => {
    const r = await list(`${filterQuery(filter)}&sortBy=userName${extra}`);
    expect({ filter, status: r.status, body: r.status === 200 ? undefined : r.body }).toEqual({ filter, status: 200, body: undefined });
    expect(r.body.totalResults).toBe(r.body.Resources?.length ?? 0);
    return names(r.body);
  };

  describe('the ListResponse and the IdP Test Connection', () => {
    it('answers a ListResponse with every user of the org and nothing of other orgs', async () => {
      const other = await testOrg(t);
      await createUser(other, 'ann@list.test');
      const r = await list('');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 7, startIndex: 1, itemsPerPage: 7 });
      expect(r.body.Resources).toHaveLength(7);
      expect(new Set(r.body.Resources.map((u: Resource) => u.id))).toEqual(new Set([...users.values()].map((u) => u.id)));
      for (const u of r.body.Resources) expect(u.meta.resourceType).toBe('User');
    });

    it('answers GET /Users?count=1 and a filter for an unknown userName with 200 (Test Connection)', async () => {
      const one = await list('count=1');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ totalResults: 7, itemsPerPage: 1, startIndex: 1 });
      expect(one.body.Resources).toHaveLength(1);
      const none = await list(filterQuery(`userName eq "${crypto.randomUUID()}"`));
      expect(none.status).toBe(200);
      expect(none.body).toMatchObject({ schemas: [LIST], totalResults: 0 });
      expect(none.body.Resources ?? []).toEqual([]);
    });
  });

  describe('paging (RFC 7644 §3.4.2.4)', () => {
    it('is 1-based: startIndex=3&count=2 answers the third and fourth users', async () => {
      const r = await list('sortBy=userName&startIndex=3&count=2');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ totalResults: 7, startIndex: 3, itemsPerPage: 2 });
      expect(names(r.body)).toEqual(['Carl@List.test', 'dora@list.test']);
    });

    it('reads a startIndex below 1 as 1', async () => {
      for (const startIndex of ['0', '-5']) {
        const r = await list(`sortBy=userName&startIndex=${startIndex}&count=2`);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 2 });
        expect(names(r.body)).toEqual(['ann@list.test', 'bob@list.test']);
      }
    });

    it('answers only totalResults for count=0, and reads a negative count as 0', async () => {
      for (const count of ['0', '-1']) {
        const r = await list(`count=${count}`);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 7, itemsPerPage: 0 });
        expect(r.body.Resources ?? []).toEqual([]);
      }
    });

    it('answers the short last page and an empty page past the end', async () => {
      const last = await list('sortBy=userName&startIndex=7&count=5');
      expect(last.body).toMatchObject({ totalResults: 7, startIndex: 7, itemsPerPage: 1 });
      expect(names(last.body)).toEqual(['gina@list.test']);
      const past = await list('sortBy=userName&startIndex=8&count=5');
      expect(past.status).toBe(200);
      expect(past.body).toMatchObject({ totalResults: 7, startIndex: 8, itemsPerPage: 0 });
      expect(past.body.Resources ?? []).toEqual([]);
    });

    it('without sortBy answers creation order (docs/scim.md)', async () => {
      expect(names((await list('')).body)).toEqual(FIXTURE.map(([n]) => n));
      expect(names((await list('startIndex=4&count=2')).body)).toEqual(['dora@list.test', 'eve@list.test']);
    });

    it('pages without sortBy in a stable order: consecutive pages cover every user once', async () => {
      const seen: string[] = [];
      for (let start = 1; start <= 7; start += 3) seen.push(...names((await list(`startIndex=${start}&count=3`)).body));
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    });

    it('answers 400 invalidValue for a count or startIndex that is not a number', async () => {
      expectScimError(await list('count=ten'), 400, 'invalidValue');
      expectScimError(await list('startIndex=first'), 400, 'invalidValue');
    });

    it('clamps count to the server maximum and uses the maximum when count is absent', async () => {
      const small = await testApp(dialect, { maxPageSize: 5 });
      try {
        const o = await testOrg(small);
        await seed(o);
        const big = await o.scim('GET', '/Users?count=100&sortBy=userName');
        expect(big.status).toBe(200);
        expect(big.body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 5 });
        expect(names(big.body)).toEqual(['ann@list.test', 'bob@list.test', 'Carl@List.test', 'dora@list.test', 'eve@list.test']);
        const none = await o.scim('GET', '/Users?sortBy=userName');
        expect(none.body).toMatchObject({ totalResults: 7, itemsPerPage: 5 });
        const rest = await o.scim('GET', '/Users?sortBy=userName&startIndex=6&count=100');
        expect(rest.body).toMatchObject({ totalResults: 7, startIndex: 6, itemsPerPage: 2 });
        expect(names(rest.body)).toEqual(['frank@list.test', 'gina@list.test']);
        const search = await o.scim('POST', '/Users/.search', { schemas: [SEARCH], count: 50 });
        expect(search.body).toMatchObject({ totalResults: 7, itemsPerPage: 5 });
        const root = await o.scim('POST', '/.search', { schemas: [SEARCH], count: 50 });
        expect(root.body).toMatchObject({ totalResults: 7, itemsPerPage: 5 });
        expect(root.body.Resources).toHaveLength(5);
      } finally {
        await small.app.close();
      }
    });
  });

  describe('sorting (RFC 7644 §3.4.2.3)', () => {
    const order = async (query: string) => {
      const r = await list(query);
      expect({ query, status: r.status }).toEqual({ query, status: 200 });
      return names(r.body);
    };

    it('sorts by userName case-insensitively, ascending by default', async () => {
      const asc = ['ann@list.test', 'bob@list.test', 'Carl@List.test', 'dora@list.test', 'eve@list.test', 'frank@list.test', 'gina@list.test'];
      expect(await order('sortBy=userName')).toEqual(asc);
      expect(await order('sortBy=userName&sortOrder=ascending')).toEqual(asc);
      expect(await order('sortBy=userName&sortOrder=descending')).toEqual([...asc].reverse());
    });

    it('sorts by name.familyName, users without one last when ascending', async () => {
      expect(await order('sortBy=name.familyName')).toEqual(['eve@list.test', 'frank@list.test', 'gina@list.test', 'Carl@List.test', 'bob@list.test', 'ann@list.test', 'dora@list.test']);
    });

    it('sorts by name.familyName descending with users without one first (RFC 7644 §3.4.2.3)', async () => {
      expect(await order('sortBy=name.familyName&sortOrder=descending')).toEqual(['dora@list.test', 'ann@list.test', 'bob@list.test', 'Carl@List.test', 'gina@list.test', 'frank@list.test', 'eve@list.test']);
    });

    it('sorts by meta.created in creation order, and reversed', async () => {
      const created = FIXTURE.map(([n]) => n);
      expect(await order('sortBy=meta.created')).toEqual(created);
      expect(await order('sortBy=meta.created&sortOrder=descending')).toEqual([...created].reverse());
    });

    it('sorts by emails using the primary value, else the first; users without e-mails last', async () => {
      expect(await order('sortBy=emails')).toEqual(['frank@list.test', 'gina@list.test', 'dora@list.test', 'Carl@List.test', 'bob@list.test', 'ann@list.test', 'eve@list.test']);
      expect(await order('sortBy=emails.value')).toEqual(['frank@list.test', 'gina@list.test', 'dora@list.test', 'Carl@List.test', 'bob@list.test', 'ann@list.test', 'eve@list.test']);
    });

    it('sorts before paging', async () => {
      expect(await order('sortBy=name.familyName&startIndex=2&count=2')).toEqual(['frank@list.test', 'gina@list.test']);
    });

    it('accepts a URN-qualified and differently cased sortBy', async () => {
      expect(await order(`sortBy=${USER}:name.familyName&count=1`)).toEqual(['eve@list.test']);
      expect(await order('sortBy=USERNAME&sortOrder=descending&count=1')).toEqual(['gina@list.test']);
    });
  });

  describe('attributes and excludedAttributes (RFC 7644 §3.4.2.5)', () => {
    const ann = () => users.get('ann@list.test')!;

    it('attributes=userName returns id, schemas and userName, and drops name and emails', async () => {
      const r = await list(`attributes=userName&${filterQuery('userName eq "ann@list.test"')}`);
      expect(r.status).toBe(200);
      const u = r.body.Resources[0];
      expect(u.id).toBe(ann().id);
      expect(u.schemas).toContain(USER);
      expect(u.userName).toBe('ann@list.test');
      for (const absent of ['name', 'emails', 'title', 'active', ENTERPRISE, 'password']) expect(u[absent]).toBeUndefined();
      const one = await org.scim('GET', `/Users/${ann().id}?attributes=userName`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: ann().id, userName: 'ann@list.test' });
      expect(one.body.schemas).toContain(USER);
      expect(one.body.name).toBeUndefined();
    });

    it('attributes names sub-attributes and is case-insensitive', async () => {
      const r = await org.scim('GET', `/Users/${ann().id}?attributes=name.givenName,TITLE`);
      expect(r.status).toBe(200);
      expect(r.body.name).toEqual({ givenName: 'Ann' });
      expect(r.body.title).toBe('Engineer');
      expect(r.body.userName).toBeUndefined();
      expect(r.body.id).toBe(ann().id);
    });

    it('attributes may be URN-qualified, extension attributes included', async () => {
      const r = await org.scim('GET', `/Users/${ann().id}?attributes=${ENTERPRISE}:department,${USER}:userName`);
      expect(r.status).toBe(200);
      expect(r.body[ENTERPRISE]).toEqual({ department: 'R&D' });
      expect(r.body.userName).toBe('ann@list.test');
      expect(r.body.name).toBeUndefined();
    });

    it('excludedAttributes=emails drops emails and keeps the rest', async () => {
      const r = await list(`excludedAttributes=emails&${filterQuery('userName eq "ann@list.test"')}`);
      const u = r.body.Resources[0];
      expect(u.emails).toBeUndefined();
      expect(u).toMatchObject({ id: ann().id, userName: 'ann@list.test', name: { givenName: 'Ann', familyName: 'Zeller' }, title: 'Engineer', active: true });
      const one = await org.scim('GET', `/Users/${ann().id}?excludedAttributes=emails,name.familyName`);
      expect(one.body.emails).toBeUndefined();
      expect(one.body.name).toEqual({ givenName: 'Ann' });
    });

    describe('on the resource answered by POST, PUT and PATCH (RFC 7644 §3.9)', () => {
      let o: TestOrg;
      let id: string;
      const body = { schemas: [USER], userName: 'projected@example.com', name: { givenName: 'Pro', familyName: 'Jected' }, title: 'Tester', emails: [{ value: 'projected@example.com', type: 'work' }] };
      beforeAll(async () => {
        o = await testOrg(t);
        id = (await createUser(o, 'projected@example.com', body)).id;
      });

      it('POST /Users?attributes=userName answers only id, schemas and userName', async () => {
        const post = await o.scim('POST', '/Users?attributes=userName', { ...body, userName: 'projected-post@example.com' });
        expect(post.status).toBe(201);
        expect(post.body).toMatchObject({ id: expect.any(String), userName: 'projected-post@example.com' });
        expect(post.body.name).toBeUndefined();
        expect(post.body.emails).toBeUndefined();
        expect(post.body.title).toBeUndefined();
        const stored = await o.scim('GET', `/Users/${post.body.id}`);
        expect(stored.body).toMatchObject({ name: { givenName: 'Pro', familyName: 'Jected' }, title: 'Tester' });
      });

      it('PUT /Users/{id}?excludedAttributes=emails,name leaves them out of the answer only', async () => {
        const put = await o.scim('PUT', `/Users/${id}?excludedAttributes=emails,name`, { ...body, title: 'Put' });
        expect(put.status).toBe(200);
        expect(put.body).toMatchObject({ id, userName: 'projected@example.com', title: 'Put' });
        expect(put.body.emails).toBeUndefined();
        expect(put.body.name).toBeUndefined();
        const stored = await o.scim('GET', `/Users/${id}`);
        expect(stored.body).toMatchObject({ name: { givenName: 'Pro', familyName: 'Jected' }, emails: [{ value: 'projected@example.com', type: 'work' }], title: 'Put' });
      });

      it('PATCH /Users/{id}?attributes=title answers only id, schemas and title', async () => {
        const patch = await o.scim('PATCH', `/Users/${id}?attributes=title`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Patched' }] });
        expect(patch.status).toBe(200);
        expect(patch.body).toMatchObject({ id, title: 'Patched' });
        expect(patch.body.userName).toBeUndefined();
        expect(patch.body.name).toBeUndefined();
      });
    });

    it('never drops id or schemas, even when excluded', async () => {
      const r = await org.scim('GET', `/Users/${ann().id}?excludedAttributes=id,schemas,userName`);
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(ann().id);
      expect(r.body.schemas).toContain(USER);
      expect(r.body.userName).toBeUndefined();
      const listed = await list(`excludedAttributes=id&count=3`);
      for (const u of listed.body.Resources) expect(typeof u.id).toBe('string');
    });
  });

  describe('filters (RFC 7644 §3.4.2.2)', () => {
    it('eq and ne, case-insensitive for userName', async () => {
      expect(await filtered('userName eq "carl@list.test"')).toEqual(['Carl@List.test']);
      expect(await filtered('userName ne "ann@list.test"')).toEqual(['bob@list.test', 'Carl@List.test', 'dora@list.test', 'eve@list.test', 'frank@list.test', 'gina@list.test']);
    });

    it('co, sw and ew', async () => {
      expect(await filtered('userName co "o"')).toEqual(['bob@list.test', 'dora@list.test']);
      expect(await filtered('userName sw "CA"')).toEqual(['Carl@List.test']);
      expect(await filtered('userName ew "@LIST.TEST"')).toHaveLength(7);
      expect(await filtered('name.givenName co "in"')).toEqual(['gina@list.test']);
    });

    it('treats % and _ in co/sw/ew as literal characters', async () => {
      expect(await filtered('userName co "%"')).toEqual([]);
      expect(await filtered('userName co "_"')).toEqual([]);
      expect(await filtered('userName sw "_nn"')).toEqual([]);
      expect(await filtered('userName ew "%"')).toEqual([]);
    });

    it('gt, ge, lt and le compare strings lexicographically, case-insensitively for userName', async () => {
      expect(await filtered('userName gt "dora@list.test"')).toEqual(['eve@list.test', 'frank@list.test', 'gina@list.test']);
      expect(await filtered('userName ge "dora@list.test"')).toEqual(['dora@list.test', 'eve@list.test', 'frank@list.test', 'gina@list.test']);
      expect(await filtered('userName lt "c"')).toEqual(['ann@list.test', 'bob@list.test']);
      expect(await filtered('userName le "carl@list.test"')).toEqual(['ann@list.test', 'bob@list.test', 'Carl@List.test']);
    });

    it('pr on simple, complex sub- and multi-valued attributes', async () => {
      expect(await filtered('title pr')).toEqual(['ann@list.test', 'Carl@List.test', 'dora@list.test', 'gina@list.test']);
      expect(await filtered('name.familyName pr')).toHaveLength(6);
      expect(await filtered('emails pr')).toHaveLength(6);
      expect(await filtered('nickName pr')).toEqual(['eve@list.test']);
    });

    it('booleans', async () => {
      expect(await filtered('active eq false')).toEqual(['Carl@List.test']);
      expect(await filtered('active eq true')).toHaveLength(6);
    });

    it('and, or, not, and their precedence (and binds tighter than or)', async () => {
      expect(await filtered('title eq "Engineer" and active eq true')).toEqual(['ann@list.test', 'dora@list.test']);
      expect(await filtered('title eq "Manager" or title eq "Director"')).toEqual(['Carl@List.test', 'gina@list.test']);
      expect(await filtered('not (title pr)')).toEqual(['bob@list.test', 'eve@list.test', 'frank@list.test']);
      expect(await filtered('title eq "Engineer" or title eq "Manager" and active eq false')).toEqual(['ann@list.test', 'Carl@List.test', 'dora@list.test']);
    });

    it('parentheses group', async () => {
      expect(await filtered('(title eq "Engineer" or title eq "Manager") and active eq false')).toEqual(['Carl@List.test']);
      expect(await filtered('((userName sw "a") or (userName sw "b")) and not (emails[type eq "home"])')).toEqual(['ann@list.test']);
    });

    it('valuePath brackets match within one element of a multi-valued attribute', async () => {
      expect(await filtered('emails[type eq "home"]')).toEqual(['bob@list.test', 'frank@list.test']);
      expect(await filtered('emails[type eq "work" and value ew "@work.test"]')).toHaveLength(6);
      expect(await filtered('emails[type eq "home" and value sw "c-"]')).toEqual(['frank@list.test']);
      // bob has a home e-mail and a y- e-mail, but not in one element.
      expect(await filtered('emails[type eq "home" and value sw "y-"]')).toEqual([]);
    });

    it('compares any value of a multi-valued attribute', async () => {
      expect(await filtered('emails.value eq "c-frank@home.test"')).toEqual(['frank@list.test']);
      expect(await filtered('emails co "gina"')).toEqual(['gina@list.test']);
      expect(await filtered('emails.type eq "home"')).toEqual(['bob@list.test', 'frank@list.test']);
    });

    it('URN-qualified attribute paths, core and extension', async () => {
      expect(await filtered(`${USER}:userName eq "bob@list.test"`)).toEqual(['bob@list.test']);
      expect(await filtered(`${USER}:name.familyName eq "Young"`)).toEqual(['bob@list.test']);
      expect(await filtered(`${ENTERPRISE}:department eq "R&D"`)).toEqual(['ann@list.test']);
      expect(await filtered(`${ENTERPRISE}:department pr`)).toEqual(['ann@list.test', 'frank@list.test']);
    });

    it('attribute names and operators are case-insensitive', async () => {
      expect(await filtered('USERNAME EQ "bob@list.test"')).toEqual(['bob@list.test']);
      expect(await filtered('Name.FamilyName Sw "Y"')).toEqual(['bob@list.test']);
      expect(await filtered('TITLE PR AND NOT (Active Eq False)')).toEqual(['ann@list.test', 'dora@list.test', 'gina@list.test']);
      expect(await filtered('Emails[Type EQ "home"]')).toEqual(['bob@list.test', 'frank@list.test']);
    });

    it('id and meta.resourceType', async () => {
      expect(await filtered(`id eq "${users.get('eve@list.test')!.id}"`)).toEqual(['eve@list.test']);
      expect(await filtered('meta.resourceType eq "User"')).toHaveLength(7);
    });

    it('compares non-ASCII letters case-insensitively too', async () => {
      const o = await testOrg(t);
      await createUser(o, 'Émile.Zoë@example.com');
      const r = await o.scim('GET', `/Users?${filterQuery('userName eq "émile.zoë@example.com"')}`);
      expect(r.body.totalResults).toBe(1);
      const upper = await o.scim('GET', `/Users?${filterQuery('userName sw "ÉMILE.ZOË"')}`);
      expect(upper.body.totalResults).toBe(1);
    });

    it('string values with escapes are values, not syntax', async () => {
      expect(await filtered('userName eq "a\\"b"')).toEqual([]);
      expect(await filtered('title eq "Engineer\\u0020"')).toEqual([]);
    });

    it('answers 400 invalidFilter for malformed filters', async () => {
      for (const bad of [
        'userName eq',
        'userName xx "a"',
        '(userName eq "a"',
        'userName eq "a")',
        'userName eq "unterminated',
        'emails[type eq "work"',
        'and userName eq "a"',
        'userName eq "a" and',
        'userName eq bob',
        'userName pr "x"',
        'eq "a"',
        'not userName eq "a"',
        'userName eq "a" or',
        'emails[type eq "work"]]',
      ]) {
        const r = await list(filterQuery(bad));
        expect({ bad, status: r.status, scimType: r.body?.scimType }).toEqual({ bad, status: 400, scimType: 'invalidFilter' });
        expectScimError(r, 400, 'invalidFilter');
      }
    });
  });

  describe('meta.lastModified filters', () => {
    it('selects users changed after an instant', async () => {
      const o = await testOrg(t);
      const early = await createUser(o, 'early@example.com');
      await sleep(30);
      const between = new Date().toISOString();
      await sleep(30);
      const late = await createUser(o, 'late@example.com');
      const gt = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified gt "${between}"`)}`);
      expect(gt.status).toBe(200);
      expect(gt.body.Resources.map((u: Resource) => u.id)).toEqual([late.id]);
      const lt = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified lt "${between}"`)}`);
      expect(lt.body.Resources.map((u: Resource) => u.id)).toEqual([early.id]);
      // A later change moves the early user past the instant.
      await sleep(5);
      const patched = await o.scim('PATCH', `/Users/${early.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Moved' }] });
      expect(patched.status).toBe(200);
      const after = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified gt "${between}"`)}&sortBy=userName`);
      expect(after.body.Resources.map((u: Resource) => u.userName)).toEqual(['early@example.com', 'late@example.com']);
    });

    it('compares with the value the server returned: gt excludes the user itself, eq and ge include it', async () => {
      const o = await testOrg(t);
      const u = await createUser(o, 'self@example.com');
      const stamp = u.meta.lastModified as string;
      const gt = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified gt "${stamp}"`)}`);
      expect(gt.body.totalResults).toBe(0);
      const eq = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified eq "${stamp}"`)}`);
      expect(eq.body.totalResults).toBe(1);
      const ge = await o.scim('GET', `/Users?${filterQuery(`meta.lastModified ge "${stamp}"`)}`);
      expect(ge.body.totalResults).toBe(1);
      const created = await o.scim('GET', `/Users?${filterQuery(`meta.created eq "${u.meta.created as string}"`)}`);
      expect(created.body.totalResults).toBe(1);
      const createdGt = await o.scim('GET', `/Users?${filterQuery(`meta.created gt "${u.meta.created as string}"`)}`);
      expect(createdGt.body.totalResults).toBe(0);
    });

    it('answers 400 invalidFilter for a date that is not a dateTime', async () => {
      expectScimError(await list(filterQuery('meta.lastModified gt "yesterday"')), 400, 'invalidFilter');
    });
  });

  describe('POST .search (RFC 7644 §3.4.3)', () => {
    it('POST /Users/.search takes filter, paging, sorting and attributes from a SearchRequest body', async () => {
      const r = await org.scim('POST', '/Users/.search', {
        schemas: [SEARCH],
        filter: 'title eq "Engineer"',
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 1,
        count: 10,
        attributes: ['userName'],
      });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      expect(names(r.body)).toEqual(['dora@list.test', 'ann@list.test']);
      for (const u of r.body.Resources) {
        expect(Object.keys(u).filter((k) => !['id', 'schemas', 'userName', 'meta'].includes(k))).toEqual([]);
      }
    });

    it('POST /Users/.search pages and excludes attributes', async () => {
      const r = await org.scim('POST', '/Users/.search', { schemas: [SEARCH], sortBy: 'userName', startIndex: 2, count: 2, excludedAttributes: ['emails', 'name'] });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ totalResults: 7, startIndex: 2, itemsPerPage: 2 });
      expect(names(r.body)).toEqual(['bob@list.test', 'Carl@List.test']);
      expect(r.body.Resources[0].emails).toBeUndefined();
      expect(r.body.Resources[0].name).toBeUndefined();
    });

    it('POST /Users/.search answers 400 invalidFilter for a bad filter', async () => {
      expectScimError(await org.scim('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq' }), 400, 'invalidFilter');
    });

    it('POST /.search at the root searches users and groups together', async () => {
      const g = await createGroup(org, 'list-root group');
      const r = await org.scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName co "list-root"' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      const found = r.body.Resources.map((x: Resource) => [x.meta.resourceType, x.id]).sort();
      expect(found).toEqual([['Group', g.id], ['User', users.get('eve@list.test')!.id]]);
      const page2 = await org.scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName co "list-root"', startIndex: 2, count: 1 });
      expect(page2.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
      const page1 = await org.scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName co "list-root"', startIndex: 1, count: 1 });
      expect(new Set([page1.body.Resources[0].id, page2.body.Resources[0].id])).toEqual(new Set([g.id, users.get('eve@list.test')!.id]));
      const counted = await org.scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName co "list-root"', count: 0 });
      expect(counted.body).toMatchObject({ totalResults: 2, itemsPerPage: 0 });
    });

    it('GET /Groups filters on displayName too', async () => {
      const r = await org.scim('GET', `/Groups?${filterQuery('displayName eq "LIST-ROOT GROUP"')}`);
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(1);
    });
  });
});
