import { describe, expect, it } from 'vitest';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.js';
import { parseFilter } from './parse.js';
import { printCompareValue, printFilter } from './print.js';

const cmp = (path: AttrPath, op: CompareOp, value: CompareValue): Filter => ({ kind: 'compare', path, op, value });
const pr = (attr: string): Filter => ({ kind: 'present', path: { attr } });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', path, filter });

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('printFilter', () => {
  it.each<[Filter, string]>([
    [cmp({ attr: 'userName' }, 'eq', 'bjensen'), 'userName eq "bjensen"'],
    [pr('title'), 'title pr'],
    [cmp({ attr: 'name', sub: 'familyName' }, 'co', "O'Malley"), `name.familyName co "O'Malley"`],
    [cmp({ uri: ENTERPRISE, attr: 'manager', sub: 'value' }, 'eq', 'bob'), `${ENTERPRISE}:manager.value eq "bob"`],
    [cmp({ attr: 'x' }, 'gt', -1.5e-7), 'x gt -1.5e-7'],
    [cmp({ attr: 'x' }, 'eq', -0), 'x eq -0'],
    [cmp({ attr: 'x' }, 'eq', 1e21), 'x eq 1e+21'],
    [cmp({ attr: 'active' }, 'eq', true), 'active eq true'],
    [cmp({ attr: 'title' }, 'ne', null), 'title ne null'],
    [cmp({ attr: 's' }, 'eq', 'a "quoted" \\ back\nslash\u0001 é 😀'), 's eq "a \\"quoted\\" \\\\ back\\nslash\\u0001 é 😀"'],
    // Precedence: parentheses only where the parser would otherwise group differently.
    [or(and(pr('a'), pr('b')), pr('c')), 'a pr and b pr or c pr'],
    [and(or(pr('a'), pr('b')), pr('c')), '(a pr or b pr) and c pr'],
    [and(pr('a'), or(pr('b'), pr('c'))), 'a pr and (b pr or c pr)'],
    [and(and(pr('a'), pr('b')), pr('c')), 'a pr and b pr and c pr'],
    [and(pr('a'), and(pr('b'), pr('c'))), 'a pr and (b pr and c pr)'],
    [or(pr('a'), or(pr('b'), pr('c'))), 'a pr or (b pr or c pr)'],
    [not(or(pr('a'), pr('b'))), 'not (a pr or b pr)'],
    [and(not(pr('a')), pr('b')), 'not (a pr) and b pr'],
    [
      and(cmp({ attr: 'userType' }, 'eq', 'Employee'), vp({ attr: 'emails' }, and(cmp({ attr: 'type' }, 'eq', 'work'), cmp({ attr: 'value' }, 'co', '@example.com')))),
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    ],
    [vp({ uri: 'urn:x:y', attr: 'emails' }, or(pr('type'), pr('$ref'))), 'urn:x:y:emails[type pr or $ref pr]'],
  ])('%j → %s', (ast, text) => {
    expect(printFilter(ast)).toBe(text);
    expect(parseFilter(text)).toStrictEqual(ast);
  });

  it("prints Entra's value-path tail as the equivalent conjunction inside the brackets", () => {
    const ast = parseFilter('emails[type eq "work" or type eq "home"].value eq "a@b.c"');
    expect(printFilter(ast)).toBe('emails[(type eq "work" or type eq "home") and value eq "a@b.c"]');
    expect(parseFilter(printFilter(ast))).toStrictEqual(ast);
  });

  it('normalises keyword case, whitespace, redundant parentheses and escapes', () => {
    expect(printFilter(parseFilter('((USERNAME  EQ "\\u0041\\/b"))AND(NOT(title PR))'))).toBe('USERNAME eq "A/b" and not (title pr)');
  });

  it('refuses a non-finite number, which no filter text can denote', () => {
    expect(() => printCompareValue(Number.NaN)).toThrow(RangeError);
    expect(() => printFilter(cmp({ attr: 'x' }, 'eq', Number.POSITIVE_INFINITY))).toThrow(RangeError);
  });
});
