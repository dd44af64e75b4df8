import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import type { Filter, PatchPath } from './ast.js';
import { MAX_FILTER_LENGTH } from './parse.js';
import { parsePatchPath } from './patch-path.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const eq = (attr: string, value: string | boolean): Filter => ({ kind: 'compare', path: { attr }, op: 'eq', value });

function rejection(text: string): ScimError {
  try {
    parsePatchPath(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parsePatchPath: RFC 7644 §3.5.2 paths', () => {
  it.each<[string, PatchPath]>([
    ['members', { path: { attr: 'members' } }],
    ['name.familyName', { path: { attr: 'name', sub: 'familyName' } }],
    ['emails[type eq "work"].value', { path: { attr: 'emails' }, filter: eq('type', 'work'), sub: 'value' }],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', { path: { attr: 'members' }, filter: eq('value', '2819c223-7f76-453a-919d-413861904646') }],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
      { path: { attr: 'members' }, filter: eq('value', '2819c223-7f76-453a-919d-413861904646'), sub: 'displayName' },
    ],
    ['addresses[type eq "work"]', { path: { attr: 'addresses' }, filter: eq('type', 'work') }],
    [
      'emails[type eq "work" and value ew "example.com"]',
      { path: { attr: 'emails' }, filter: { kind: 'and', left: eq('type', 'work'), right: { kind: 'compare', path: { attr: 'value' }, op: 'ew', value: 'example.com' } } },
    ],
    [`${ENTERPRISE}:manager`, { path: { uri: ENTERPRISE, attr: 'manager' } }],
    [`${ENTERPRISE}:manager.value`, { path: { uri: ENTERPRISE, attr: 'manager', sub: 'value' } }],
    [`${ENTERPRISE}:employeeNumber`, { path: { uri: ENTERPRISE, attr: 'employeeNumber' } }],
    [`${CORE_USER}:emails[type eq "work"].value`, { path: { uri: CORE_USER, attr: 'emails' }, filter: eq('type', 'work'), sub: 'value' }],
    ['members.$ref', { path: { attr: 'members', sub: '$ref' } }],
    // Bare extension URN: the extension object as a whole.
    [ENTERPRISE, { path: { uri: ENTERPRISE, attr: '' } }],
    [ENTERPRISE.toLowerCase(), { path: { uri: ENTERPRISE.toLowerCase(), attr: '' } }],
    [` ${ENTERPRISE} `, { path: { uri: ENTERPRISE, attr: '' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
  });
});

describe('parsePatchPath: shapes sent by Entra ID and Okta (../shared/conformance)', () => {
  it.each<[string, PatchPath]>([
    ['active', { path: { attr: 'active' } }],
    ['displayName', { path: { attr: 'displayName' } }],
    ['name.givenName', { path: { attr: 'name', sub: 'givenName' } }],
    ['emails[type eq "home"].value', { path: { attr: 'emails' }, filter: eq('type', 'home'), sub: 'value' }],
    ['phoneNumbers[type eq "mobile"].value', { path: { attr: 'phoneNumbers' }, filter: eq('type', 'mobile'), sub: 'value' }],
    ['phoneNumbers[type eq "fax"]', { path: { attr: 'phoneNumbers' }, filter: eq('type', 'fax') }],
    ['addresses[type eq "work"].streetAddress', { path: { attr: 'addresses' }, filter: eq('type', 'work'), sub: 'streetAddress' }],
    ['addresses[type eq "work"].postalCode', { path: { attr: 'addresses' }, filter: eq('type', 'work'), sub: 'postalCode' }],
    // Entra compares the boolean `primary` with the string "True"; the evaluator copes.
    ['roles[primary eq "True"].value', { path: { attr: 'roles' }, filter: eq('primary', 'True'), sub: 'value' }],
    ['members[value Eq "6b9e8a0e-0e25-4d4c-9c55-5f0c1b9e2c11"]', { path: { attr: 'members' }, filter: eq('value', '6b9e8a0e-0e25-4d4c-9c55-5f0c1b9e2c11') }],
    [`${ENTERPRISE}:department`, { path: { uri: ENTERPRISE, attr: 'department' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
  });
});

describe('parsePatchPath: bare schema URNs', () => {
  it('are recognised from the given list only', () => {
    const custom = 'urn:example:params:scim:schemas:extension:acme:1.0:User';
    expect(parsePatchPath(custom, [custom])).toStrictEqual({ path: { uri: custom, attr: '' } });
    // Without the list, the text reads as URI + attribute: syntax cannot tell them apart.
    expect(parsePatchPath(custom, [])).toStrictEqual({ path: { uri: 'urn:example:params:scim:schemas:extension:acme:1.0', attr: 'User' } });
  });
});

describe('parsePatchPath: malformed paths → 400 invalidPath', () => {
  it.each<[string, string]>([
    ['', 'Path is empty'],
    ['  ', 'Path is empty'],
    ['members[value eq "x"] x', 'Unexpected token "x" at position 22 in path'],
    ['emails[type eq "work"]value', 'Unexpected token "value" at position 22 in path'],
    ['emails[type eq "work"] .value', 'Unexpected token ".value" at position 23 in path'],
    ['emails[type eq "work"].value.x', 'Invalid sub-attribute ".value.x" at position 22 in path'],
    ['emails[type eq "work"', 'Expected "]" to close the "[" at position 6 but found end of path at position 21 in path'],
    ['emails[type eq "work]', 'Unterminated string starting at position 15 in path'],
    ['emails[type eq work]', 'Expected a value (JSON string, number, true, false or null) after "eq" but found token "work" (strings must be in double quotes) at position 15 in path'],
    ['emails[type xx "work"]', 'Unknown operator "xx" (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr) at position 12 in path'],
    ['emails[]', 'Expected an attribute name, "(" or "not" but found token "]" at position 7 in path'],
    ['emails[type eq "a"][value eq "b"]', 'Unexpected token "[" at position 19 in path'],
    ['members[value eq "x"]]', 'Unexpected token "]" at position 21 in path'],
    ['name.familyName[type eq "x"]', '"[" must follow a complex attribute, not the sub-attribute "name.familyName" at position 15 in path'],
    ['emails[x[y eq 1]]', 'Nested "[" inside "emails[...]" is not allowed at position 8 in path'],
    ['name.familyName.x', 'Invalid attribute path "name.familyName.x" at position 0 in path'],
    ['userName eq "x"', 'Unexpected token "eq" at position 9 in path'],
    ['[type eq "work"]', 'Expected an attribute path but found token "[" at position 0 in path'],
    ['"members"', 'Expected an attribute path but found string "members" at position 0 in path'],
    ['9members', 'Invalid attribute path "9members" at position 0 in path'],
    [`${ENTERPRISE}:`, `Invalid attribute path "${ENTERPRISE}:" at position 0 in path`],
  ])('%j', (text, detail) => {
    const e = rejection(text);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidPath');
    expect(e.detail).toBe(detail);
  });

  it(`rejects paths longer than ${MAX_FILTER_LENGTH} characters`, () => {
    expect(rejection(`members[value eq "${'x'.repeat(MAX_FILTER_LENGTH)}"]`).detail).toBe(`Path is ${MAX_FILTER_LENGTH + 20} characters long; the limit is ${MAX_FILTER_LENGTH}`);
  });

  it('bounds nesting inside the value filter', () => {
    expect(rejection(`emails[${'('.repeat(60)}type pr${')'.repeat(60)}]`).detail).toBe('Nesting deeper than 50 levels at position 56 in path');
  });
});
