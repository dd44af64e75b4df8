/**
 * Canonical text of a filter AST (RFC 7644 §3.4.2.2), the inverse of
 * `parseFilter`: for every AST `f` that `parseFilter` returns,
 * `parseFilter(printFilter(f))` is deep-equal to `f` (the property tests in
 * `test/property/filter.test.ts` check this on random ASTs and texts). Meant
 * for logs and error details too, where one normalised spelling reads better
 * than each client's.
 */
import type { AttrPath, CompareValue, Filter } from './ast.js';

/** Binding strength, loosest first: `or` < `and` < a factor (`not (…)`, comparison, `pr`, valuePath). */
const PRECEDENCE = { or: 0, and: 1, factor: 2 } as const;

const precedenceOf = (f: Filter): number => (f.kind === 'or' || f.kind === 'and' ? PRECEDENCE[f.kind] : PRECEDENCE.factor);

/** `[uri ":"] attr ["." sub]`, RFC 7644 §3.4.2.2 / §3.10. */
export function printAttrPath(path: AttrPath): string {
  return `${path.uri === undefined ? '' : `${path.uri}:`}${path.attr}${path.sub === undefined ? '' : `.${path.sub}`}`;
}

/**
 * A comparison value as filter text: strings as JSON strings (RFC 7644 §3.4.2.2
 * requires them; `JSON.stringify` escapes exactly what the parser's RFC 8259
 * scanner expects back), numbers in the shortest form that reads back as the
 * same double (`-0` kept, since it parses to `-0`), and `true`/`false`/`null`.
 *
 * @throws RangeError for a non-finite number: no filter text denotes one, and the parser never produces one.
 */
export function printCompareValue(value: CompareValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`A filter value cannot be ${value}`);
    return Object.is(value, -0) ? '-0' : String(value);
  }
  return String(value);
}

/**
 * Prints `filter` as canonical RFC 7644 §3.4.2.2 text:
 * - keywords and operators lower-case, one space between tokens:
 *   `userName eq "bjensen"`, `title pr`, `not (a pr)`;
 * - parentheses only where precedence needs them (`not` binds tighter than
 *   `and`, `and` than `or`; chains are left-associative, so a right operand of
 *   the same operator is parenthesised): `and(or(a, b), c)` → `(a pr or b pr) and c pr`;
 * - value paths with the element filter in brackets, `emails[type eq "work"]`;
 *   Entra's `emails[…].value eq "x"` parses to the same AST as
 *   `emails[… and value eq "x"]` and is printed that way;
 * - attribute paths as written, URN-qualified ones included:
 *   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`.
 *
 * The text can be longer than the client's (spaces, `not (`), so re-parsing a
 * print of a filter near `MAX_FILTER_LENGTH` may exceed that limit.
 *
 * @throws RangeError for a non-finite number value (see `printCompareValue`).
 */
export function printFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${printAttrPath(filter.path)} ${filter.op} ${printCompareValue(filter.value)}`;
    case 'present':
      return `${printAttrPath(filter.path)} pr`;
    case 'not':
      return `not (${printFilter(filter.filter)})`;
    case 'valuePath':
      return `${printAttrPath(filter.path)}[${printFilter(filter.filter)}]`;
    case 'and':
    case 'or': {
      const own = PRECEDENCE[filter.kind];
      // Left-associative: the left operand may be the same operator bare, the right one may not.
      const left = precedenceOf(filter.left) >= own ? printFilter(filter.left) : `(${printFilter(filter.left)})`;
      const right = precedenceOf(filter.right) > own ? printFilter(filter.right) : `(${printFilter(filter.right)})`;
      return `${left} ${filter.kind} ${right}`;
    }
  }
}
