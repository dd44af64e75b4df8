import { describe, expect, it } from 'vitest';
import { resolveRole } from './role-resolution.js';

const mappings = new Map([
  ['admin', 'admin'],
  ['writer', 'member'],
]);

describe('resolveRole (PRODUCT.md five steps)', () => {
  const cases: [string, unknown, string | null, ReturnType<typeof resolveRole>][] = [
    ['primary entry wins over the first', [{ value: 'Writer' }, { value: ' Admin ', primary: true }], 'viewer',
      { role: 'admin', source: { kind: 'mapping', received: ' Admin ', chosenBy: 'primary', normalized: 'admin' } }],
    ['primary as the string "True" (Entra)', [{ value: 'x' }, { value: 'WRITER', primary: 'True' }], null,
      { role: 'member', source: { kind: 'mapping', received: 'WRITER', chosenBy: 'primary', normalized: 'writer' } }],
    ['no primary: the first entry', [{ value: 'writer', primary: false }, { value: 'admin', primary: false }], null,
      { role: 'member', source: { kind: 'mapping', received: 'writer', chosenBy: 'first', normalized: 'writer' } }],
    ['no match: default role', [{ value: 'Auditor', primary: true }], 'viewer',
      { role: 'viewer', source: { kind: 'default', received: 'Auditor', chosenBy: 'primary', normalized: 'auditor' } }],
    ['no match and no default: no role', [{ value: 'Auditor' }], null,
      { role: null, source: { kind: 'none', received: 'Auditor', chosenBy: 'first', normalized: 'auditor' } }],
    ['no roles at all: default', undefined, 'viewer', { role: 'viewer', source: { kind: 'default', received: null, normalized: null } }],
    ['empty list, no default', [], null, { role: null, source: { kind: 'none', received: null, normalized: null } }],
  ];
  it.each(cases)('%s', (_name, roles, defaultRole, expected) => {
    expect(resolveRole(roles, mappings, defaultRole)).toEqual(expected);
  });
});
