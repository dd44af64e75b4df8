import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { GROUP_SCHEMA, groupResourceType } from '../schemas/resource-types.js';
import { applyPatch } from './apply-patch.js';
import { parsePatchRequest, PATCH_OP_SCHEMA } from './parse-patch-request.js';
import { type MemberChange, splitGroupPatch } from './split-group-patch.js';

const split = (Operations: unknown[]) => splitGroupPatch(parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations }));

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('splitGroupPatch: membership shapes', () => {
  it.each<[string, unknown[], MemberChange[]]>([
    ['entra E067 Add with "$ref": null', [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'alice' }] }], [{ kind: 'add', values: ['alice'] }]],
    [
      'entra E068 several members in one Add',
      [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'alice' }, { $ref: null, value: 'bob' }, { $ref: null, value: 'carol' }] }],
      [{ kind: 'add', values: ['alice', 'bob', 'carol'] }],
    ],
    ['okta K074 add with display', [{ op: 'add', path: 'members', value: [{ value: 'dana', display: 'dana@example.com' }] }], [{ kind: 'add', values: ['dana'] }]],
    ['entra E072 legacy Remove with a value list', [{ op: 'Remove', path: 'members', value: [{ value: 'bob' }] }], [{ kind: 'remove', values: ['bob'] }]],
    ['entra E076 Remove with "$ref": null', [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'alice' }] }], [{ kind: 'remove', values: ['alice'] }]],
    [
      'field-reports F08h Remove with display and $ref that differ from the stored ones',
      [{ op: 'Remove', path: 'members', value: [{ value: 'carol', display: 'Somebody Else', $ref: 'https://example.com/scim/v2/Users/carol' }] }],
      [{ kind: 'remove', values: ['carol'] }],
    ],
    ['entra E075 remove by value filter', [{ op: 'remove', path: 'members[value eq "carol"]' }], [{ kind: 'remove', values: ['carol'] }]],
    ['field-reports F09h operator Eq in any case', [{ op: 'remove', path: 'members[value Eq "carol"]' }], [{ kind: 'remove', values: ['carol'] }]],
    ['value filters joined by or', [{ op: 'remove', path: 'members[value eq "a" or value eq "b" or VALUE eq "c"]' }], [{ kind: 'remove', values: ['a', 'b', 'c'] }]],
    ['RFC 7644 §3.5.2.2 remove of all members', [{ op: 'remove', path: 'members' }], [{ kind: 'removeAll' }]],
    ['field-reports F12e replace with [] empties the group', [{ op: 'replace', path: 'members', value: [] }], [{ kind: 'replace', values: [] }]],
    ['field-reports F12h replace with one member', [{ op: 'replace', path: 'members', value: [{ value: 'bob' }] }], [{ kind: 'replace', values: ['bob'] }]],
    [
      'okta K078 full push with replace',
      [{ op: 'replace', path: 'members', value: [{ value: 'dana', display: 'd' }, { value: 'frank', display: 'f' }] }],
      [{ kind: 'replace', values: ['dana', 'frank'] }],
    ],
    [
      'okta K076 remove then add, order kept',
      [
        { op: 'remove', path: 'members[value eq "dana"]' },
        { op: 'add', path: 'members', value: [{ value: 'erin', display: 'erin@example.com' }] },
      ],
      [
        { kind: 'remove', values: ['dana'] },
        { kind: 'add', values: ['erin'] },
      ],
    ],
    ['a URN-qualified members path', [{ op: 'add', path: `${GROUP_SCHEMA}:members`, value: [{ value: 'a' }] }], [{ kind: 'add', values: ['a'] }]],
    ['a single member object instead of a list', [{ op: 'add', path: 'members', value: { value: 'a' } }], [{ kind: 'add', values: ['a'] }]],
    ['repeated ids are passed once', [{ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'a' }] }], [{ kind: 'add', values: ['a'] }]],
    ['an add of nothing is no change', [{ op: 'add', path: 'members', value: [] }], []],
  ])('%s', (_name, ops, memberChanges) => {
    expect(split(ops)).toEqual({ memberChanges, otherOps: [] });
  });

  it('okta K080 path-less replace with members [], id and displayName: members split off, the rest kept', () => {
    const result = split([{ op: 'replace', value: { members: [], id: 'g1', displayName: 'Sales' } }]);
    expect(result).toEqual({
      memberChanges: [{ kind: 'replace', values: [] }],
      otherOps: [{ op: 'replace', value: { id: 'g1', displayName: 'Sales' } }],
    });
    expect(applyPatch(groupResourceType, { schemas: [GROUP_SCHEMA], displayName: 'Old' }, result.otherOps)).toEqual({
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales',
    });
  });

  it('a path-less add with only members leaves no other operation; a core-URN key is looked into', () => {
    expect(split([{ op: 'add', value: { Members: [{ value: 'a' }] } }])).toEqual({ memberChanges: [{ kind: 'add', values: ['a'] }], otherOps: [] });
    expect(split([{ op: 'add', value: { [GROUP_SCHEMA]: { members: [{ value: 'a' }], displayName: 'G' } } }])).toEqual({
      memberChanges: [{ kind: 'add', values: ['a'] }],
      otherOps: [{ op: 'add', value: { [GROUP_SCHEMA]: { displayName: 'G' } } }],
    });
  });

  // Found by the PATCH property test (test/property/patch.test.ts): applyPatch reads every
  // key of these values as a path, so every key it resolves to members must come out here.
  it('takes out members keys in every spelling applyPatch resolves: whitespace, URN in any case, whole-schema path', () => {
    expect(split([{ op: 'add', value: { ' members ': [{ value: 'a' }], displayName: 'G' } }])).toEqual({
      memberChanges: [{ kind: 'add', values: ['a'] }],
      otherOps: [{ op: 'add', value: { displayName: 'G' } }],
    });
    expect(split([{ op: 'replace', value: { [`${GROUP_SCHEMA.toUpperCase()}:MEMBERS`]: [] } }])).toEqual({ memberChanges: [{ kind: 'replace', values: [] }], otherOps: [] });
    expect(split([{ op: 'add', path: GROUP_SCHEMA, value: { members: [{ value: 'a' }], displayName: 'G' } }])).toEqual({
      memberChanges: [{ kind: 'add', values: ['a'] }],
      otherOps: [{ op: 'add', path: GROUP_SCHEMA, target: { path: { uri: GROUP_SCHEMA, attr: '' } }, value: { displayName: 'G' } }],
    });
  });

  it.each([
    ['a filtered members key', { op: 'add', value: { [`${GROUP_SCHEMA}:members[nope eq false]`]: {} } }],
    ['a members sub-attribute key', { op: 'add', value: { [`${GROUP_SCHEMA}:members.value`]: {} } }],
    ['a members sub-attribute key under the core URN', { op: 'replace', value: { [GROUP_SCHEMA]: { 'members.display': 'x' } } }],
    ['a members sub-attribute key in a whole-schema value', { op: 'add', path: GROUP_SCHEMA, value: { 'Members[value eq "a"]': [{ value: 'a' }] } }],
  ])('%s is 400 invalidPath, as the same path would be, never an internal error in applyPatch', (_name, op) => {
    const e = scimError(() => {
      const { otherOps } = split([op]);
      applyPatch(groupResourceType, { schemas: [GROUP_SCHEMA], displayName: 'G' }, otherOps);
    });
    expect([e.status, e.scimType]).toEqual([400, 'invalidPath']);
  });

  it('entra E065 rename and other operations go to otherOps unchanged, in order', () => {
    const ops = [
      { op: 'Replace', path: 'displayName', value: 'Renamed' },
      { op: 'Add', path: 'members', value: [{ value: 'a' }] },
      { op: 'replace', value: { externalId: 'x' } },
    ];
    const parsed = parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops });
    expect(splitGroupPatch(parsed)).toEqual({ memberChanges: [{ kind: 'add', values: ['a'] }], otherOps: [parsed[0], parsed[2]] });
  });

  it('does not modify its input', () => {
    const parsed = parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', value: { members: [], displayName: 'S' } }] });
    const before = structuredClone(parsed);
    splitGroupPatch(parsed);
    expect(parsed).toEqual(before);
  });
});

describe('splitGroupPatch: refused shapes', () => {
  it.each([
    ['a filter on another sub-attribute', 'invalidFilter', [{ op: 'remove', path: 'members[display eq "Bob"]' }]],
    ['a filter with ne', 'invalidFilter', [{ op: 'remove', path: 'members[value ne "a"]' }]],
    ['a filter joined by and', 'invalidFilter', [{ op: 'remove', path: 'members[value eq "a" and type eq "User"]' }]],
    ['a filter comparing with a number', 'invalidFilter', [{ op: 'remove', path: 'members[value eq 5]' }]],
    ['add with a filter', 'invalidPath', [{ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'a' }] }]],
    ['a member sub-attribute path', 'invalidPath', [{ op: 'replace', path: 'members.display', value: 'x' }]],
    ['a filtered sub-attribute path', 'invalidPath', [{ op: 'remove', path: 'members[value eq "a"].display' }]],
    ['a member without value', 'invalidValue', [{ op: 'add', path: 'members', value: [{ display: 'Bob' }] }]],
    ['a member value that is a number', 'invalidValue', [{ op: 'add', path: 'members', value: [{ value: 7 }] }]],
    ['a member that is a string', 'invalidValue', [{ op: 'remove', path: 'members', value: ['a'] }]],
    ['a path-less members value that is not a list of objects', 'invalidValue', [{ op: 'replace', value: { members: 'a' } }]],
  ])('%s → 400 %s', (_name, scimType, ops) => {
    const e = scimError(() => split(ops));
    expect([e.status, e.scimType]).toEqual([400, scimType]);
    expect(e.detail).toMatch(/^Operations\[0\]: /);
  });
});
