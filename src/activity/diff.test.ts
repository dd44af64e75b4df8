import { describe, expect, it } from 'vitest';
import { diffDocuments, groupUpdateOperation, membershipDiff, userUpdateOperation } from './diff.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('diffDocuments', () => {
  it('lists changed attributes, extension attributes one by one, and skips schemas', () => {
    expect(
      diffDocuments(
        { schemas: ['a'], userName: 'a', title: 'T', [ENT]: { department: 'X', costCenter: '1' } },
        { schemas: ['a', 'b'], userName: 'b', title: 'T', active: false, [ENT]: { department: 'Y', costCenter: '1' } },
      ),
    ).toEqual([
      { path: 'userName', before: 'a', after: 'b' },
      { path: `${ENT}:department`, before: 'X', after: 'Y' },
      { path: 'active', before: null, after: false },
    ]);
  });

  it('never carries secrets and cuts long values', () => {
    const d = diffDocuments(undefined, { password: 'p', userName: 'x'.repeat(400), emails: [{ value: 'a', token: 't' }] });
    expect(d).toEqual([
      { path: 'userName', before: null, after: 'x'.repeat(300) + '…' },
      { path: 'emails', before: null, after: [{ value: 'a', token: '[redacted]' }] },
    ]);
  });
});

describe('operation names', () => {
  it.each([
    [{ active: true }, { active: false }, 'deactivate'],
    [{ active: false }, { active: true }, 'reactivate'],
    [{}, { active: false }, 'deactivate'],
    [{ active: true, title: 'a' }, { active: true, title: 'b' }, 'update'],
  ] as const)('user %o → %o is %s', (b, a, op) => expect(userUpdateOperation(b, a)).toBe(op));

  it.each([
    [false, 3, 0, 'membership_add'],
    [false, 0, 2, 'membership_remove'],
    [false, 1, 1, 'membership_change'],
    [true, 1, 0, 'update'],
    [false, 0, 0, 'update'],
  ] as const)('group doc changed %s, +%d -%d is %s', (doc, add, rem, op) => expect(groupUpdateOperation(doc, add, rem)).toBe(op));

  it('caps member ids and counts the rest', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `u${i}`);
    const d = membershipDiff(ids, ['x']);
    expect(d.membersAdded).toHaveLength(50);
    expect(d.membersRemoved).toEqual(['x']);
    expect(d.membersTruncated).toEqual({ added: 60, removed: 1 });
  });
});
