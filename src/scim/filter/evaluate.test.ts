import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { ENTERPRISE_USER_SCHEMA, groupResourceType, USER_SCHEMA, userResourceType } from '../schemas/resource-types.js';
import type { AttributeDef } from '../schemas/types.js';
import type { Filter } from './ast.js';
import { compileFilter, evaluateFilter } from './evaluate.js';
import { parseFilter } from './parse.js';
import { parsePatchPath } from './patch-path.js';

const userAttr = (name: string): AttributeDef => userResourceType.schema.attributes.find((a) => a.name === name)!;
const emails = userAttr('emails');
const roles = userAttr('roles');
const members = groupResourceType.schema.attributes.find((a) => a.name === 'members')!;
const parents: Record<string, AttributeDef> = { emails, roles, members };

const users: Record<string, Record<string, unknown>> = {
  bjensen: {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'bjensen-ext',
    userName: 'bjensen',
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    title: 'Tour Guide',
    userType: 'Employee',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@example.org', type: 'home' },
    ],
    ims: [{ value: 'babs@foo.com', type: 'xmpp' }],
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
    [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: 'mgr-1', displayName: 'John Smith' } },
  },
  jomalley: {
    schemas: [USER_SCHEMA],
    id: 'c75ad752-64ae-4823-840d-ffa80929976c',
    externalId: 'jo-ext',
    userName: 'JOMalley',
    name: { familyName: "O'Malley", givenName: 'Jo' },
    userType: 'Intern',
    active: false,
    emails: [{ value: 'jo@omalley.net', type: 'work' }],
    meta: { resourceType: 'User', lastModified: '2012-01-01T00:00:00Z' },
  },
  ksmith: {
    schemas: [USER_SCHEMA],
    id: '7f2a9c1e-3b4d-4e5f-8a6b-9c0d1e2f3a4b',
    userName: 'ksmith',
    title: '',
    userType: 'Employee',
    active: true,
    emails: [{ value: 'k@EXAMPLE.com', type: 'home' }],
    ims: [{ value: 'k@foo.com', type: 'xmpp' }],
    roles: [{ value: 'admin', primary: true }, { value: 'reader' }],
    meta: { resourceType: 'User', lastModified: '2011-05-13T06:42:34.000+02:00' },
  },
};

/** The users the filter selects, like an in-memory `GET /Users?filter=`. */
const matching = (text: string) => {
  const matches = compileFilter(parseFilter(text), { rt: userResourceType });
  return Object.keys(users).filter((name) => matches(users[name]));
};

function rejection(run: () => unknown): ScimError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error('expected a rejection');
}

describe('evaluateFilter over whole resources: RFC 7644 §3.4.2.2 examples', () => {
  it.each<[string, string[]]>([
    ['userName eq "bjensen"', ['bjensen']],
    [`name.familyName co "O'Malley"`, ['jomalley']],
    ['userName sw "J"', ['jomalley']],
    [`${USER_SCHEMA}:userName sw "J"`, ['jomalley']],
    ['title pr', ['bjensen']],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['jomalley']],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['bjensen', 'jomalley', 'ksmith']],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', []],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', ['bjensen', 'ksmith']],
    ['title pr and userType eq "Employee"', ['bjensen']],
    ['title pr or userType eq "Intern"', ['bjensen', 'jomalley']],
    [`schemas eq "${ENTERPRISE_USER_SCHEMA}"`, ['bjensen']],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ['bjensen', 'ksmith']],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['jomalley']],
    ['userType eq "Employee" and (emails.type eq "work")', ['bjensen']],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ['bjensen']],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ['bjensen', 'ksmith']],
  ])('%s', (text, expected) => {
    expect(matching(text)).toEqual(expected);
  });
});

describe('evaluateFilter over whole resources: semantics', () => {
  it.each<[string, string[]]>([
    // caseExact false compares case-insensitively; externalId and id are caseExact.
    ['userName eq "BJENSEN"', ['bjensen']],
    ['USERNAME EQ "BJENSEN" AND Active eq true', ['bjensen']],
    ['emails.value eq "K@example.COM"', ['ksmith']],
    ['externalId eq "bjensen-ext"', ['bjensen']],
    ['externalId eq "BJENSEN-EXT"', []],
    ['userName ew "SMITH"', ['ksmith']],
    ['userName gt "c"', ['jomalley', 'ksmith']],
    ['userName le "JOMALLEY"', ['bjensen', 'jomalley']],
    // Entra: value-path with a sub-attribute tail, unqualified extension attribute, booleans as strings.
    ['emails[type eq "work"].value eq "BJENSEN@example.com"', ['bjensen']],
    ['emails[type eq "home"].value eq "bjensen@example.com"', []],
    ['id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "mgr-1"', ['bjensen']],
    [`${ENTERPRISE_USER_SCHEMA}:manager.value eq "mgr-1"`, ['bjensen']],
    [`${ENTERPRISE_USER_SCHEMA}:employeeNumber pr`, ['bjensen']],
    ['manager.displayName sw "john"', ['bjensen']],
    ['active eq "True"', ['bjensen', 'ksmith']],
    ['active ne false', ['bjensen', 'ksmith']],
    ['roles[primary eq "TRUE"].value eq "admin"', ['ksmith']],
    // dateTimes compare as instants, whatever their spelling.
    ['meta.lastModified eq "2011-05-13T04:42:34Z"', ['bjensen', 'ksmith']],
    ['meta.lastModified eq "2011-05-13T04:42:34"', ['bjensen', 'ksmith']],
    ['meta.created lt "2011-01-01T00:00:00Z"', ['bjensen']],
    // pr: present and non-empty; null comparisons.
    ['title eq null', ['jomalley', 'ksmith']],
    ['title ne null', ['bjensen']],
    ['roles pr', ['ksmith']],
    ['roles eq null', ['bjensen', 'jomalley']],
    ['name pr', ['bjensen', 'jomalley']],
    ['emails[primary pr]', ['bjensen']],
    ['not (title pr)', ['jomalley', 'ksmith']],
    // An absent single value is unequal to anything; multi-valued ne matches if any value differs.
    ['title ne "Tour Guide"', ['jomalley', 'ksmith']],
    ['emails ne "bjensen@example.com"', ['bjensen', 'jomalley', 'ksmith']],
    ['not (emails eq "bjensen@example.com")', ['jomalley', 'ksmith']],
    // A number compared with a string attribute matches its JSON spelling.
    [`${ENTERPRISE_USER_SCHEMA}:employeeNumber eq 701984`, ['bjensen']],
  ])('%s', (text, expected) => {
    expect(matching(text)).toEqual(expected);
  });

  it('compares numbers numerically', () => {
    const rt = {
      ...userResourceType,
      extensions: [
        {
          required: false,
          schema: {
            id: 'urn:example:scores',
            name: 'Scores',
            description: '',
            attributes: [{ ...userAttr('title'), name: 'score', type: 'decimal' as const }],
          },
        },
      ],
    };
    const doc = { 'urn:example:scores': { score: 9.5 } };
    expect(evaluateFilter(parseFilter('score gt 10'), doc, { rt })).toBe(false);
    expect(evaluateFilter(parseFilter('score ge 9.5'), doc, { rt })).toBe(true);
    expect(evaluateFilter(parseFilter('score lt 1e1'), doc, { rt })).toBe(true);
    expect(evaluateFilter(parseFilter('score ne 9.5'), doc, { rt })).toBe(false);
    expect(() => evaluateFilter(parseFilter('score co 9'), doc, { rt })).toThrow(/Operator "co" does not apply/);
    expect(() => evaluateFilter(parseFilter('score eq "9.5"'), doc, { rt })).toThrow(/is a number/);
  });

  it('finds members and groups by id', () => {
    const group = { displayName: 'Engineering', members: [{ value: 'u-1', display: 'Alice' }, { value: 'u-2' }] };
    const ctx = { rt: groupResourceType };
    expect(evaluateFilter(parseFilter('members eq "u-2"'), group, ctx)).toBe(true);
    expect(evaluateFilter(parseFilter('members[value eq "u-3"]'), group, ctx)).toBe(false);
    expect(evaluateFilter(parseFilter('displayname eq "engineering" and members.value eq "u-1"'), group, ctx)).toBe(true);
  });

  it('reads attribute names case-insensitively in the document too', () => {
    expect(evaluateFilter(parseFilter('userName eq "x"'), { UserName: 'X' }, { rt: userResourceType })).toBe(true);
  });

  it('treats a non-object element as having no attributes', () => {
    expect(evaluateFilter(parseFilter('title eq null'), 'not an object', { rt: userResourceType })).toBe(true);
    expect(evaluateFilter(parseFilter('title pr'), null, { rt: userResourceType })).toBe(false);
  });
});

describe('evaluateFilter on one element of a multi-valued attribute (PATCH value filters)', () => {
  // Parsed the way PATCH gets them: the bracketed filter of a path.
  it.each<[string, string, unknown, boolean]>([
    ['emails', 'type eq "work"', { value: 'a@example.com', type: 'work' }, true],
    ['emails', 'type eq "work"', { value: 'a@example.com', type: 'Work' }, true],
    ['emails', 'type eq "work"', { value: 'a@example.com', type: 'home' }, false],
    ['emails', 'type eq "work"', { value: 'a@example.com' }, false],
    ['emails', 'TYPE Eq "work" and Value co "@EXAMPLE"', { value: 'a@example.com', type: 'work' }, true],
    ['emails', 'type eq "work" or primary eq true', { value: 'a@example.com', primary: true }, true],
    ['emails', 'not (type eq "work")', { value: 'a@example.com' }, true],
    ['emails', 'display pr', { value: 'a@example.com', display: '' }, false],
    ['emails', 'display eq null', { value: 'a@example.com' }, true],
    // Entra: roles[primary eq "True"] against a real boolean.
    ['roles', 'primary eq "True"', { value: 'admin', primary: true }, true],
    ['roles', 'primary eq "true"', { value: 'admin', primary: false }, false],
    ['roles', 'primary eq "False"', { value: 'admin', primary: false }, true],
    ['roles', 'primary eq "True"', { value: 'admin' }, false],
    ['roles', 'primary eq true', { value: 'admin', primary: 'True' }, true],
    ['roles', 'primary ne true', { value: 'admin' }, true],
    ['members', 'value eq "2819C223-7F76-453A-919D-413861904646"', { value: '2819c223-7f76-453a-919d-413861904646' }, true],
    ['members', '$ref pr', { value: 'x', $ref: 'https://example.com/v2/Users/x' }, true],
  ])('%s[%s] on %j', (parent, text, element, expected) => {
    const { filter } = parsePatchPath(`${parent}[${text}]`);
    expect(evaluateFilter(filter!, element, { rt: userResourceType, parent: parents[parent] })).toBe(expected);
  });

  it('matches the value filter of a parsed PATCH path', () => {
    const f = parseFilter('emails[type eq "work"]') as Extract<Filter, { kind: 'valuePath' }>;
    const match = compileFilter(f.filter, { rt: userResourceType, parent: emails });
    expect((users.bjensen.emails as unknown[]).filter(match)).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
  });
});

describe('evaluateFilter: unsupported filters → 400 invalidFilter', () => {
  const onUser = (text: string) => () => evaluateFilter(parseFilter(text), users.bjensen, { rt: userResourceType });
  const onEmail = (text: string) => () => evaluateFilter(parseFilter(text), { type: 'work' }, { rt: userResourceType, parent: emails });
  it.each<[string, () => unknown, string]>([
    ['bogus eq "x"', onUser('bogus eq "x"'), 'Unknown attribute "bogus" in filter for User'],
    ['name.bogus pr', onUser('name.bogus pr'), 'Unknown attribute "name.bogus" in filter for User'],
    ['unknown schema', onUser('urn:example:nope:2.0:User:userName eq "x"'), 'Unknown attribute "urn:example:nope:2.0:User:userName" in filter for User'],
    ['enterprise attr under core URN', onUser(`${USER_SCHEMA}:manager pr`), `Unknown attribute "${USER_SCHEMA}:manager" in filter for User`],
    ['group attr on a user', onUser('members eq "x"'), 'Unknown attribute "members" in filter for User'],
    ['inside brackets', onUser('emails[bogus eq "x"]'), 'Unknown attribute "bogus" in filter: "emails" has no such sub-attribute'],
    ['element context', onEmail('bogus eq "x"'), 'Unknown attribute "bogus" in filter: "emails" has no such sub-attribute'],
    ['element context, dotted path', onEmail('emails.type eq "x"'), '"emails.type" inside "emails[...]" must be a sub-attribute name of "emails"'],
    ['nested brackets', () => evaluateFilter(parseFilter('emails[type pr]'), {}, { rt: userResourceType, parent: emails }), 'Brackets cannot be nested inside "emails[...]"'],
    ['brackets on a string', onUser('userName[value eq "x"]'), '"userName" is not a complex attribute, so "[...]" cannot follow it'],
    ['gt on boolean', onUser('active gt true'), 'Operator "gt" does not apply to boolean attribute "active"; use eq or ne'],
    ['co on boolean', onEmail('primary co "t"'), 'Operator "co" does not apply to boolean attribute "primary"; use eq or ne'],
    ['non-boolean value', onUser('active eq "yes"'), '"active" is boolean: compare it with true or false'],
    ['number for boolean', onUser('active eq 1'), '"active" is boolean: compare it with true or false'],
    ['bad dateTime', onUser('meta.lastModified gt "yesterday"'), '"meta.lastModified" is a dateTime: compare it with an xsd:dateTime string such as "2011-05-13T04:42:34Z"'],
    ['number for dateTime', onUser('meta.lastModified gt 5'), '"meta.lastModified" is a dateTime: compare it with an xsd:dateTime string such as "2011-05-13T04:42:34Z"'],
    ['co on dateTime', onUser('meta.lastModified co "2011-05-13T04:42:34Z"'), 'Operator "co" does not apply to "meta.lastModified"; use eq, ne, gt, ge, lt or le'],
    ['co null', onUser('title co null'), 'Operator "co" cannot compare "title" with null; use eq or ne'],
    ['complex without value', onUser('name eq "Barbara"'), '"name" is complex: compare one of its sub-attributes instead, e.g. "name.formatted"'],
  ])('%s', (_, run, detail) => {
    const e = rejection(run);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    expect(e.detail).toBe(detail);
  });

  it('reports an unknown attribute even where evaluation would short-circuit', () => {
    expect(rejection(onUser('title pr or bogus pr')).detail).toBe('Unknown attribute "bogus" in filter for User');
    expect(rejection(() => compileFilter(parseFilter('title pr and bogus pr'), { rt: userResourceType })).scimType).toBe('invalidFilter');
  });
});
