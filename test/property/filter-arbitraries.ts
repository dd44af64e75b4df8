/**
 * fast-check arbitraries for SCIM filters (RFC 7644 §3.4.2.2): ASTs over the real
 * types of `src/scim/filter/ast.ts`, filter texts in the many spellings clients
 * use, and mutations of both. Shared by the filter and PATCH property tests.
 */
import fc from 'fast-check';
import type { AttrPath, CompareOp, CompareValue, Filter } from '../../src/scim/filter/ast.js';
import { printFilter } from '../../src/scim/filter/print.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/resource-types.js';

export const COMPARE_OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le'];

/** A word that starts a factor as a keyword can never be an attribute name there. */
const KEYWORDS = new Set(['and', 'or', 'not']);

/** RFC 7644 ATTRNAME, short, including real attribute names in random case. */
export const attrName = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/),
    fc.constantFrom('userName', 'emails', 'name', 'active', 'meta', 'members', 'manager', 'title', 'pr', 'eq', 'true', 'null', 'Not1', 'andy'),
  )
  .filter((s) => !KEYWORDS.has(s.toLowerCase()));

/** A sub-attribute name: ATTRNAME or `$ref` (RFC 7643 §2.4). */
export const subName = fc.oneof({ weight: 4, arbitrary: attrName }, { weight: 1, arbitrary: fc.constantFrom('$ref', '$REF', '$Ref') });

/** Schema URIs: the real ones and odd-but-legal ones (dots, colons, a trailing colon, `%`, `@`). */
export const schemaUri = fc.oneof(
  fc.constantFrom(USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, 'urn:x', 'urn:a:b:', 'http://e.x/s?a=1'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9+.-]{0,4}:[A-Za-z0-9:._~%!$&'*+,;=@/-]{1,16}$/),
);

/**
 * A string a filter may carry: the parser refuses NUL and unpaired UTF-16
 * surrogates in filter strings (they cannot be stored or compared in
 * PostgreSQL text), so a legal AST holds neither. `hostileStringValue` has them.
 */
export const isFilterString = (s: string): boolean => !s.includes('\0') && !/\p{Cs}/u.test(s);

/** Legal strings with quotes, backslashes, control characters, unicode and filter syntax inside. */
export const stringValue = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('', '"', '\\', '\\"', '\\u0041', '/', '\u2028', '"] or (', ') and not (', 'a\nb\tc', 'émoji 😀'),
  )
  .filter(isFilterString);

/** Strings the parser must refuse inside a filter: with NUL or an unpaired surrogate somewhere. */
export const hostileStringValue = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\u0000', '\uD800', '\uDFFF', 'a\uDC00b'), fc.string({ maxLength: 6 }))
  .map(([a, bad, b]) => a + bad + b);

/** JSON numbers: integers, negatives, decimals, exponents, -0, extremes. */
export const numberValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.1, 1e21, -1e-7, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -Number.MAX_VALUE),
);

export const compareValue: fc.Arbitrary<CompareValue> = fc.oneof(stringValue, numberValue, fc.boolean(), fc.constant(null));

/** Plain objects like JSON.parse makes (fast-check may otherwise build null-prototype ones). */
const record = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record<T>(model, { noNullPrototype: true });

const withOptional = <T extends object>(base: T, key: string, value: unknown): T => (value === undefined ? base : { ...base, [key]: value });

/** An absolute attribute path: `[uri:]attr[.sub]`, optional parts absent (not `undefined`), as the parser builds them. */
export const absolutePath: fc.Arbitrary<AttrPath> = fc
  .tuple(fc.option(schemaUri, { nil: undefined, freq: 4 }), attrName, fc.option(subName, { nil: undefined, freq: 2 }))
  .map(([uri, attr, sub]) => withOptional(withOptional({ attr } as AttrPath, 'uri', uri), 'sub', sub));

/** Inside `attr[...]` a path is one sub-attribute name. */
const relativePath: fc.Arbitrary<AttrPath> = subName.map((attr) => ({ attr }));

function filterOf(path: fc.Arbitrary<AttrPath>, withValuePath: boolean, maxDepth: number): fc.Arbitrary<Filter> {
  return fc.letrec<{ filter: Filter; leaf: Filter }>((tie) => ({
    leaf: fc.oneof(
      { weight: 3, arbitrary: record({ kind: fc.constant('compare' as const), path, op: fc.constantFrom(...COMPARE_OPS), value: compareValue }) },
      { weight: 1, arbitrary: record({ kind: fc.constant('present' as const), path }) },
    ),
    filter: fc.oneof(
      { maxDepth, depthIdentifier: 'filter' },
      { weight: 3, arbitrary: tie('leaf') },
      { weight: 2, arbitrary: record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') }) },
      { weight: 2, arbitrary: record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') }) },
      { weight: 1, arbitrary: record({ kind: fc.constant('not' as const), filter: tie('filter') }) },
      ...(withValuePath
        ? [
            {
              weight: 1,
              arbitrary: record({
                kind: fc.constant('valuePath' as const),
                // `[` cannot follow a sub-attribute.
                path: path.map(({ sub: _sub, ...p }) => p),
                filter: filterOf(relativePath, false, 3),
              }),
            },
          ]
        : []),
    ),
  })).filter;
}

/** Any filter AST the parser can produce (depth bounded well under MAX_FILTER_DEPTH). */
export const filterAst: fc.Arbitrary<Filter> = filterOf(absolutePath, true, 5);

/** The element filter of a value path, paths relative to one element. */
export const elementFilterAst = (names: fc.Arbitrary<string>, maxDepth = 3): fc.Arbitrary<Filter> =>
  filterOf(names.map((attr) => ({ attr })), false, maxDepth);

// ---- texts ----

/** The keyword in a random letter case (one random bit per letter). */
const randomCase = (word: string) => fc.nat().map((bits) => [...word].map((c, i) => ((bits >> i % 31) & 1 ? c.toUpperCase() : c.toLowerCase())).join(''));

const space = fc.stringMatching(/^[ \t\n\r]{1,3}$/);
/** Optional whitespace around self-delimiting tokens (parentheses, brackets, strings). */
const optSpace = fc.oneof(fc.constant(''), space);

/** Other spellings of a number that read back as the same double. */
const numberText = fc.oneof(
  numberValue.map((n) => (Object.is(n, -0) ? '-0' : String(n))),
  fc.constantFrom('1.0', '1E3', '1e+3', '-0.0', '2.50e-1', '0e0', '-12E-2'),
);

/** JSON string text with gratuitous escapes (`\u0041`, `\/`). */
const stringText = fc.oneof(
  stringValue.map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\u0041\\/b"', '"\\ud83d\\ude00"', '"\\"\\\\\\b\\f\\n\\r\\t"'),
);

const valueText = fc.oneof(stringText, numberText, randomCase('true'), randomCase('false'), randomCase('null'));
const pathText = (path: fc.Arbitrary<AttrPath>) =>
  path.map((p) => `${p.uri === undefined ? '' : `${p.uri}:`}${p.attr}${p.sub === undefined ? '' : `.${p.sub}`}`);

function textOf(path: fc.Arbitrary<string>, withValuePath: boolean, maxDepth: number): fc.Arbitrary<string> {
  return fc.letrec<{ filter: string; leaf: string }>((tie) => ({
    leaf: fc.oneof(
      fc.tuple(path, space, fc.constantFrom(...COMPARE_OPS).chain(randomCase), optSpace, valueText).map(([p, s1, op, s2, v]) =>
        // A string is self-delimiting; a bare word needs the space.
        `${p}${s1}${op}${v.startsWith('"') ? s2 : s2 || ' '}${v}`,
      ),
      fc.tuple(path, space, randomCase('pr')).map(([p, s, pr]) => `${p}${s}${pr}`),
    ),
    filter: fc.oneof(
      { maxDepth, depthIdentifier: 'text' },
      { weight: 3, arbitrary: tie('leaf') },
      { weight: 2, arbitrary: fc.tuple(tie('filter'), space, randomCase('and'), space, tie('filter')).map((xs) => xs.join('')) },
      { weight: 2, arbitrary: fc.tuple(tie('filter'), space, randomCase('or'), space, tie('filter')).map((xs) => xs.join('')) },
      { weight: 1, arbitrary: fc.tuple(randomCase('not'), optSpace, tie('filter'), optSpace).map(([n, s, f, s2]) => `${n}${s}(${f}${s2})`) },
      { weight: 1, arbitrary: fc.tuple(optSpace, tie('filter'), optSpace).map(([s, f, s2]) => `(${s}${f}${s2})`) },
      ...(withValuePath
        ? [
            {
              weight: 1,
              arbitrary: fc
                .tuple(
                  pathText(absolutePath.map(({ sub: _sub, ...p }) => p)),
                  optSpace,
                  textOf(subName, false, 3),
                  optSpace,
                  // Entra's tail: `emails[type eq "work"].value eq "x"`.
                  fc.option(fc.tuple(subName, space, fc.constantFrom(...COMPARE_OPS), space, valueText), { freq: 3 }),
                )
                .map(([p, s, f, s2, tail]) => `${p}[${s}${f}${s2}]${tail ? `.${tail[0]}${tail[1]}${tail[2]}${tail[3]}${tail[4]}` : ''}`),
            },
          ]
        : []),
    ),
  })).filter;
}

/** Valid filter text in the spellings clients send: any keyword case, any whitespace, redundant parentheses, escapes, Entra tails. */
export const filterText: fc.Arbitrary<string> = fc
  .tuple(optSpace, textOf(pathText(absolutePath), true, 5), optSpace)
  .map(([a, f, b]) => `${a}${f}${b}`);

/** Valid PATCH path text (RFC 7644 §3.5.2): `attr`, `attr.sub`, `uri:attr`, `attr[filter]`, `attr[filter].sub`. */
export const patchPathText: fc.Arbitrary<string> = fc.oneof(
  pathText(absolutePath),
  fc
    .tuple(pathText(absolutePath.map(({ sub: _sub, ...p }) => p)), elementFilterAst(subName), fc.option(subName, { nil: undefined }))
    .map(([p, f, sub]) => `${p}[${printFilter(f)}]${sub === undefined ? '' : `.${sub}`}`),
);

// ---- mutations ----

/** Characters that matter to the scanner and grammar, and some that should not. */
const nastyChar = fc.oneof(
  fc.constantFrom('(', ')', '[', ']', '"', '\\', '.', ':', ' ', '\t', '\n', '$', '-', '0', 'e', '\u0000', '\uD800', '\u00a0', '\u2028', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const nastyWord = fc.constantFrom(' and ', ' or ', 'not ', ' pr', ' eq ', ' "x"', ' 1', ' null', '[', '].', '\\u', 'urn:', ':', '..', '()');

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'wrap'; open: string; close: string; times: number };

const position = fc.nat({ max: 10_000 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  record({ kind: fc.constant('insert' as const), at: position, text: fc.oneof(nastyChar, nastyWord) }),
  record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 6 }) }),
  record({ kind: fc.constant('replace' as const), at: position, text: nastyChar }),
  record({ kind: fc.constant('truncate' as const), at: position }),
  record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 20 }), times: fc.integer({ min: 2, max: 400 }) }),
  record({
    kind: fc.constant('wrap' as const),
    open: fc.constantFrom('(', 'not (', 'NOT(', 'emails[', '['),
    close: fc.constantFrom(')', ']', ''),
    times: fc.integer({ min: 1, max: 80 }),
  }),
);

/** Applies one edit; positions are taken modulo the text length. */
export function applyEdit(text: string, e: Edit): string {
  const at = 'at' in e ? e.at % (text.length + 1) : 0;
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.length);
    case 'replace':
      return text.slice(0, at) + e.text + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
    case 'repeat': {
      const piece = text.slice(at, at + e.length);
      return text.slice(0, at) + piece.repeat(e.times) + text.slice(at);
    }
    case 'wrap':
      return e.open.repeat(e.times) + text + e.close.repeat(e.times);
  }
}

/** `valid` with one to four random edits applied. */
export const mutated = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([t, edits]) => edits.reduce(applyEdit, t));
