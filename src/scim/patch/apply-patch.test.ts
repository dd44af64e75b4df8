import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, groupResourceType, USER_SCHEMA, userResourceType } from '../schemas/resource-types.js';
import { normalizeResource, type ScimDocument } from '../schemas/validate.js';
import { applyPatch, patchedPassword } from './apply-patch.js';
import { parsePatchRequest, PATCH_OP_SCHEMA } from './parse-patch-request.js';

const ENT = ENTERPRISE_USER_SCHEMA;

/** Alice as stored after entra E011. */
const alice: ScimDocument = Object.freeze({
  schemas: [USER_SCHEMA, ENT],
  externalId: 'alice',
  userName: 'alice@example.com',
  name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
  displayName: 'Alice Example',
  active: true,
  emails: [{ primary: true, type: 'work', value: 'alice@example.com' }],
  [ENT]: { employeeNumber: 'E1001' },
});

/** Alice with a home email, a phone, a role and a manager. */
const aliceFull: ScimDocument = Object.freeze({
  ...alice,
  emails: [
    { primary: true, type: 'work', value: 'alice@example.com' },
    { type: 'home', value: 'alice@home.example' },
  ],
  phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
  roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
  [ENT]: { employeeNumber: 'E1001', department: 'Sales', manager: { value: 'bob-id', $ref: '../Users/bob-id' } },
});

const patch = (doc: ScimDocument, Operations: unknown[]) =>
  applyPatch(userResourceType, doc, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations }));

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

type Case = [name: string, doc: ScimDocument, ops: unknown[], expected: ScimDocument];

describe('applyPatch: RFC 7644 §3.5.2 examples', () => {
  const cases: Case[] = [
    [
      '§3.5.2.1 path-less add of emails and nickname appends the email',
      alice,
      [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }],
      {
        ...alice,
        nickName: 'Babs',
        emails: [
          { primary: true, type: 'work', value: 'alice@example.com' },
          { value: 'babs@jensen.org', type: 'home' },
        ],
      },
    ],
    [
      '§3.5.2.2 remove of emails[type eq "work" and value ew "example.com"]',
      aliceFull,
      [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
      { ...aliceFull, emails: [{ type: 'home', value: 'alice@home.example' }] },
    ],
    [
      '§3.5.2.2 remove of a whole multi-valued attribute',
      aliceFull,
      [{ op: 'remove', path: 'emails' }],
      (({ emails: _e, ...rest }) => rest)(aliceFull),
    ],
    [
      '§3.5.2.3 replace of a filtered value without sub-attribute replaces it whole, keeping the filter equality',
      aliceFull,
      [{ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'new@home.example' } }],
      {
        ...aliceFull,
        emails: [
          { primary: true, type: 'work', value: 'alice@example.com' },
          { type: 'home', value: 'new@home.example' },
        ],
      },
    ],
    [
      '§3.5.2.3 replace of a whole multi-valued attribute swaps the list',
      aliceFull,
      [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'other' }] }],
      { ...aliceFull, emails: [{ value: 'only@example.com', type: 'other' }] },
    ],
    [
      '§3.5.2.3 path-less replace: emails swapped, nickName set',
      aliceFull,
      [{ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' } }],
      { ...aliceFull, nickName: 'Babs', emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }] },
    ],
    [
      '§3.5.2.3 replace of a complex attribute merges sub-attributes',
      alice,
      [{ op: 'replace', path: 'name', value: { givenName: 'Alicia', middleName: 'Q' } }],
      { ...alice, name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alicia', middleName: 'Q' } },
    ],
  ];
  it.each(cases)('%s', (_name, doc, ops, expected) => {
    expect(patch(doc, ops)).toEqual(expected);
  });
});

describe('applyPatch: Microsoft Entra shapes (conformance entra.json)', () => {
  const cases: Case[] = [
    [
      'E020/E021 Replace of emails[type eq "work"].value changes the work email without adding one',
      alice,
      [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice.mail@example.com' },
        { op: 'Replace', path: 'name.familyName', value: 'Updated' },
      ],
      {
        ...alice,
        name: { formatted: 'Alice Example', familyName: 'Updated', givenName: 'Alice' },
        emails: [{ primary: true, type: 'work', value: 'alice.mail@example.com' }],
      },
    ],
    ['E022 rename userName', alice, [{ op: 'Replace', path: 'userName', value: 'alice.renamed@example.com' }], { ...alice, userName: 'alice.renamed@example.com' }],
    [
      'E025 Add of previously empty attributes; four Adds on addresses[type eq "work"] make one address',
      alice,
      [
        { op: 'Add', path: `${ENT}:department`, value: 'Retail' },
        { op: 'Add', path: 'title', value: 'Senior Engineer' },
        { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Example Way' },
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
        { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '99999' },
        { op: 'Add', path: 'addresses[type eq "work"].country', value: 'US' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      ],
      {
        ...alice,
        title: 'Senior Engineer',
        addresses: [{ type: 'work', streetAddress: '1 Example Way', locality: 'Springfield', postalCode: '99999', country: 'US' }],
        phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
        [ENT]: { employeeNumber: 'E1001', department: 'Retail' },
      },
    ],
    [
      'E026 Replace on a filtered path with no match creates the value, the mobile phone stays',
      aliceFull,
      [{ op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0199' }],
      {
        ...aliceFull,
        phoneNumbers: [
          { type: 'mobile', value: '+1 555 0100' },
          { type: 'work', value: '+1 555 0199' },
        ],
      },
    ],
    [
      'E028 manager as a bare string id',
      alice,
      [{ op: 'Add', path: `${ENT}:manager`, value: 'bob-id' }],
      { ...alice, [ENT]: { employeeNumber: 'E1001', manager: { value: 'bob-id' } } },
    ],
    [
      'E030 tutorial Example 5: path "manager", value a one-element list with $ref',
      alice,
      [{ op: 'Add', path: 'manager', value: [{ $ref: '../Users/bob-id', value: 'bob-id' }] }],
      { ...alice, [ENT]: { employeeNumber: 'E1001', manager: { $ref: '../Users/bob-id', value: 'bob-id' } } },
    ],
    [
      'E031 aadOptscim062020 path-less replace with dotted and URN-qualified keys, stored nested',
      alice,
      [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'alice.flag@example.com' },
        {
          op: 'replace',
          value: { displayName: 'Alice Flagged', 'name.givenName': 'Alicia', 'name.familyName': 'Examplar', [`${ENT}:employeeNumber`]: 'E2002' },
        },
      ],
      {
        ...alice,
        displayName: 'Alice Flagged',
        name: { formatted: 'Alice Example', familyName: 'Examplar', givenName: 'Alicia' },
        emails: [{ primary: true, type: 'work', value: 'alice.flag@example.com' }],
        [ENT]: { employeeNumber: 'E2002' },
      },
    ],
    [
      'E032 path-less add with dotted keys',
      alice,
      [{ op: 'add', value: { displayName: 'Alice Example', title: 'Staff Engineer', 'name.givenName': 'Alice', 'name.familyName': 'Example', 'name.formatted': 'Alice E.' } }],
      { ...alice, title: 'Staff Engineer', name: { formatted: 'Alice E.', familyName: 'Example', givenName: 'Alice' } },
    ],
    ['E033 add nickName', alice, [{ op: 'add', path: 'nickName', value: 'Ally' }], { ...alice, nickName: 'Ally' }],
    ['E034 Add preferredLanguage', alice, [{ op: 'Add', path: 'preferredLanguage', value: 'en-US' }], { ...alice, preferredLanguage: 'en-US' }],
    [
      'E035 path-less replace of the whole extension object merges into it',
      aliceFull,
      [{ op: 'replace', value: { [ENT]: { department: 'Finance' } } }],
      { ...aliceFull, [ENT]: { employeeNumber: 'E1001', department: 'Finance', manager: { value: 'bob-id', $ref: '../Users/bob-id' } } },
    ],
    [
      'E036 manager replaced with an empty string is removed',
      aliceFull,
      [{ op: 'replace', path: `${ENT}:manager`, value: '' }],
      { ...aliceFull, [ENT]: { employeeNumber: 'E1001', department: 'Sales' } },
    ],
    [
      'E037 set manager again replaces the reference whole (no stale $ref)',
      aliceFull,
      [{ op: 'add', path: `${ENT}:manager`, value: 'carol-id' }],
      { ...aliceFull, [ENT]: { employeeNumber: 'E1001', department: 'Sales', manager: { value: 'carol-id' } } },
    ],
    [
      'E041 Add of a role whose value is a JSON-encoded app role',
      aliceFull,
      [{ op: 'Add', path: 'roles', value: [{ value: '{"id":"0b4c","value":"User","displayName":"User"}' }] }],
      {
        ...aliceFull,
        roles: [
          { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
          { value: 'User', display: 'User' },
        ],
      },
    ],
    [
      'E042 replace of roles[primary eq "True"].value compares the string with the boolean',
      aliceFull,
      [{ op: 'replace', path: 'roles[primary eq "True"].value', value: 'Reader' }],
      { ...aliceFull, roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Reader' }] },
    ],
    [
      'E042 on a user without roles creates the primary role',
      alice,
      [{ op: 'replace', path: 'roles[primary eq "True"].value', value: 'Reader' }],
      { ...alice, roles: [{ primary: true, value: 'Reader' }] },
    ],
    [
      'E043 replace of the whole roles list',
      aliceFull,
      [
        {
          op: 'replace',
          path: 'roles',
          value: [
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Test', value: 'Test' },
          ],
        },
      ],
      {
        ...aliceFull,
        roles: [
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Test', value: 'Test' },
        ],
      },
    ],
    ['E050 disable with the string "False"', alice, [{ op: 'Replace', path: 'active', value: 'False' }], { ...alice, active: false }],
    ['E053 enable with the string "True"', { ...alice, active: false }, [{ op: 'Replace', path: 'active', value: 'True' }], alice],
    ['E054 disable with boolean false', alice, [{ op: 'replace', path: 'active', value: false }], { ...alice, active: false }],
  ];
  it.each(cases)('%s', (_name, doc, ops, expected) => {
    expect(patch(doc, ops)).toEqual(expected);
  });
});

describe('applyPatch: Okta shapes (conformance okta.json)', () => {
  it('K050/K052 path-less replace of active', () => {
    expect(patch(alice, [{ op: 'replace', value: { active: false } }])).toEqual({ ...alice, active: false });
    expect(patch({ ...alice, active: false }, [{ op: 'replace', value: { active: true } }])).toEqual(alice);
  });

  it('K073 path-less replace carrying the read-only id: id ignored, displayName applied', () => {
    const group = { schemas: [GROUP_SCHEMA], displayName: 'Sales' };
    expect(
      applyPatch(groupResourceType, group, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', value: { id: 'g1', displayName: 'Sales 2' } }] })),
    ).toEqual({ schemas: [GROUP_SCHEMA], displayName: 'Sales 2' });
  });
});

describe('applyPatch: field reports (conformance field-reports.json)', () => {
  const cases: Case[] = [
    [
      'F01d capitalised Add and Replace in one request',
      alice,
      [
        { op: 'Add', path: 'title', value: 'Staff Engineer' },
        { op: 'Replace', path: 'active', value: false },
      ],
      { ...alice, title: 'Staff Engineer', active: false },
    ],
    ['F01e capitalised Remove of a simple attribute', { ...alice, title: 'X' }, [{ op: 'Remove', path: 'title' }], alice],
    ['F02d "TRUE" in upper case', { ...alice, active: false }, [{ op: 'Replace', path: 'active', value: 'TRUE' }], alice],
    [
      'F03d path-less replace of several attributes',
      alice,
      [{ op: 'replace', value: { displayName: 'Alice A. Anders', title: 'Team Lead' } }],
      { ...alice, displayName: 'Alice A. Anders', title: 'Team Lead' },
    ],
    [
      'F04b path-less replace with dotted keys keeps the other name parts',
      { ...alice, name: { givenName: 'Alicia', familyName: 'Example', middleName: 'Quinn' } },
      [{ op: 'replace', value: { userName: 'alice@example.com', 'name.givenName': 'Alice', 'name.familyName': 'Anders', active: false } }],
      { ...alice, active: false, name: { givenName: 'Alice', familyName: 'Anders', middleName: 'Quinn' } },
    ],
    [
      'F04d path-less replace with a URN-qualified key adds the extension to schemas',
      { schemas: [USER_SCHEMA], userName: 'a' },
      [{ op: 'replace', value: { [`${ENT}:employeeNumber`]: 'E-4004' } }],
      { schemas: [USER_SCHEMA, ENT], userName: 'a', [ENT]: { employeeNumber: 'E-4004' } },
    ],
    [
      'F06b Entra batch: only the work email changes',
      aliceFull,
      [
        { op: 'Replace', path: 'displayName', value: 'Alice Anders' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice.anders@example.com' },
        { op: 'Replace', path: 'userName', value: 'alice.anders@example.com' },
        { op: 'Replace', path: 'name.familyName', value: 'Anders' },
      ],
      {
        ...aliceFull,
        displayName: 'Alice Anders',
        userName: 'alice.anders@example.com',
        name: { formatted: 'Alice Example', familyName: 'Anders', givenName: 'Alice' },
        emails: [
          { primary: true, type: 'work', value: 'alice.anders@example.com' },
          { type: 'home', value: 'alice@home.example' },
        ],
      },
    ],
    [
      'F06g filtered replace on an email stored without type (defaulted to work) changes it in place',
      normalizeResource(userResourceType, { userName: 'bob', emails: [{ value: 'bob@example.com', primary: true }] }).doc,
      [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'bob.berg@example.com' }],
      { schemas: [USER_SCHEMA], userName: 'bob', emails: [{ value: 'bob.berg@example.com', primary: true, type: 'work' }] },
    ],
    [
      'F07b Replace of phoneNumbers[type eq "work"].value with no phone creates it',
      alice,
      [
        { op: 'Replace', path: 'name.givenName', value: 'Alicia' },
        { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
      ],
      { ...alice, name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alicia' }, phoneNumbers: [{ type: 'work', value: '+1 555 0100' }] },
    ],
    [
      'F07d two ops on one missing address make one address; a missing home email is created',
      alice,
      [
        { op: 'Replace', path: 'addresses[type eq "work"].streetAddress', value: '1 Example Way' },
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
        { op: 'Replace', path: 'emails[type eq "home"].value', value: 'alice@home.example' },
      ],
      {
        ...alice,
        addresses: [{ type: 'work', streetAddress: '1 Example Way', locality: 'Springfield' }],
        emails: [
          { primary: true, type: 'work', value: 'alice@example.com' },
          { type: 'home', value: 'alice@home.example' },
        ],
      },
    ],
    ['F07e a filtered remove that matches nothing is a no-op', aliceFull, [{ op: 'Remove', path: 'phoneNumbers[type eq "fax"]' }], aliceFull],
    [
      'F26f Remove of the manager path clears it',
      aliceFull,
      [{ op: 'Remove', path: `${ENT}:manager` }],
      { ...aliceFull, [ENT]: { employeeNumber: 'E1001', department: 'Sales' } },
    ],
    [
      'F26h object form {value} still works',
      alice,
      [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'alice-id' } }],
      { ...alice, [ENT]: { employeeNumber: 'E1001', manager: { value: 'alice-id' } } },
    ],
    [
      'F27b Add of roles whose value is a JSON-encoded object',
      alice,
      [{ op: 'Add', path: 'roles', value: [{ value: '{"id":"5e1a","value":"Admin","displayName":"Admin"}' }] }],
      { ...alice, roles: [{ value: 'Admin', display: 'Admin' }] },
    ],
  ];
  it.each(cases)('%s', (_name, doc, ops, expected) => {
    expect(patch(doc, ops)).toEqual(expected);
  });
});

describe('applyPatch: further semantics', () => {
  // Found by the property test "adding the same values twice is adding them once" (test/property/patch.test.ts).
  it('adding an e-mail without a value twice stores it once: the stored copy has its default type', () => {
    const op = { op: 'add', path: 'emails', value: [{ primary: true }] };
    const base: ScimDocument = { schemas: [USER_SCHEMA], userName: 'a' };
    const once = patch(base, [op]);
    expect(once.emails).toEqual([{ primary: true, type: 'work' }]);
    expect(patch(once, [op])).toStrictEqual(once);
    expect(patch(base, [op, op])).toStrictEqual(once);
  });

  const cases: Case[] = [
    [
      'add of an email already present does not duplicate it (case-insensitive value)',
      alice,
      [{ op: 'add', path: 'emails', value: [{ value: 'ALICE@example.com', type: 'work' }] }],
      { ...alice, emails: [{ primary: true, type: 'work', value: 'ALICE@example.com' }] },
    ],
    [
      'add of an untyped email matching a home email merges into it; a new untyped one is stored as work',
      aliceFull,
      [{ op: 'add', path: 'emails', value: [{ value: 'alice@home.example', display: 'Home' }, { value: 'third@example.com' }] }],
      {
        ...aliceFull,
        emails: [
          { primary: true, type: 'work', value: 'alice@example.com' },
          { type: 'home', value: 'alice@home.example', display: 'Home' },
          { value: 'third@example.com', type: 'work' },
        ],
      },
    ],
    [
      'add of a role already present merges into it',
      aliceFull,
      [{ op: 'add', path: 'roles', value: [{ value: 'Admin', display: 'Administrator' }] }],
      { ...aliceFull, roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin', display: 'Administrator' }] },
    ],
    [
      'add of a primary email makes the others non-primary',
      aliceFull,
      [{ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: true }] }],
      {
        ...aliceFull,
        emails: [
          { primary: false, type: 'work', value: 'alice@example.com' },
          { type: 'home', value: 'alice@home.example' },
          { value: 'new@example.com', type: 'other', primary: true },
        ],
      },
    ],
    [
      'replace of emails[type eq "home"].primary with "True" moves primary',
      aliceFull,
      [{ op: 'replace', path: 'emails[type eq "home"].primary', value: 'True' }],
      {
        ...aliceFull,
        emails: [
          { primary: false, type: 'work', value: 'alice@example.com' },
          { type: 'home', value: 'alice@home.example', primary: true },
        ],
      },
    ],
    [
      'add of a single object to a multi-valued attribute is taken as a one-element list',
      alice,
      [{ op: 'add', path: 'phoneNumbers', value: { value: '+1 555 0100', type: 'work' } }],
      { ...alice, phoneNumbers: [{ value: '+1 555 0100', type: 'work' }] },
    ],
    [
      'remove of one sub-attribute keeps the rest of the complex attribute',
      alice,
      [{ op: 'remove', path: 'name.formatted' }],
      { ...alice, name: { familyName: 'Example', givenName: 'Alice' } },
    ],
    [
      'removing the last sub-attribute removes the attribute',
      { ...alice, name: { givenName: 'Alice' } },
      [{ op: 'remove', path: 'name.givenName' }],
      (({ name: _n, ...rest }) => rest)(alice),
    ],
    [
      'remove of a sub-attribute of matched values',
      aliceFull,
      [{ op: 'remove', path: 'emails[type eq "work"].primary' }],
      { ...aliceFull, emails: [{ type: 'work', value: 'alice@example.com' }, { type: 'home', value: 'alice@home.example' }] },
    ],
    [
      'remove with a value list on a multi-valued attribute removes just those values',
      aliceFull,
      [{ op: 'remove', path: 'emails', value: [{ value: 'alice@home.example' }] }],
      { ...aliceFull, emails: [{ primary: true, type: 'work', value: 'alice@example.com' }] },
    ],
    ['replace with null removes the attribute', { ...alice, title: 'X' }, [{ op: 'replace', path: 'title', value: null }], alice],
    [
      'remove of the whole extension by its URN',
      aliceFull,
      [{ op: 'remove', path: ENT }],
      (({ [ENT]: _e, ...rest }) => ({ ...rest, schemas: [USER_SCHEMA] }))(aliceFull),
    ],
    [
      'replace with the extension URN as path merges like a path-less value',
      alice,
      [{ op: 'replace', path: ENT, value: { costCenter: 'CC1', manager: 'bob-id' } }],
      { ...alice, [ENT]: { employeeNumber: 'E1001', costCenter: 'CC1', manager: { value: 'bob-id' } } },
    ],
    [
      'manager.value set to a new id drops the old $ref',
      aliceFull,
      [{ op: 'replace', path: `${ENT}:manager.value`, value: 'carol-id' }],
      { ...aliceFull, [ENT]: { employeeNumber: 'E1001', department: 'Sales', manager: { value: 'carol-id' } } },
    ],
    [
      'attribute names in paths and value keys are case-insensitive',
      alice,
      [
        { op: 'replace', path: 'NAME.GIVENNAME', value: 'Al' },
        { op: 'add', value: { NickName: 'Ally', 'Name.MiddleName': 'Q' } },
      ],
      { ...alice, nickName: 'Ally', name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Al', middleName: 'Q' } },
    ],
    [
      'unknown attributes, unknown schemas and readOnly keys of a path-less value are ignored',
      alice,
      [
        { op: 'replace', path: 'favouriteColour', value: 'blue' },
        { op: 'add', path: 'urn:ietf:params:scim:schemas:extensions:ADSCIM:2.0:User:foo', value: 1 },
        { op: 'remove', path: 'name.nickname' },
        { op: 'replace', value: { id: 'other', meta: { version: 'W/"1"' }, groups: [], schemas: ['x'], shoeSize: 9, title: 'T' } },
      ],
      { ...alice, title: 'T' },
    ],
    [
      'password is not part of the document',
      alice,
      [{ op: 'replace', value: { password: 's3cret', title: 'T' } }],
      { ...alice, title: 'T' },
    ],
  ];
  it.each(cases)('%s', (_name, doc, ops, expected) => {
    expect(patch(doc, ops)).toEqual(expected);
  });
});

describe('applyPatch: errors and atomicity', () => {
  it.each([
    ['a boolean that is no boolean word (F02e)', [{ op: 'Replace', path: 'active', value: 'maybe' }], 'invalidValue', 'Attribute "active" must be a boolean'],
    ['a number for a string sub-attribute', [{ op: 'replace', path: 'name.givenName', value: 5 }], 'invalidValue', 'Attribute "name.givenName" must be a string'],
    ['a number for a filtered sub-attribute', [{ op: 'replace', path: 'emails[type eq "work"].value', value: 5 }], 'invalidValue', 'Attribute "emails.value" must be a string'],
    ['a string for a list of objects', [{ op: 'add', path: 'emails', value: 'a@example.com' }], 'invalidValue', 'Each value of attribute "emails" must be an object'],
    ['a string for a complex attribute', [{ op: 'replace', path: 'name', value: 'Alice' }], 'invalidValue', 'Attribute "name" must be an object'],
    ['a wrong type inside a path-less value', [{ op: 'replace', value: { 'name.givenName': true } }], 'invalidValue', 'Attribute "name.givenName" must be a string'],
    ['a wrong type for an extension attribute', [{ op: 'add', path: `${ENT}:department`, value: 1 }], 'invalidValue', `Attribute "${ENT}:department" must be a string`],
    ['removing userName', [{ op: 'remove', path: 'userName' }], 'invalidValue', 'userName is required'],
    ['replacing userName with blanks', [{ op: 'replace', path: 'userName', value: '  ' }], 'invalidValue', 'userName is required'],
    ['a path naming id', [{ op: 'replace', path: 'id', value: 'x' }], 'mutability', 'Attribute "id" is readOnly'],
    ['a path naming meta.version', [{ op: 'replace', path: 'meta.version', value: 'x' }], 'mutability', 'Attribute "meta.version" is readOnly'],
    ['a path naming groups', [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], 'mutability', 'Attribute "groups" is readOnly'],
    ['a path naming manager.displayName', [{ op: 'replace', path: `${ENT}:manager.displayName`, value: 'Boss' }], 'mutability', 'manager.displayName" is readOnly'],
    ['a value filter on a single-valued attribute', [{ op: 'replace', path: 'name[givenName eq "Alice"].familyName', value: 'X' }], 'invalidPath', 'multi-valued complex'],
    ['a value filter naming an unknown sub-attribute', [{ op: 'replace', path: 'emails[colour eq "red"].value', value: 'x' }], 'invalidFilter', 'colour'],
    ['a non-equality filter that matches nothing', [{ op: 'replace', path: 'emails[value co "nowhere"].value', value: 'x' }], 'noTarget', 'No value of "emails" matches'],
    ['an or filter that matches nothing', [{ op: 'add', path: 'phoneNumbers[type eq "fax" or type eq "pager"].value', value: '1' }], 'noTarget', 'No value of "phoneNumbers"'],
  ])('%s', (_name, ops, scimType, detail) => {
    const e = scimError(() => patch(alice, ops));
    expect([e.status, e.scimType]).toEqual([400, scimType]);
    expect(e.detail).toContain(detail);
  });

  it('F02e/F06d: a failing last operation throws and changes nothing', () => {
    const doc = structuredClone(aliceFull);
    const before = structuredClone(doc);
    const e = scimError(() =>
      patch(doc, [
        { op: 'Replace', path: 'displayName', value: 'Alice Atomic' },
        { op: 'Replace', path: 'emails[type eq "home"].value', value: 'changed@example.com' },
        { op: 'Add', path: `${ENT}:department`, value: 'Changed' },
        { op: 'Replace', path: 'active', value: 'maybe' },
      ]),
    );
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toMatch(/^Operations\[3\]: /);
    expect(doc).toEqual(before);
  });

  it('never modifies its input on success either', () => {
    const doc = structuredClone(aliceFull);
    const before = structuredClone(doc);
    patch(doc, [
      { op: 'add', path: 'emails', value: [{ value: 'x@example.com', primary: true }] },
      { op: 'replace', path: 'name.givenName', value: 'X' },
      { op: 'remove', path: `${ENT}:manager` },
      { op: 'replace', path: 'roles[primary eq true].value', value: 'Y' },
    ]);
    expect(doc).toEqual(before);
  });

  it('refuses Group members operations that were not split off (a programming error)', () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }] });
    expect(() => applyPatch(groupResourceType, { schemas: [GROUP_SCHEMA], displayName: 'G' }, ops)).toThrow(/splitGroupPatch/);
  });

  it('removing a Group displayName is refused', () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: 'displayName' }] });
    const e = scimError(() => applyPatch(groupResourceType, { schemas: [GROUP_SCHEMA], displayName: 'G' }, ops));
    expect([e.status, e.scimType, e.detail]).toEqual([400, 'invalidValue', 'displayName is required (a non-empty string)']);
  });
});

describe('patchedPassword', () => {
  const ops = (Operations: unknown[]) => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations });

  it.each([
    ['path-less replace (Okta password sync)', [{ op: 'replace', value: { password: 'p1', active: true } }], 'p1'],
    ['path', [{ op: 'replace', path: 'password', value: 'p2' }], 'p2'],
    ['the last one wins', [{ op: 'add', path: 'Password', value: 'a' }, { op: 'replace', value: { password: 'b' } }], 'b'],
    ['no password', [{ op: 'replace', path: 'title', value: 'x' }], undefined],
  ])('%s', (_name, o, expected) => {
    expect(patchedPassword(userResourceType, ops(o))).toBe(expected);
  });

  it('refuses a non-string password', () => {
    const e = scimError(() => patchedPassword(userResourceType, ops([{ op: 'replace', path: 'password', value: 1 }])));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
  });
});
