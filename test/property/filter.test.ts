/**
 * Property tests of the filter parser (RFC 7644 §3.4.2.2), the PATCH path parser
 * (§3.5.2) and the in-memory evaluator, issue 6 "Hostile input":
 * - printing is the inverse of parsing, for random ASTs and random texts;
 * - random and mutated input gives an AST or a ScimError 400 with the right
 *   `scimType`, never another exception (no TypeError, no stack overflow).
 * Runs and seed are printed by `propertyOptions` (test/property/options.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import type { AttrPath, Filter } from '../../src/scim/filter/ast.js';
import { compileFilter } from '../../src/scim/filter/evaluate.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from '../../src/scim/filter/parse.js';
import { parsePatchPath } from '../../src/scim/filter/patch-path.js';
import { printFilter } from '../../src/scim/filter/print.js';
import { groupResourceType, type ResourceTypeDef, userResourceType } from '../../src/scim/schemas/resource-types.js';
import { isPlainObject, type ScimDocument } from '../../src/scim/schemas/validate.js';
import { filterAst, filterText, hostileStringValue, isFilterString, mutated, patchPathText } from './filter-arbitraries.js';
import { propertyOptions } from './options.js';
import { attributesOf, storedDocument } from './scim-arbitraries.js';

/** Runs `fn`; returns its result, or the ScimError it threw after checking status and scimType. Any other throw fails the property. */
function resultOrScimError<T>(fn: () => T, scimType: string): T | ScimError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw new Error(`expected a ScimError, got ${String(e)}`, { cause: e });
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(scimType);
    expect(e.detail).toMatch(/\S/);
    return e;
  }
}

/** Deep equality; toStrictEqual compares numbers with Object.is, so a `-0` printed as `0` fails it. */
const expectSameAst = (actual: Filter, expected: Filter) => expect(actual).toStrictEqual(expected);

describe('printFilter ∘ parseFilter', () => {
  it('parseFilter(printFilter(ast)) is the same AST, for random ASTs', () => {
    fc.assert(
      fc.property(filterAst, (ast) => {
        const text = printFilter(ast);
        fc.pre(text.length <= MAX_FILTER_LENGTH);
        expectSameAst(parseFilter(text), ast);
      }),
      propertyOptions('filter AST round trip', 6000),
    );
  });

  it('parse(print(parse(t))) is parse(t), for random filter texts in client spellings', () => {
    fc.assert(
      fc.property(filterText, (text) => {
        fc.pre(text.length <= MAX_FILTER_LENGTH);
        const ast = parseFilter(text);
        expectSameAst(parseFilter(printFilter(ast)), ast);
        // Canonical: printing again changes nothing.
        expect(printFilter(parseFilter(printFilter(ast)))).toBe(printFilter(ast));
      }),
      propertyOptions('filter text round trip', 4000),
    );
  });

  it('a string with NUL or an unpaired surrogate prints, and parsing it back is a 400 invalidFilter', () => {
    fc.assert(
      fc.property(hostileStringValue, fc.constantFrom('userName', 'emails.value', 'displayName'), (value, attr) => {
        const text = printFilter({ kind: 'compare', path: { attr: attr.split('.')[0]!, ...(attr.includes('.') ? { sub: attr.split('.')[1]! } : {}) }, op: 'eq', value });
        let thrown: unknown;
        try {
          parseFilter(text);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(ScimError);
        expect(thrown).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      }),
      propertyOptions('hostile filter strings', 1000),
    );
  });
});

describe('parseFilter on hostile input', () => {
  const check = (text: string) => {
    const r = resultOrScimError(() => parseFilter(text), 'invalidFilter');
    if (r instanceof ScimError) return;
    // Whatever parses also prints and parses back, as long as the print fits.
    const printed = printFilter(r);
    if (printed.length <= MAX_FILTER_LENGTH) expectSameAst(parseFilter(printed), r);
  };

  it('random strings: an AST or 400 invalidFilter', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 })), check),
      propertyOptions('random filter strings', 4000),
    );
  });

  it('mutated valid filters (insert, delete, replace, truncate, repeat, wrap): an AST or 400 invalidFilter', () => {
    fc.assert(fc.property(mutated(filterText), check), propertyOptions('mutated filters', 6000));
  });

  it('deep nesting and thousands of clauses: an AST or 400 invalidFilter, never a stack overflow', () => {
    // Small and near-the-length-limit sizes alike (fast-check alone favours small ones).
    const size = (max: number) => fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: max / 2, max }));
    const shapes = fc.oneof(
      size(1000).map((n) => `${'not ('.repeat(n)}a pr${')'.repeat(n)}`),
      size(2040).map((n) => `${'('.repeat(n)}a pr${')'.repeat(n)}`),
      size(4000).map((n) => `${'('.repeat(n)}a pr`),
      size(1360).map((n) => `${'a['.repeat(n)}b pr${']'.repeat(n)}`),
      size(1000).map((n) => Array.from({ length: n }, (_, i) => `a${i} eq ${i}`).join(i2op(n))),
      size(5000).map((n) => 'a pr and '.repeat(n) + 'b pr'),
      size(2000).map((n) => `emails[${'type eq "w" or '.repeat(n)}type pr]`),
    );
    fc.assert(fc.property(shapes, check), propertyOptions('nested and long filters', 300));
  });

  it('nesting exactly at and just over the limit', () => {
    expect(parseFilter(`${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`)).toStrictEqual({ kind: 'present', path: { attr: 'a' } });
    const e = resultOrScimError(() => parseFilter(`${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`), 'invalidFilter');
    expect(e).toBeInstanceOf(ScimError);
    // 300 `or` clauses fit in the length limit and parse iteratively.
    const many = Array.from({ length: 300 }, (_, i) => `a eq ${i}`).join(' or ');
    expect(many.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(printFilter(parseFilter(many))).toBe(many);
  });
});

const i2op = (n: number) => (n % 2 ? ' or ' : ' and ');

describe('parsePatchPath on hostile input', () => {
  const check = (text: string) => void resultOrScimError(() => parsePatchPath(text), 'invalidPath');

  it('valid paths parse, and their value filters print back', () => {
    fc.assert(
      fc.property(patchPathText, (text) => {
        const p = parsePatchPath(text);
        // The element filter's paths are relative (`$ref` is no top-level name), so it re-parses inside its brackets.
        if (p.filter) expect(parsePatchPath(`${p.path.attr}[${printFilter(p.filter)}]`).filter).toStrictEqual(p.filter);
      }),
      propertyOptions('valid patch paths', 2000),
    );
  });

  it('random strings and mutated paths: a PatchPath or 400 invalidPath', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated(patchPathText)), check), propertyOptions('hostile patch paths', 5000));
  });
});

describe('compileFilter on parsed filters', () => {
  // Real attribute names, so that many filters compile and the predicates run.
  const realFilter = filterText.filter((t) => t.length <= MAX_FILTER_LENGTH);
  const element = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('userName', 'emails', 'active', 'name', 'meta', 'title'), fc.jsonValue({ maxDepth: 2 })));

  it('compiles to a predicate or throws 400 invalidFilter; the predicate never throws', () => {
    fc.assert(
      fc.property(fc.oneof(realFilter, fc.constantFrom(...REAL_FILTERS)), fc.constantFrom(userResourceType, groupResourceType), fc.array(element, { maxLength: 4 }), (text, rt, elements) => {
        const r = resultOrScimError(() => parseFilter(text), 'invalidFilter');
        if (r instanceof ScimError) return;
        const compiled = resultOrScimError(() => compileFilter(r, { rt }), 'invalidFilter');
        if (compiled instanceof ScimError) return;
        for (const el of elements) expect(typeof compiled(el)).toBe('boolean');
      }),
      propertyOptions('compiled filters', 3000),
    );
  });
});

const REAL_FILTERS = [
  'userName eq "a"',
  'emails[type eq "work" and primary eq true].value co "@"',
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'active eq "True" or not (title pr)',
  'name.givenName sw "A" and emails.value ew ".com"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"',
  'members[value eq "1"] or displayName co "x"',
  'meta.created le 5',
  'active gt true',
  'emails[type eq null]',
];

describe('compileFilter semantics on stored documents', () => {
  /** Every simple value a document holds, with the filter path that names it (`title`, `name.givenName`, `emails.value`, `urn:…:User:department`). */
  function valuesIn(rt: ResourceTypeDef, doc: ScimDocument): { path: AttrPath; value: string | boolean; multi: boolean }[] {
    const out: { path: AttrPath; value: string | boolean; multi: boolean }[] = [];
    for (const { def, uri, extension } of attributesOf(rt)) {
      const holder = extension ? doc[uri] : doc;
      const raw = isPlainObject(holder) ? holder[def.name] : undefined;
      const base: AttrPath = extension ? { uri, attr: def.name } : { attr: def.name };
      for (const v of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
        // A value a filter cannot name (NUL, an unpaired surrogate) is refused by the parser, tested below.
        if ((typeof v === 'string' && isFilterString(v)) || typeof v === 'boolean') out.push({ path: base, value: v, multi: def.multiValued });
        else if (isPlainObject(v)) {
          for (const [sub, sv] of Object.entries(v)) {
            if ((typeof sv === 'string' && isFilterString(sv)) || typeof sv === 'boolean') out.push({ path: { ...base, sub }, value: sv, multi: def.multiValued });
          }
        }
      }
    }
    return out;
  }

  it.each([userResourceType, groupResourceType])('a $name document matches "path eq" its own values and "path pr"; not "path ne" a single value', (rt) => {
    fc.assert(
      fc.property(
        storedDocument(rt).filter((d) => valuesIn(rt, d).length > 0),
        fc.nat(),
        (doc, pick) => {
          const all = valuesIn(rt, doc);
          const { path, value, multi } = all[pick % all.length];
          // Through text, as a client's filter arrives.
          const matches = (f: Filter) => compileFilter(parseFilter(printFilter(f)), { rt })(doc);
          expect(matches({ kind: 'compare', path, op: 'eq', value })).toBe(true);
          // `pr` is "present and not empty"; another value of a list may be non-empty.
          if (value !== '' || !multi) expect(matches({ kind: 'present', path })).toBe(value !== '');
          if (!multi) expect(matches({ kind: 'compare', path, op: 'ne', value })).toBe(false);
          if (typeof value === 'string') expect(matches({ kind: 'compare', path, op: 'sw', value: [...value].slice(0, 2).join('') })).toBe(true);
        },
      ),
      propertyOptions(`${rt.name} filter semantics`, 1000),
    );
  }, 60_000);
});
