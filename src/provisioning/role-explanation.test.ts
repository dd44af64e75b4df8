import { describe, expect, it } from 'vitest';
import { compareToMapping, escapeForDisplay, explainRole, findNearMisses, type NearMissKind } from './role-explanation.js';
import { resolveRole } from './role-resolution.js';

const mappings = [
  { id: 'm-admin', idpRoleValue: 'admin', role: 'admin' },
  { id: 'm-ro', idpRoleValue: 'read only', role: 'viewer' },
  { id: 'm-member', idpRoleValue: 'member', role: 'member' },
];

describe('compareToMapping: each near-miss kind', () => {
  const cases: [string, string, string, NearMissKind[], RegExp?][] = [
    ['different case only (matching ignores it)', 'ADMIN', 'admin', ['case']],
    ['surrounding whitespace (matching trims it)', '  admin\t', 'admin', ['surrounding-whitespace']],
    ['inner whitespace: two spaces', 'read  only', 'read only', ['inner-whitespace'], /2 spaces in a row at position 5/],
    ['inner whitespace: a tab', 'read\tonly', 'read only', ['inner-whitespace'], /U\+0009 CHARACTER TABULATION \(tab\) at position 5/],
    ['inner whitespace: NBSP', 'read\u00a0only', 'read only', ['inner-whitespace'], /U\+00A0 NO-BREAK SPACE at position 5/],
    ['zero-width space', 'admin\u200b', 'admin', ['invisible-characters'], /U\+200B ZERO WIDTH SPACE at position 6/],
    ['zero-width joiner inside', 'ad\u200dmin', 'admin', ['invisible-characters'], /U\+200D ZERO WIDTH JOINER at position 3/],
    ['zero-width non-joiner', 'admi\u200cn', 'admin', ['invisible-characters'], /U\+200C/],
    ['word joiner', 'ad\u2060min', 'admin', ['invisible-characters'], /U\+2060 WORD JOINER/],
    ['byte order mark inside', 'adm\ufeffin', 'admin', ['invisible-characters'], /U\+FEFF/],
    ['soft hyphen', 'ad\u00admin', 'admin', ['invisible-characters'], /U\+00AD SOFT HYPHEN at position 3/],
    ['bidi mark', '\u200eadmin', 'admin', ['invisible-characters'], /U\+200E LEFT-TO-RIGHT MARK at position 1/],
    ['right-to-left override', 'admin\u202e', 'admin', ['invisible-characters'], /U\+202E RIGHT-TO-LEFT OVERRIDE/],
    ['Cyrillic a', '\u0430dmin', 'admin', ['look-alike-characters'], /U\+0430, a Cyrillic letter\) at position 1 looks like "a"/],
    ['Cyrillic capital A (and case)', '\u0410dmin', 'admin', ['look-alike-characters', 'case'], /a Cyrillic letter/],
    ['Greek small omicron in "viewer"-like value', 'read \u03bfnly', 'read only', ['look-alike-characters'], /a Greek letter/],
    ['fullwidth letters', '\uff41\uff44\uff4d\uff49\uff4e', 'admin', ['look-alike-characters'], /U\+FF41, a fullwidth form\) at position 1 looks like "a"/],
    ['JSON-encoded string', '"admin"', 'admin', ['json-encoded'], /JSON text; decoded, it holds "admin"/],
    ['JSON-encoded object', '{"value":"Admin"}', 'admin', ['json-encoded', 'case']],
    ['JSON-encoded object with displayName only', '{"displayName":"Admin","id":"123"}', 'admin', ['json-encoded', 'case']],
    ['JSON-encoded array', '["admin"]', 'admin', ['json-encoded']],
    ['invisible character on the mapping side', 'admin', 'admin\u200b', ['invisible-characters'], /mapping: U\+200B/],
    ['several kinds at once', ' \uff21d\u200bmin ', 'admin', ['surrounding-whitespace', 'invisible-characters', 'look-alike-characters', 'case']],
  ];
  it.each(cases)('%s', (_name, received, mapping, kinds, detail) => {
    const diffs = compareToMapping(received, mapping);
    expect(diffs?.map((d) => d.kind)).toEqual(kinds);
    if (detail) expect(diffs!.map((d) => d.detail).join(' | ')).toMatch(detail);
  });

  it.each([
    ['a different word', 'owner', 'admin'],
    ['a prefix', 'admins', 'admin'],
    ['a missing inner space', 'readonly', 'read only'],
    ['a digit for a letter (a typo, not a look-alike)', 'adm1n', 'admin'],
    ['blank', '\u200b', 'admin'],
    ['JSON that holds another value', '{"value":"owner"}', 'admin'],
    ['JSON-looking but not JSON', '{admin}', 'admin'],
  ])('not a near-miss: %s', (_name, received, mapping) => {
    expect(compareToMapping(received, mapping)).toBeUndefined();
  });

  it('flags which differences matching already ignores', () => {
    const diffs = compareToMapping(' Admin\u200b', 'admin')!;
    expect(diffs.map((d) => [d.kind, d.ignoredByMatching, d.side])).toEqual([
      ['surrounding-whitespace', true, 'received'],
      ['invisible-characters', false, 'received'],
      ['case', true, 'received'],
    ]);
  });
});

describe('findNearMisses', () => {
  it('names every mapping the value nearly matches, never the exact one', () => {
    const found = findNearMisses('read\u00a0only', mappings);
    expect(found).toEqual([
      expect.objectContaining({ mappingId: 'm-ro', idpRoleValue: 'read only', role: 'viewer', kinds: ['inner-whitespace'] }),
    ]);
    expect(found[0]!.message).toBe('"read\\u00A0only" would match the mapping "read only" (→ viewer) but for inner whitespace: received: U+00A0 NO-BREAK SPACE at position 5');
    expect(findNearMisses('Admin', mappings)).toEqual([]);
  });
});

describe('escapeForDisplay', () => {
  it('writes everything outside printable ASCII as \\u escapes', () => {
    expect(escapeForDisplay('a\u200bb\u0430 \t\\ \u{1d41a}')).toBe('a\\u200Bb\\u0430 \\u0009\\\\ \\u{1D41A}');
  });
});

describe('explainRole', () => {
  const stored = (role: string | null, kind: 'mapping' | 'default' | 'none' | 'manual') => ({ role, source: { kind } });

  it('primary: true, matched by a mapping', () => {
    const roles = [{ value: 'member' }, { value: ' Admin ', primary: true }];
    const e = explainRole({ roles, mappings, defaultRole: 'viewer', stored: stored('admin', 'mapping') });
    expect(e).toMatchObject({
      received: roles,
      primary: { index: 1, value: ' Admin ', reason: 'primary: true' },
      normalized: 'admin',
      matchedMapping: { id: 'm-admin', idpRoleValue: 'admin', role: 'admin' },
      noMatchReason: null,
      nearMisses: [],
      resolved: { role: 'admin', source: 'mapping' },
      role: { name: 'admin', source: 'mapping' },
      differsFromCurrentSettings: false,
      differenceNote: null,
    });
    expect(e.matchedMapping!.differences.map((d) => d.kind)).toEqual(['surrounding-whitespace', 'case']);
    expect(e.summary).toBe('Received " Admin " (primary: true); normalised "admin" matches the mapping "admin" → admin.');
  });

  it('primary as the string "True"', () => {
    const e = explainRole({ roles: [{ value: 'admin' }, { value: 'Member', primary: 'True' }], mappings, defaultRole: null, stored: stored('member', 'mapping') });
    expect(e.primary).toMatchObject({ index: 1, reason: 'primary: "True" string' });
    expect(e.resolved).toEqual({ role: 'member', source: 'mapping' });
  });

  it('no entry marked primary: the first, and a hint when another entry would match', () => {
    const e = explainRole({ roles: [{ value: 'owner', primary: false }, { value: 'admin' }], mappings, defaultRole: 'viewer', stored: stored('viewer', 'default') });
    expect(e.primary).toMatchObject({ index: 0, value: 'owner', reason: 'no entry marked primary: the first' });
    expect(e.resolved).toEqual({ role: 'viewer', source: 'default' });
    expect(e.nearMisses).toEqual([]);
    expect(e.noMatchReason).toBe('No mapping is "owner", nor close to it; the mappings are "admin", "read only", "member".');
    expect(e.hints).toEqual(['Entry 1 ("admin") would match the mapping "admin" (→ admin), but only the first entry (none is marked primary) counts.']);
  });

  it('no match and no default: no role', () => {
    const e = explainRole({ roles: [{ value: 'Auditor' }], mappings, defaultRole: null, stored: stored(null, 'none') });
    expect(e.resolved).toEqual({ role: null, source: 'none' });
    expect(e.summary).toBe('Received "Auditor" (no entry marked primary: the first); normalised "auditor" matches no mapping and there is no default role, so no role.');
  });

  it('no roles at all', () => {
    const e = explainRole({ roles: undefined, mappings, defaultRole: 'viewer', stored: stored('viewer', 'default') });
    expect(e).toMatchObject({ received: null, primary: null, normalized: null, noMatchReason: "The member's record has no roles, so there is nothing to match.", resolved: { role: 'viewer', source: 'default' } });
  });

  it('a near-miss explains the fallback to the default role', () => {
    const e = explainRole({ roles: [{ value: 'Admin\u200b', primary: true }], mappings, defaultRole: 'viewer', stored: stored('viewer', 'default') });
    expect(e.normalizedEscaped).toBe('admin\\u200B');
    expect(e.nearMisses.map((n) => [n.mappingId, n.kinds])).toEqual([['m-admin', ['invisible-characters', 'case']]]);
    expect(e.noMatchReason).toContain('U+200B ZERO WIDTH SPACE at position 6');
    expect(e.summary).toContain('Near miss: "admin" (invisible characters).');
  });

  it('says when current mappings would give another role than the stored one', () => {
    const e = explainRole({ roles: [{ value: 'member' }], mappings, defaultRole: null, stored: { role: 'viewer', source: { kind: 'mapping', received: 'member', normalized: 'member' } } });
    expect(e.differsFromCurrentSettings).toBe(true);
    expect(e.differenceNote).toContain('with the current mappings and default role it would be "member" (mapping)');
  });

  it('a manual role: stays until roles change, and says what resolution would give', () => {
    const e = explainRole({ roles: [{ value: 'member' }], mappings, defaultRole: null, stored: { role: 'admin', source: { kind: 'manual', setBy: 'operator' } } });
    expect(e.role).toEqual({ name: 'admin', source: 'manual', detail: { kind: 'manual', setBy: 'operator' } });
    expect(e.differenceNote).toBe('An admin set "admin" by operator. It stays until the IdP sends a change of roles; then resolution gives "member" (mapping) with the current settings.');
  });

  it('agrees with resolveRole on every case', () => {
    const table = new Map(mappings.map((m) => [m.idpRoleValue, m.role]));
    for (const roles of [undefined, [], [{ value: 'x' }], [{ value: ' MEMBER ', primary: 'true' }], [{ primary: true }], ['junk', { value: 'admin' }], [{ value: { nested: 1 } }]]) {
      for (const def of [null, 'viewer']) {
        const r = resolveRole(roles, table, def);
        const e = explainRole({ roles, mappings, defaultRole: def, stored: { role: r.role, source: r.source } });
        expect(e.resolved).toEqual({ role: r.role, source: r.source.kind });
        expect(e.normalized).toBe(r.source.normalized ?? null);
        expect(e.differsFromCurrentSettings).toBe(false);
      }
    }
  });
});
