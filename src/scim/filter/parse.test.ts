import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from './parse.js';

const cmp = (path: AttrPath, op: CompareOp, value: CompareValue): Filter => ({ kind: 'compare', path, op, value });
const pr = (path: AttrPath): Filter => ({ kind: 'present', path });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', path, filter });

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function rejection(text: string): ScimError {
  try {
    parseFilter(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  const lastModified = { attr: 'meta', sub: 'lastModified' };
  const emailsCo = or(cmp({ attr: 'emails' }, 'co', 'example.com'), cmp({ attr: 'emails', sub: 'value' }, 'co', 'example.org'));
  it.each<[string, Filter]>([
    ['userName eq "bjensen"', cmp({ attr: 'userName' }, 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp({ attr: 'name', sub: 'familyName' }, 'co', "O'Malley")],
    ['userName sw "J"', cmp({ attr: 'userName' }, 'sw', 'J')],
    [`${CORE_USER}:userName sw "J"`, cmp({ uri: CORE_USER, attr: 'userName' }, 'sw', 'J')],
    ['title pr', pr({ attr: 'title' })],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp(lastModified, 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp(lastModified, 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp(lastModified, 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp(lastModified, 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr({ attr: 'title' }), cmp({ attr: 'userType' }, 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr({ attr: 'title' }), cmp({ attr: 'userType' }, 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE}"`, cmp({ attr: 'schemas' }, 'eq', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(cmp({ attr: 'userType' }, 'eq', 'Employee'), emailsCo),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp({ attr: 'userType' }, 'ne', 'Employee'), not(emailsCo)),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(cmp({ attr: 'userType' }, 'eq', 'Employee'), cmp({ attr: 'emails', sub: 'type' }, 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(
        cmp({ attr: 'userType' }, 'eq', 'Employee'),
        vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'co', '@example.com'))),
      ),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'co', '@example.com'))),
        vp({ attr: 'ims' }, and(cmp({ attr: 'type' }, 'eq', 'xmpp'), cmp({ attr: 'value' }, 'co', '@foo.com'))),
      ),
    ],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });

  it('accepts the examples as the RFC prints them, wrapped over two lines', () => {
    expect(parseFilter('userType eq "Employee" and emails[type eq "work" and\n  value co "@example.com"]')).toStrictEqual(
      parseFilter('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]'),
    );
  });
});

describe('parseFilter: shapes sent by Entra ID and Okta (../shared/conformance)', () => {
  const id = '2819c223-7f76-453a-919d-413861904646';
  const bob = '26118915-6090-4610-87e4-49d8ca9f808d';
  it.each<[string, Filter]>([
    ['userName eq "alice.1a2b3c4d@example.com"', cmp({ attr: 'userName' }, 'eq', 'alice.1a2b3c4d@example.com')],
    ['externalId eq "alice.1a2b3c4d"', cmp({ attr: 'externalId' }, 'eq', 'alice.1a2b3c4d')],
    ['displayName eq "Engineering 1a2b3c4d"', cmp({ attr: 'displayName' }, 'eq', 'Engineering 1a2b3c4d')],
    // Entra matches users on a value-path sub-attribute, which RFC filters do not allow.
    [
      'emails[type eq "work"].value eq "alice.1a2b3c4d@example.com"',
      vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'eq', 'alice.1a2b3c4d@example.com'))),
    ],
    [`id eq "${id}" and manager eq "${bob}"`, and(cmp({ attr: 'id' }, 'eq', id), cmp({ attr: 'manager' }, 'eq', bob))],
    [`id eq "${id}" and members eq "${bob}"`, and(cmp({ attr: 'id' }, 'eq', id), cmp({ attr: 'members' }, 'eq', bob))],
    [`id eq "${id}" and members[value eq "${bob}"]`, and(cmp({ attr: 'id' }, 'eq', id), vp({ attr: 'members' }, cmp({ attr: 'value' }, 'eq', bob)))],
    // Field reports: every keyword in any case.
    ['username eq "alice@example.com"', cmp({ attr: 'username' }, 'eq', 'alice@example.com')],
    ['userName Eq "alice@example.com"', cmp({ attr: 'userName' }, 'eq', 'alice@example.com')],
    [
      'USERNAME EQ "alice@example.com" AND Active eq true',
      and(cmp({ attr: 'USERNAME' }, 'eq', 'alice@example.com'), cmp({ attr: 'Active' }, 'eq', true)),
    ],
    ['userName eq "nobody@example.com" OR userName eq "alice@example.com"', or(cmp({ attr: 'userName' }, 'eq', 'nobody@example.com'), cmp({ attr: 'userName' }, 'eq', 'alice@example.com'))],
    ['displayname eq "Engineering F14"', cmp({ attr: 'displayname' }, 'eq', 'Engineering F14')],
    ['emails.value eq "ALICE@EXAMPLE.COM"', cmp({ attr: 'emails', sub: 'value' }, 'eq', 'ALICE@EXAMPLE.COM')],
    ['userName ew ".F15.1A2B@EXAMPLE.COM"', cmp({ attr: 'userName' }, 'ew', '.F15.1A2B@EXAMPLE.COM')],
    ['members[value Eq "x"]', vp({ attr: 'members' }, cmp({ attr: 'value' }, 'eq', 'x'))],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });

  it.each<[string, Filter]>([
    // Entra encodes form-style (space → "+"), Okta RFC 3986 style; both reach the parser decoded.
    [
      'filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22alice.1a2b%40example.com%22',
      vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'eq', 'alice.1a2b@example.com'))),
    ],
    ['excludedAttributes=members&filter=displayName+eq+%22Engineering+1a2b%22', cmp({ attr: 'displayName' }, 'eq', 'Engineering 1a2b')],
    ['filter=userName%20eq%20%22dana.1a2b%40example.com%22&startIndex=1&count=100', cmp({ attr: 'userName' }, 'eq', 'dana.1a2b@example.com')],
  ])('query string %s', (query, ast) => {
    expect(parseFilter(new URLSearchParams(query).get('filter')!)).toStrictEqual(ast);
  });
});

describe('parseFilter: grammar details', () => {
  it.each<[string, Filter]>([
    // Precedence: not > and > or; chains are left-associative.
    ['a pr or b pr and c pr', or(pr({ attr: 'a' }), and(pr({ attr: 'b' }), pr({ attr: 'c' })))],
    ['a pr and b pr or c pr', or(and(pr({ attr: 'a' }), pr({ attr: 'b' })), pr({ attr: 'c' }))],
    ['a pr and b pr and c pr', and(and(pr({ attr: 'a' }), pr({ attr: 'b' })), pr({ attr: 'c' }))],
    ['a pr or b pr or c pr', or(or(pr({ attr: 'a' }), pr({ attr: 'b' })), pr({ attr: 'c' }))],
    ['not (a pr) and b pr', and(not(pr({ attr: 'a' })), pr({ attr: 'b' }))],
    ['(a pr or b pr) and c pr', and(or(pr({ attr: 'a' }), pr({ attr: 'b' })), pr({ attr: 'c' }))],
    ['NOT(a pr)', not(pr({ attr: 'a' }))],
    ['not (not (a pr))', not(not(pr({ attr: 'a' })))],
    ['((a pr))', pr({ attr: 'a' })],
    ['emails[not (type eq "work")]', vp({ attr: 'emails' }, not(cmp({ attr: 'type' }, 'eq', 'work')))],
    ['emails[(type eq "work" or type eq "home") and primary eq true]', vp({ attr: 'emails' }, and(or(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'type' }, 'eq', 'home')), cmp({ attr: 'primary' }, 'eq', true)))],
    // Whitespace: any amount of spaces, tabs and newlines.
    ['  userName   eq\t"x"  AND\n title   pr ', and(cmp({ attr: 'userName' }, 'eq', 'x'), pr({ attr: 'title' }))],
    ['emails[ type eq "work" ]', vp({ attr: 'emails' }, cmp({ attr: 'type' }, 'eq', 'work'))],
    // Operators.
    ...(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le'] as const).map((op): [string, Filter] => [`x ${op.toUpperCase()} 1`, cmp({ attr: 'x' }, op, 1)]),
    ['title PR', pr({ attr: 'title' })],
    // Paths.
    [`${ENTERPRISE}:manager.value eq "m"`, cmp({ uri: ENTERPRISE, attr: 'manager', sub: 'value' }, 'eq', 'm')],
    [`${ENTERPRISE}:manager pr`, pr({ uri: ENTERPRISE, attr: 'manager' })],
    [`${ENTERPRISE}:employeeNumber eq "701984"`, cmp({ uri: ENTERPRISE, attr: 'employeeNumber' }, 'eq', '701984')],
    [`${ENTERPRISE.toUpperCase()}:MANAGER.VALUE pr`, pr({ uri: ENTERPRISE.toUpperCase(), attr: 'MANAGER', sub: 'VALUE' })],
    [`${CORE_USER}:emails[type eq "work"]`, vp({ uri: CORE_USER, attr: 'emails' }, cmp({ attr: 'type' }, 'eq', 'work'))],
    ['members.$ref pr', pr({ attr: 'members', sub: '$ref' })],
    ['members[$ref co "/Users/"]', vp({ attr: 'members' }, cmp({ attr: '$ref' }, 'co', '/Users/'))],
    ['x509Certificates.value pr', pr({ attr: 'x509Certificates', sub: 'value' })],
    ['a-b_c9 pr', pr({ attr: 'a-b_c9' })],
    // Entra's value-path tail, also with pr.
    ['emails[type eq "work"].value pr', vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), pr({ attr: 'value' })))],
    [
      'emails[type eq "work"].value eq "a" or userName eq "b"',
      or(vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'eq', 'a'))), cmp({ attr: 'userName' }, 'eq', 'b')),
    ],
    ['emails[type eq "a" or type eq "b"].value eq "x"', vp({ attr: 'emails' }, and(or(cmp({ attr: 'type' }, 'eq', 'a'), cmp({ attr: 'type' }, 'eq', 'b')), cmp({ attr: 'value' }, 'eq', 'x')))],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });

  it.each<[string, CompareValue]>([
    ['"plain"', 'plain'],
    ['""', ''],
    ['"a\\"b"', 'a"b'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"\\/"', '/'],
    ['"\\b\\f\\n\\r\\t"', '\b\f\n\r\t'],
    ['"caf\\u00e9 \\u00C9"', 'café É'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"café 😀"', 'café 😀'],
    ['"and or not pr ) ] ["', 'and or not pr ) ] ['],
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1e+2', 100],
    ['true', true],
    ['False', false],
    ['NULL', null],
  ])('value %s', (literal, value) => {
    expect(parseFilter(`x eq ${literal}`)).toStrictEqual(cmp({ attr: 'x' }, 'eq', value));
  });
});

describe('parseFilter: malformed input → 400 invalidFilter', () => {
  it.each<[string, string]>([
    ['', 'Filter is empty'],
    ['   ', 'Filter is empty'],
    ['userName', 'Expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr) after "userName" but found end of filter at position 8 in filter'],
    ['userName eq', 'Expected a value (JSON string, number, true, false or null) after "eq" but found end of filter at position 11 in filter'],
    ['userName eq bjensen', 'Expected a value (JSON string, number, true, false or null) after "eq" but found token "bjensen" (strings must be in double quotes) at position 12 in filter'],
    ["userName eq 'bjensen'", `Expected a value (JSON string, number, true, false or null) after "eq" but found token "'bjensen'" (strings must be in double quotes) at position 12 in filter`],
    ['userName xyz "a"', 'Unknown operator "xyz" (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr) at position 9 in filter'],
    ['userName = "a"', 'Unknown operator "=" (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr) at position 9 in filter'],
    ['userName eq "a" xyz', 'Unexpected token "xyz" at position 16 in filter'],
    ['userName eq "a" "b"', 'Unexpected string "b" at position 16 in filter'],
    ['userName eq "a" and', 'Expected an attribute name, "(" or "not" but found end of filter at position 19 in filter'],
    ['and userName eq "a"', 'Expected an attribute name, "(" or "not" but found token "and" at position 0 in filter'],
    ['a pr and or b pr', 'Expected an attribute name, "(" or "not" but found token "or" at position 9 in filter'],
    ['userName eq "abc', 'Unterminated string starting at position 12 in filter'],
    ['userName eq "abc\\', 'Unterminated string starting at position 12 in filter'],
    ['userName eq "a\\qb"', 'Invalid escape "\\q" in string at position 14 in filter'],
    ['userName eq "\\u12"', 'Invalid \\u escape in string (expected 4 hex digits) at position 13 in filter'],
    ['userName eq "a\nb"', 'Unescaped control character U+000A in string at position 14 in filter'],
    ['x eq 01', 'Expected a value (JSON string, number, true, false or null) after "eq" but found token "01" (strings must be in double quotes) at position 5 in filter'],
    ['x eq 1.', 'Expected a value (JSON string, number, true, false or null) after "eq" but found token "1." (strings must be in double quotes) at position 5 in filter'],
    ['x eq 1e400', 'Number "1e400" is out of range at position 5 in filter'],
    ['title pr "x"', 'Operator "pr" takes no value but found string "x" at position 9 in filter'],
    ['title pr true', 'Operator "pr" takes no value but found token "true" at position 9 in filter'],
    ['(title pr', 'Expected ")" to close the "(" at position 0 but found end of filter at position 9 in filter'],
    ['title pr)', 'Unexpected token ")" at position 8 in filter'],
    ['()', 'Expected an attribute name, "(" or "not" but found token ")" at position 1 in filter'],
    ['not title pr', 'Expected "(" after "not" but found token "title" at position 4 in filter'],
    ['emails[type eq "work"', 'Expected "]" to close the "[" at position 6 but found end of filter at position 21 in filter'],
    ['emails[type eq "work")', 'Expected "]" to close the "[" at position 6 but found token ")" at position 21 in filter'],
    ['emails type eq "work"]', 'Unknown operator "type" (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr) at position 7 in filter'],
    ['title pr]', 'Unexpected token "]" at position 8 in filter'],
    ['emails[]', 'Expected an attribute name, "(" or "not" but found token "]" at position 7 in filter'],
    ['emails[type eq "w" and x[a eq 1]]', 'Nested "[" inside "emails[...]" is not allowed at position 24 in filter'],
    ['emails[emails.type eq "work"]', 'Invalid attribute "emails.type" inside "emails[...]" (expected a sub-attribute name of "emails") at position 7 in filter'],
    [`emails[${CORE_USER}:type eq "work"]`, `Invalid attribute "${CORE_USER}:type" inside "emails[...]" (expected a sub-attribute name of "emails") at position 7 in filter`],
    ['name.familyName[x eq 1]', '"[" must follow a complex attribute, not the sub-attribute "name.familyName" at position 15 in filter'],
    ['emails[type eq "work"] .value eq "x"', 'Unexpected token ".value" at position 23 in filter'],
    ['emails[type eq "work"].value', 'Expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr) after ".value" but found end of filter at position 28 in filter'],
    ['emails[type eq "work"].9 eq "x"', 'Invalid sub-attribute ".9" at position 22 in filter'],
    ['a.b.c pr', 'Invalid attribute path "a.b.c" at position 0 in filter'],
    ['a. pr', 'Invalid attribute path "a." at position 0 in filter'],
    ['9lives pr', 'Invalid attribute path "9lives" at position 0 in filter'],
    ['$ref pr', 'Invalid attribute path "$ref" at position 0 in filter'],
    ['.value pr', 'Invalid attribute path ".value" at position 0 in filter'],
    ['user@name pr', 'Invalid attribute path "user@name" at position 0 in filter'],
    [':userName pr', 'Invalid schema URI in attribute path ":userName" at position 0 in filter'],
    [`${ENTERPRISE}: pr`, `Invalid attribute path "${ENTERPRISE}:" at position 0 in filter`],
    ['"userName" eq "x"', 'Expected an attribute name, "(" or "not" but found string "userName" at position 0 in filter'],
  ])('%j', (text, detail) => {
    const e = rejection(text);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    expect(e.detail).toBe(detail);
  });

  it('clips a long token in the detail', () => {
    expect(rejection(`x eq "a" ${'y'.repeat(200)}`).detail).toBe(`Unexpected token "${'y'.repeat(97)}..." at position 9 in filter`);
  });

  it(`rejects filters longer than ${MAX_FILTER_LENGTH} characters before parsing`, () => {
    const text = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(rejection(text).detail).toBe(`Filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`);
    expect(parseFilter(`x eq "${'a'.repeat(MAX_FILTER_LENGTH - 7)}"`)).toStrictEqual(cmp({ attr: 'x' }, 'eq', 'a'.repeat(MAX_FILTER_LENGTH - 7)));
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels of nesting and rejects ${MAX_FILTER_DEPTH + 1}`, () => {
    const nested = (n: number) => '('.repeat(n) + 'a pr' + ')'.repeat(n);
    expect(parseFilter(nested(MAX_FILTER_DEPTH))).toStrictEqual(pr({ attr: 'a' }));
    expect(rejection(nested(MAX_FILTER_DEPTH + 1)).detail).toBe(`Nesting deeper than ${MAX_FILTER_DEPTH} levels at position ${MAX_FILTER_DEPTH} in filter`);
    const nots = (n: number) => 'not ('.repeat(n) + 'a pr' + ')'.repeat(n);
    expect(rejection(nots(MAX_FILTER_DEPTH + 1)).scimType).toBe('invalidFilter');
    // Brackets count too: 49 parentheses + emails[…] is 50 levels.
    expect(() => parseFilter('('.repeat(MAX_FILTER_DEPTH - 1) + 'emails[type pr]' + ')'.repeat(MAX_FILTER_DEPTH - 1))).not.toThrow();
    expect(rejection('('.repeat(MAX_FILTER_DEPTH) + 'emails[type pr]' + ')'.repeat(MAX_FILTER_DEPTH)).scimType).toBe('invalidFilter');
  });

  it('handles the longest flat chains without deep recursion', () => {
    const terms = Math.floor(MAX_FILTER_LENGTH / 9);
    const f = parseFilter(Array.from({ length: terms }, (_, i) => `a${i % 10} pr`).join(' or '));
    let depth = 0;
    for (let n = f; n.kind === 'or'; n = n.left) depth++;
    expect(depth).toBe(terms - 1);
  });

  it('rejects a non-string (e.g. a repeated query parameter)', () => {
    expect(() => parseFilter(['a pr', 'b pr'] as unknown as string)).toThrow(expect.objectContaining({ scimType: 'invalidFilter', detail: 'Filter must be a string' }));
  });

  it('throws only invalidFilter ScimErrors on arbitrary token soup', () => {
    const pieces = ['a', 'emails', '.value', 'x.y', 'urn:x:y:', 'eq', 'pr', 'and', 'or', 'not', '(', ')', '[', ']', '"s"', '"', '\\', '1', '-', 'true', 'null', ' ', ' ', ':'];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + rand(16) }, () => pieces[rand(pieces.length)]).join(rand(2) ? ' ' : '');
      try {
        parseFilter(text);
      } catch (e) {
        expect(e, text).toBeInstanceOf(ScimError);
        expect((e as ScimError).scimType, text).toBe('invalidFilter');
        expect((e as ScimError).detail, text).toMatch(/^Filter is empty$| at position \d+ in filter$/);
      }
    }
  });
});
