/**
 * A hand-written recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2,
 * Figure 1) and, through the same machinery, PATCH paths (RFC 7644 §3.5.2; see
 * `patch-path.ts`). Input is the URL-decoded text; output is the AST of `ast.ts`.
 *
 * Grammar accepted (RFC ABNF plus the leniencies noted):
 *
 *     filter    = or
 *     or        = and *("or" and)
 *     and       = factor *("and" factor)
 *     factor    = "not" "(" or ")" / "(" or ")" / attrExp / valuePath
 *     valuePath = attrPath "[" valFilter "]" ["." subName compare]   ; the tail: Entra, not RFC
 *     attrExp   = attrPath ("pr" / compareOp compValue)
 *     attrPath  = [URI ":"] ATTRNAME ["." subName]
 *
 * Keywords, operators and literals are case-insensitive; whitespace between
 * tokens is optional where the tokens are self-delimiting.
 */
import { invalidFilter, type ScimError } from '../errors.js';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.js';
import { unstorableCharacter } from '../storable-text.js';

/** Longest filter (or path) accepted, in UTF-16 code units: bounds parse time and SQL size. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of `(`, `not (` and `[` accepted: recursion here and in every consumer is bounded by it. */
export const MAX_FILTER_DEPTH = 50;
/**
 * Most comparison clauses (`attr op value`, `attr pr`) in one filter. An `and`/`or`
 * chain becomes a tree as deep as it is long, which the SQL translator and the
 * evaluator walk recursively and PostgreSQL parses recursively: this bounds them.
 */
export const MAX_FILTER_CLAUSES = 500;

/** Limits on one filter; each bounds parse time, recursion depth or SQL size. Defaults: the constants above. */
export interface FilterLimits {
  /** Longest filter, UTF-16 code units (`MAX_FILTER_LENGTH`). */
  maxLength: number;
  /** Deepest nesting of `(`, `not (` and `[` (`MAX_FILTER_DEPTH`). */
  maxDepth: number;
  /** Most comparison clauses (`MAX_FILTER_CLAUSES`). */
  maxClauses: number;
}

/** The limits applied when a caller gives none. */
export const DEFAULT_FILTER_LIMITS: Readonly<FilterLimits> = Object.freeze({ maxLength: MAX_FILTER_LENGTH, maxDepth: MAX_FILTER_DEPTH, maxClauses: MAX_FILTER_CLAUSES });

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
const OPS_LIST = 'eq, ne, co, sw, ew, gt, lt, ge, le or pr';
/** RFC 7644 ATTRNAME. */
const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A sub-attribute name: ATTRNAME, or `$ref` (RFC 7643 §2.4 names it although ATTRNAME cannot). */
const SUB_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
/** Scheme, colon, something: loose on purpose, the consumer decides whether it names a known schema. */
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
/** RFC 8259 number. */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export interface Token {
  kind: '(' | ')' | '[' | ']' | 'string' | 'word' | 'end';
  /** Source text (for a string, including its quotes). */
  text: string;
  pos: number;
  end: number;
  /** Decoded value of a string token. */
  value?: string;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
// Long enough for a URN-qualified path, short enough to keep a detail readable.
const clip = (s: string) => (s.length > 100 ? s.slice(0, 97) + '...' : s);

/**
 * The shared scanner and grammar. Internal to this folder: use `parseFilter` or
 * `parsePatchPath`. Every error is thrown through `error`, so a filter reports
 * `invalidFilter` and a PATCH path `invalidPath` from the same code.
 */
export class GrammarParser {
  private readonly text: string;
  private readonly noun: string;
  private readonly error: (detail: string) => ScimError;
  private pos = 0;
  private readonly limits: Readonly<FilterLimits>;
  private depth = 0;
  private clauses = 0;
  private tok: Token;

  constructor(text: string, noun: 'filter' | 'path', error: (detail: string) => ScimError, limits: Readonly<FilterLimits> = DEFAULT_FILTER_LIMITS) {
    this.text = text;
    this.noun = noun;
    this.error = error;
    this.limits = limits;
    this.tok = this.scan();
  }

  private fail(detail: string, pos: number): never {
    throw this.error(`${detail} at position ${pos} in ${this.noun}`);
  }

  private describe(t: Token): string {
    if (t.kind === 'end') return `end of ${this.noun}`;
    if (t.kind === 'string') return `string ${clip(t.text)}`;
    return `token "${clip(t.text)}"`;
  }

  private unexpected(t: Token): never {
    this.fail(`Unexpected ${this.describe(t)}`, t.pos);
  }

  // ---- scanner ----

  private scan(): Token {
    const s = this.text;
    while (this.pos < s.length && isSpace(s[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= s.length) return { kind: 'end', text: '', pos: start, end: start };
    const c = s[start];
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      this.pos++;
      return { kind: c, text: c, pos: start, end: this.pos };
    }
    if (c === '"') return this.scanString(start);
    while (this.pos < s.length && !isSpace(s[this.pos]) && !'()[]"'.includes(s[this.pos])) this.pos++;
    return { kind: 'word', text: s.slice(start, this.pos), pos: start, end: this.pos };
  }

  /** A JSON string (RFC 8259 §7), as RFC 7644 §3.4.2.2 requires for string values. */
  private scanString(start: number): Token {
    const s = this.text;
    let out = '';
    let i = start + 1;
    for (;;) {
      if (i >= s.length) this.fail('Unterminated string starting', start);
      const c = s[i];
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i + 1];
        if (e === 'u') {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape in string (expected 4 hex digits)', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else {
          if (e === undefined) this.fail('Unterminated string starting', start);
          this.fail(`Invalid escape "\\${e}" in string`, i);
        }
        continue;
      }
      if (c < ' ') this.fail(`Unescaped control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} in string`, i);
      out += c;
      i++;
    }
    // An escape can spell what PostgreSQL text cannot hold; refused here, as in request bodies (src/http/json-body.ts).
    const bad = unstorableCharacter(out);
    if (bad) this.fail(`${bad[0]!.toUpperCase()}${bad.slice(1)} is not allowed in a string`, start);
    this.pos = i + 1;
    return { kind: 'string', text: s.slice(start, this.pos), pos: start, end: this.pos, value: out };
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.scan();
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  /** Entra's `emails[…].value`: a word starting with "." glued to the closing bracket. */
  private isSubAfterBracket(closeEnd: number): boolean {
    return this.tok.kind === 'word' && this.tok.pos === closeEnd && this.tok.text.startsWith('.');
  }

  // ---- grammar ----

  /** The whole input as a filter. */
  parseWholeFilter(): Filter {
    const f = this.parseOr(undefined);
    this.expectEnd();
    return f;
  }

  expectEnd(): void {
    if (this.tok.kind !== 'end') this.unexpected(this.tok);
  }

  // `owner` is the attribute whose brackets we are inside: paths are then relative to it.
  private parseOr(owner: string | undefined): Filter {
    let left = this.parseAnd(owner);
    while (this.isKeyword(this.tok, 'or')) {
      this.advance();
      left = { kind: 'or', left, right: this.parseAnd(owner) };
    }
    return left;
  }

  private parseAnd(owner: string | undefined): Filter {
    let left = this.parseFactor(owner);
    while (this.isKeyword(this.tok, 'and')) {
      this.advance();
      left = { kind: 'and', left, right: this.parseFactor(owner) };
    }
    return left;
  }

  private parseFactor(owner: string | undefined): Filter {
    const t = this.tok;
    if (this.isKeyword(t, 'not')) {
      this.advance();
      if (this.tok.kind !== '(') this.fail(`Expected "(" after "${t.text}" but found ${this.describe(this.tok)}`, this.tok.pos);
      return { kind: 'not', filter: this.parseGroup(owner) };
    }
    if (t.kind === '(') return this.parseGroup(owner);
    if (t.kind !== 'word' || this.isKeyword(t, 'and') || this.isKeyword(t, 'or')) {
      this.fail(`Expected an attribute name, "(" or "not" but found ${this.describe(t)}`, t.pos);
    }
    this.advance();
    const path = owner === undefined ? this.attrPath(t) : this.relativePath(t, owner);
    if (this.tok.kind === '[') {
      if (owner !== undefined) this.fail(`Nested "[" inside "${owner}[...]" is not allowed`, this.tok.pos);
      return this.parseValuePath(path, t);
    }
    return this.parseAttrTail(path, t.text);
  }

  private parseGroup(owner: string | undefined): Filter {
    const open = this.enter();
    const f = this.parseOr(owner);
    this.close(open, ')');
    return f;
  }

  private enter(): Token {
    const open = this.advance();
    if (++this.depth > this.limits.maxDepth) this.fail(`Nesting deeper than ${this.limits.maxDepth} levels`, open.pos);
    return open;
  }

  private close(open: Token, kind: ')' | ']'): Token {
    if (this.tok.kind !== kind) {
      this.fail(`Expected "${kind}" to close the "${open.text}" at position ${open.pos} but found ${this.describe(this.tok)}`, this.tok.pos);
    }
    this.depth--;
    return this.advance();
  }

  /** `attr[valFilter]`, then the optional Entra tail `.sub op value`. */
  private parseValuePath(path: AttrPath, pathTok: Token): Filter {
    const { filter, end } = this.parseBracket(path, pathTok);
    if (!this.isSubAfterBracket(end)) return { kind: 'valuePath', path, filter };
    const subTok = this.advance();
    const sub = this.subName(subTok);
    return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: this.parseAttrTail({ attr: sub }, subTok.text) } };
  }

  /** The bracketed value filter after `path` (the current token is "["); returns where "]" ended. */
  parseBracket(path: AttrPath, pathTok: Token): { filter: Filter; end: number } {
    if (path.sub !== undefined) this.fail(`"[" must follow a complex attribute, not the sub-attribute "${pathTok.text}"`, this.tok.pos);
    const open = this.enter();
    const filter = this.parseOr(path.attr);
    return { filter, end: this.close(open, ']').end };
  }

  /** After an attribute path: `pr`, or an operator and a value. */
  private parseAttrTail(path: AttrPath, pathText: string): Filter {
    const opTok = this.tok;
    // Counted as each clause is met, so a filter of 10,000 clauses stops at the first one over.
    if (++this.clauses > this.limits.maxClauses) this.fail(`More than ${this.limits.maxClauses} comparisons (the limit) in one ${this.noun}; split the query`, opTok.pos);
    if (opTok.kind !== 'word') this.fail(`Expected an operator (${OPS_LIST}) after "${clip(pathText)}" but found ${this.describe(opTok)}`, opTok.pos);
    const op = opTok.text.toLowerCase();
    this.advance();
    if (op === 'pr') {
      const next = this.tok;
      const looksLikeValue = next.kind === 'string' || (next.kind === 'word' && (NUMBER.test(next.text) || /^(true|false|null)$/i.test(next.text)));
      if (looksLikeValue) this.fail(`Operator "pr" takes no value but found ${this.describe(next)}`, next.pos);
      return { kind: 'present', path };
    }
    if (!COMPARE_OPS.has(op)) this.fail(`Unknown operator "${clip(opTok.text)}" (expected ${OPS_LIST})`, opTok.pos);
    return { kind: 'compare', path, op: op as CompareOp, value: this.parseValue(opTok.text) };
  }

  private parseValue(opText: string): CompareValue {
    const t = this.tok;
    if (t.kind === 'string') {
      this.advance();
      return t.value!;
    }
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase();
      const literal = lower === 'true' ? true : lower === 'false' ? false : lower === 'null' ? null : undefined;
      if (literal !== undefined) {
        this.advance();
        return literal;
      }
      if (NUMBER.test(t.text)) {
        const n = Number(t.text);
        if (!Number.isFinite(n)) this.fail(`Number "${clip(t.text)}" is out of range`, t.pos);
        this.advance();
        return n;
      }
    }
    const hint = t.kind === 'word' ? ' (strings must be in double quotes)' : '';
    this.fail(`Expected a value (JSON string, number, true, false or null) after "${opText}" but found ${this.describe(t)}${hint}`, t.pos);
  }

  /** `[URI ":"] ATTRNAME ["." subName]`; the URI ends at the last colon because URNs contain dots (`2.0`). */
  attrPath(t: Token): AttrPath {
    const text = t.text;
    const colon = text.lastIndexOf(':');
    const rest = text.slice(colon + 1);
    const dot = rest.indexOf('.');
    const attr = dot < 0 ? rest : rest.slice(0, dot);
    const sub = dot < 0 ? undefined : rest.slice(dot + 1);
    if (colon >= 0 && !SCHEMA_URI.test(text.slice(0, colon))) this.fail(`Invalid schema URI in attribute path "${clip(text)}"`, t.pos);
    if (!ATTR_NAME.test(attr) || (sub !== undefined && !SUB_NAME.test(sub))) this.fail(`Invalid attribute path "${clip(text)}"`, t.pos);
    const path: AttrPath = colon >= 0 ? { uri: text.slice(0, colon), attr } : { attr };
    if (sub !== undefined) path.sub = sub;
    return path;
  }

  /** Inside `owner[...]` a path is one sub-attribute name (RFC 7643 §2.3.8: sub-attributes have none). */
  private relativePath(t: Token, owner: string): AttrPath {
    if (!SUB_NAME.test(t.text)) this.fail(`Invalid attribute "${clip(t.text)}" inside "${owner}[...]" (expected a sub-attribute name of "${owner}")`, t.pos);
    return { attr: t.text };
  }

  /** The name in a `.sub` token glued to a closing bracket. */
  private subName(t: Token): string {
    const name = t.text.slice(1);
    if (!SUB_NAME.test(name)) this.fail(`Invalid sub-attribute "${clip(t.text)}"`, t.pos);
    return name;
  }

  /** For PATCH paths: the current token, which must start an attribute path. */
  takePathToken(): Token {
    const t = this.tok;
    if (t.kind !== 'word') this.fail(`Expected an attribute path but found ${this.describe(t)}`, t.pos);
    return this.advance();
  }

  /** For PATCH paths: the `.sub` after `]`, if any. */
  takeSubAfterBracket(closeEnd: number): string | undefined {
    return this.isSubAfterBracket(closeEnd) ? this.subName(this.advance()) : undefined;
  }

  /** For PATCH paths: whether a bracketed value filter follows. */
  atBracket(): boolean {
    return this.tok.kind === '[';
  }
}

/**
 * Checks the limits shared by filters and PATCH paths before any parsing, so
 * oversized input costs nothing and never reaches the recursion.
 */
export function checkInput(text: unknown, noun: 'filter' | 'path', error: (detail: string) => ScimError, maxLength = MAX_FILTER_LENGTH): string {
  const Noun = noun === 'filter' ? 'Filter' : 'Path';
  if (typeof text !== 'string') throw error(`${Noun} must be a string`);
  if (text.length > maxLength) throw error(`${Noun} is ${text.length} characters long; the limit is ${maxLength}`);
  if (text.trim() === '') throw error(`${Noun} is empty`);
  return text;
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2, the `filter` query parameter after
 * URL-decoding) into a `Filter` AST.
 *
 * - `userName eq "bjensen"` → `{kind:'compare', path:{attr:'userName'}, op:'eq', value:'bjensen'}`
 * - `title pr` → `{kind:'present', path:{attr:'title'}}`
 * - `a and b or not (c)` → `or(and(a, b), not(c))`: not binds tighter than and, and than or; chains are left-associative.
 * - `emails[type eq "work"]` → `{kind:'valuePath', path:{attr:'emails'}, filter:<paths relative: {attr:'type'}>}`
 * - `emails[type eq "work"].value eq "x"` (Entra; not RFC) → the valuePath with filter `and(<inner>, value eq "x")`.
 * - `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`
 *   → path `{uri:'urn:…:enterprise:2.0:User', attr:'manager', sub:'value'}` (URI = text before the last colon).
 *
 * Attribute names are kept as written; operators are lower-cased; `and`, `or`,
 * `not`, `pr`, `true`, `false`, `null` match in any case. String values are JSON
 * strings (all RFC 8259 escapes); numbers follow RFC 8259.
 *
 * `limits` (default `DEFAULT_FILTER_LIMITS`) come from the server's configuration
 * (SCIMD_MAX_FILTER_LENGTH, _DEPTH, _CLAUSES; docs/scim.md "Limits").
 *
 * @throws ScimError 400 `invalidFilter` for any malformed input (empty, longer than
 * `limits.maxLength`, nested deeper than `limits.maxDepth`, more comparisons than
 * `limits.maxClauses`, bad string, missing
 * or extra token, unknown operator, `pr` with a value, nested brackets, unbalanced
 * parentheses or brackets), with a detail naming the token and its 0-based position.
 * Nothing else is thrown.
 */
export function parseFilter(text: string, limits: Readonly<FilterLimits> = DEFAULT_FILTER_LIMITS): Filter {
  return new GrammarParser(checkInput(text, 'filter', invalidFilter, limits.maxLength), 'filter', invalidFilter, limits).parseWholeFilter();
}
