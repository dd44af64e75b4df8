import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, groupResourceType, USER_SCHEMA, userResourceType } from './resource-types.js';
import { attr } from './types.js';
import { normalizeAttributeValue, normalizeDocument, normalizeResource } from './validate.js';

const ENT = ENTERPRISE_USER_SCHEMA;

/** Runs `fn` and returns the ScimError it throws. */
function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('normalizeResource: User bodies from the conformance suites', () => {
  it('Entra create user (entra E011): readOnly meta and empty roles dropped, extension kept', () => {
    const body = {
      schemas: [USER_SCHEMA, ENT],
      externalId: 'alice.r1',
      userName: 'alice.r1@example.com',
      active: true,
      displayName: 'Alice Example',
      emails: [{ primary: true, type: 'work', value: 'alice.r1@example.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
      [ENT]: { employeeNumber: 'E1001' },
      roles: [],
    };
    expect(normalizeResource(userResourceType, body)).toEqual({
      doc: {
        schemas: [USER_SCHEMA, ENT],
        externalId: 'alice.r1',
        userName: 'alice.r1@example.com',
        active: true,
        displayName: 'Alice Example',
        emails: [{ primary: true, type: 'work', value: 'alice.r1@example.com' }],
        name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
        [ENT]: { employeeNumber: 'E1001' },
      },
    });
  });

  it('Entra legacy tutorial body with nulls and a malformed extension URN (entra E045)', () => {
    const body = {
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'dave',
      userName: 'dave@example.com',
      active: true,
      addresses: null,
      displayName: 'Dave Example',
      emails: [{ type: 'work', value: 'dave@example.com', primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Example', givenName: 'Dave' },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: null,
      manager: null,
    };
    expect(normalizeResource(userResourceType, body).doc).toEqual({
      schemas: [USER_SCHEMA],
      externalId: 'dave',
      userName: 'dave@example.com',
      active: true,
      displayName: 'Dave Example',
      emails: [{ type: 'work', value: 'dave@example.com', primary: true }],
      name: { familyName: 'Example', givenName: 'Dave' },
    });
  });

  it('Okta create (okta K011): password returned separately, readOnly groups ignored', () => {
    const result = normalizeResource(userResourceType, {
      schemas: [USER_SCHEMA],
      userName: 'dana@example.com',
      name: { givenName: 'Dana', familyName: 'Example' },
      emails: [{ primary: true, value: 'dana@example.com', type: 'work' }],
      displayName: 'Dana Example',
      locale: 'en-US',
      externalId: '00udana0001',
      groups: [],
      password: '7kq2m9zd',
      active: true,
    });
    expect(result).toEqual({
      doc: {
        schemas: [USER_SCHEMA],
        externalId: '00udana0001',
        userName: 'dana@example.com',
        name: { givenName: 'Dana', familyName: 'Example' },
        displayName: 'Dana Example',
        locale: 'en-US',
        active: true,
        emails: [{ primary: true, value: 'dana@example.com', type: 'work' }],
      },
      password: '7kq2m9zd',
    });
  });

  it('Okta PUT echoing id, meta, groups and emails.display (okta K041)', () => {
    const { doc } = normalizeResource(userResourceType, {
      schemas: [USER_SCHEMA],
      id: 'abc',
      userName: 'dana@example.com',
      name: { givenName: 'Dana', middleName: 'Q', familyName: 'Examplar' },
      emails: [{ primary: true, value: 'dana@example.com', type: 'work', display: 'dana@example.com' }],
      active: true,
      groups: [{ value: 'g1' }],
      meta: { resourceType: 'User' },
    });
    expect(doc).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'dana@example.com',
      name: { givenName: 'Dana', middleName: 'Q', familyName: 'Examplar' },
      active: true,
      emails: [{ primary: true, value: 'dana@example.com', type: 'work', display: 'dana@example.com' }],
    });
  });

  it.each([
    ['"True" (entra E046)', 'True', true],
    ['"False" (field-reports F02g)', 'False', false],
    ['"TRUE"', 'TRUE', true],
    ['boolean false', false, false],
  ])('active as %s', (_name, active, expected) => {
    expect(normalizeResource(userResourceType, { userName: 'u', active }).doc.active).toBe(expected);
  });

  it('roles with primary "True" (field-reports F27d) and with several primary=false (entra E044)', () => {
    expect(
      normalizeResource(userResourceType, {
        userName: 'bob',
        roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }],
      }).doc.roles,
    ).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }]);
    expect(
      normalizeResource(userResourceType, {
        userName: 'erin',
        roles: [
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', displayName: 'Admin', value: 'Admin' },
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', displayName: 'User', value: 'User' },
        ],
      }).doc.roles,
    ).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'User' },
    ]);
  });

  it('manager as a bare string inside the extension (field-reports F26j)', () => {
    expect(normalizeResource(userResourceType, { userName: 'carol', [ENT]: { manager: 'bob-id' } }).doc).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'carol',
      [ENT]: { manager: { value: 'bob-id' } },
    });
  });

  it('an empty manager string is no manager, and an extension left empty is not listed in schemas', () => {
    expect(normalizeResource(userResourceType, { userName: 'carol', [ENT]: { manager: '' } }).doc).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'carol',
    });
  });

  it('manager.displayName is readOnly and ignored', () => {
    expect(
      normalizeResource(userResourceType, { userName: 'c', [ENT]: { manager: { value: 'm', displayName: 'Boss', $ref: '../Users/m' } } }).doc[ENT],
    ).toEqual({ manager: { value: 'm', $ref: '../Users/m' } });
  });

  it('a JSON-encoded role value is decoded (entra E041 shape on POST)', () => {
    expect(
      normalizeResource(userResourceType, {
        userName: 'carol',
        roles: [{ value: '{"id":"7d1f","value":"User","displayName":"User"}' }],
      }).doc.roles,
    ).toEqual([{ value: 'User', display: 'User' }]);
  });

  it('an email without type is stored as work (field-reports F06f)', () => {
    expect(normalizeResource(userResourceType, { userName: 'bob', emails: [{ value: 'bob@example.com', primary: true }] }).doc.emails).toEqual([
      { value: 'bob@example.com', primary: true, type: 'work' },
    ]);
  });
});

describe('normalizeResource: names and shapes', () => {
  // Found by test/property/validate.test.ts: the manager hook read the first of two
  // case-variant keys, the normaliser kept the last, so a stored manager {value: ""}
  // was no manager once validated again.
  it('sub-attribute keys differing in case name one sub-attribute for the compat hooks too: the last non-null wins', () => {
    const kept = normalizeResource(userResourceType, { userName: 'a', [ENT]: { manager: { value: '', Value: 'boss' } } }).doc;
    expect(kept[ENT]).toEqual({ manager: { value: 'boss' } });
    const none = normalizeResource(userResourceType, { userName: 'a', [`${ENT}:manager`]: { Value: 'boss' }, [ENT]: { 'manager.value': '' } }).doc;
    expect(none).toEqual({ schemas: [USER_SCHEMA], userName: 'a' });
    expect(normalizeDocument(userResourceType, none)).toStrictEqual(none);
    const nullLast = normalizeResource(userResourceType, { userName: 'a', [ENT]: { manager: { Value: 'boss', value: null } } }).doc;
    expect(nullLast[ENT]).toEqual({ manager: { value: 'boss' } });
  });

  it('rewrites attribute and sub-attribute names to canonical case', () => {
    expect(
      normalizeResource(userResourceType, {
        USERNAME: 'alice',
        Name: { GIVENNAME: 'Alice', familyname: 'Anders' },
        Emails: [{ VALUE: 'a@example.com', Type: 'work', Primary: true }],
        ExternalID: 'x1',
        [ENT.toUpperCase()]: { Department: 'Sales', MANAGER: { Value: 'm1' } },
      }).doc,
    ).toEqual({
      schemas: [USER_SCHEMA, ENT],
      externalId: 'x1',
      userName: 'alice',
      name: { givenName: 'Alice', familyName: 'Anders' },
      emails: [{ value: 'a@example.com', type: 'work', primary: true }],
      [ENT]: { department: 'Sales', manager: { value: 'm1' } },
    });
  });

  it('accepts URN-qualified and dotted top-level keys and nests them', () => {
    expect(
      normalizeResource(userResourceType, {
        userName: 'alice',
        [`${ENT}:department`]: 'Sales',
        [`${ENT}:manager.value`]: 'm1',
        'name.givenName': 'Alice',
        'name.familyName': 'Anders',
        [`${USER_SCHEMA}:title`]: 'Engineer',
      }).doc,
    ).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'alice',
      name: { givenName: 'Alice', familyName: 'Anders' },
      title: 'Engineer',
      [ENT]: { department: 'Sales', manager: { value: 'm1' } },
    });
  });

  it('takes an unqualified extension attribute name (RFC 7644 §3.10)', () => {
    expect(normalizeResource(userResourceType, { userName: 'a', department: 'Sales' }).doc).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'a',
      [ENT]: { department: 'Sales' },
    });
  });

  it('drops unknown attributes, unknown schema URNs and unknown sub-attributes', () => {
    expect(
      normalizeResource(userResourceType, {
        schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extensions:ADSCIM:2.0:User'],
        userName: 'alice',
        favouriteColour: 'blue',
        'urn:ietf:params:scim:schemas:extensions:ADSCIM:2.0:User': { extra: 1 },
        'urn:ietf:params:scim:schemas:extensions:ADSCIM:2.0:User:extra': 2,
        name: { givenName: 'Alice', nickname: 'Al' },
      }).doc,
    ).toEqual({ schemas: [USER_SCHEMA], userName: 'alice', name: { givenName: 'Alice' } });
  });

  it('wraps a single value given for a multi-valued attribute', () => {
    expect(normalizeResource(userResourceType, { userName: 'a', emails: { value: 'a@example.com', type: 'home' } }).doc.emails).toEqual([
      { value: 'a@example.com', type: 'home' },
    ]);
  });

  it('keeps the first primary value and makes later ones non-primary (RFC 7643 §2.4)', () => {
    expect(
      normalizeResource(userResourceType, {
        userName: 'a',
        emails: [
          { value: 'a@example.com', type: 'work', primary: true },
          { value: 'b@example.com', type: 'home', primary: true },
        ],
      }).doc.emails,
    ).toEqual([
      { value: 'a@example.com', type: 'work', primary: true },
      { value: 'b@example.com', type: 'home', primary: false },
    ]);
  });

  it('drops duplicate values, null elements and empty objects', () => {
    expect(
      normalizeResource(userResourceType, {
        userName: 'a',
        emails: [{ value: 'a@example.com', type: 'work' }, null, { value: 'a@example.com', type: 'work' }],
        name: {},
        phoneNumbers: [{ value: null }],
      }).doc,
    ).toEqual({ schemas: [USER_SCHEMA], userName: 'a', emails: [{ value: 'a@example.com', type: 'work' }] });
  });

  it('trims userName (field-reports F19e)', () => {
    expect(normalizeResource(userResourceType, { userName: ' alice@example.com ' }).doc.userName).toBe('alice@example.com');
  });

  it('does not modify the body', () => {
    const body = { userName: ' a ', emails: [{ value: 'x@example.com' }], [ENT]: { manager: 'm' } };
    const copy = structuredClone(body);
    normalizeResource(userResourceType, body);
    expect(body).toEqual(copy);
  });
});

describe('normalizeResource: refused bodies', () => {
  it.each([
    ['a string (field-reports F20f)', 'not-a-user-object'],
    ['an array', [{ userName: 'a' }]],
    ['null', null],
  ])('body that is %s → 400 invalidSyntax', (_name, body) => {
    const e = scimError(() => normalizeResource(userResourceType, body));
    expect([e.status, e.scimType]).toEqual([400, 'invalidSyntax']);
  });

  it.each([
    ['missing', {}],
    ['null', { userName: null }],
    ['a number', { userName: 42 }],
    ['empty', { userName: '' }],
    ['whitespace', { userName: '  \t ' }],
  ])('userName %s → 400 invalidValue "userName is required"', (_name, body) => {
    const e = scimError(() => normalizeResource(userResourceType, body));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toContain('userName is required');
  });

  it.each([
    [{ name: { givenName: 5 } }, 'Attribute "name.givenName" must be a string'],
    [{ name: 'Alice' }, 'Attribute "name" must be an object'],
    [{ active: 'maybe' }, 'Attribute "active" must be a boolean'],
    [{ active: 1 }, 'Attribute "active" must be a boolean'],
    [{ emails: ['a@example.com'] }, 'Each value of attribute "emails" must be an object'],
    [{ emails: [{ value: 'a@example.com', primary: 'yes' }] }, 'Attribute "emails.primary" must be a boolean'],
    [{ externalId: 7 }, 'Attribute "externalId" must be a string'],
    [{ [ENT]: { department: 3 } }, `Attribute "${ENT}:department" must be a string`],
    [{ [ENT]: { manager: 3 } }, `Attribute "${ENT}:manager" must be an object`],
    [{ [ENT]: 'Sales' }, `"${ENT}" must be an object`],
    [{ password: 1234 }, 'Attribute "password" must be a string'],
  ])('%j → 400 invalidValue %s', (extra, detail) => {
    const e = scimError(() => normalizeResource(userResourceType, { userName: 'u', ...extra }));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toContain(detail);
  });
});

describe('normalizeResource: Group', () => {
  it('Entra create group with the extra ADSCIM schema and no members (entra E061)', () => {
    expect(
      normalizeResource(groupResourceType, {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: 'obj-1',
        displayName: 'Engineering',
        meta: { resourceType: 'Group' },
      }),
    ).toEqual({ doc: { schemas: [GROUP_SCHEMA], externalId: 'obj-1', displayName: 'Engineering' } });
  });

  it('members are returned separately, never in the document (field-reports F08d, okta K082)', () => {
    expect(
      normalizeResource(groupResourceType, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Sales',
        members: [{ value: 'u1', display: 'dana' }, { value: 'u2', $ref: null, type: 'User' }, { value: 'u1' }],
      }),
    ).toEqual({ doc: { schemas: [GROUP_SCHEMA], displayName: 'Sales' }, members: [{ value: 'u1' }, { value: 'u2', type: 'User' }] });
  });

  it('an empty members list is returned as [] (entra E079), an absent one as undefined', () => {
    expect(normalizeResource(groupResourceType, { displayName: 'G', members: [] }).members).toEqual([]);
    expect(normalizeResource(groupResourceType, { displayName: 'G' }).members).toBeUndefined();
  });

  it('keeps displayName verbatim (it becomes the app group name)', () => {
    expect(normalizeResource(groupResourceType, { displayName: ' Org Admins ' }).doc.displayName).toBe(' Org Admins ');
  });

  it.each([
    [{}, 'displayName is required'],
    [{ displayName: ' ' }, 'displayName is required'],
    [{ displayName: 'G', members: [{ display: 'x' }] }, 'Attribute "members.value" must be a non-empty string'],
    [{ displayName: 'G', members: [{ value: 5 }] }, 'Attribute "members.value" must be a non-empty string'],
    [{ displayName: 'G', members: ['u1'] }, 'Each value of attribute "members" must be an object'],
    [{ displayName: 'G', members: [{ value: 'u1', type: 3 }] }, 'Attribute "members.type" must be a string'],
  ])('%j → 400 invalidValue', (body, detail) => {
    const e = scimError(() => normalizeResource(groupResourceType, body));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toContain(detail);
  });
});

describe('normalizeAttributeValue: RFC 7643 §2.3 types', () => {
  const when = attr('when', 'dateTime', 'test');
  const count = attr('count', 'integer', 'test');
  const ratio = attr('ratio', 'decimal', 'test');

  it.each([
    [when, '2024-05-01T12:00:00Z'],
    [when, '2024-05-01T12:00:00.123+02:00'],
    [count, 3],
    [ratio, 0.5],
    [ratio, 2],
  ])('%s accepts %j', (def, value) => {
    expect(normalizeAttributeValue(def, value, def.name)).toBe(value);
  });

  it.each([
    [when, '2024-05-01', 'ISO 8601 date-time'],
    [when, '2024-13-45T99:00:00Z', 'ISO 8601 date-time'],
    [when, 1714564800, 'ISO 8601 date-time'],
    [count, 1.5, 'must be an integer'],
    [count, '3', 'must be an integer'],
    [ratio, '0.5', 'must be a number'],
    [ratio, Number.NaN, 'must be a number'],
  ])('%s refuses %j', (def, value, detail) => {
    const e = scimError(() => normalizeAttributeValue(def, value, def.name));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toContain(detail);
  });
});

describe('normalizeDocument', () => {
  it('is idempotent on a stored document', () => {
    const { doc } = normalizeResource(userResourceType, {
      userName: 'alice',
      emails: [{ value: 'a@example.com', type: 'work', primary: true }],
      [ENT]: { manager: 'm1', department: 'Sales' },
    });
    expect(normalizeDocument(userResourceType, doc)).toEqual(doc);
  });
});
