/**
 * The abstract syntax tree of a SCIM filter (RFC 7644 §3.4.2.2) and of a PATCH
 * `path` (RFC 7644 §3.5.2). Produced by `parseFilter` / `parsePatchPath`, consumed
 * by the SQL translator (`src/db/filter-sql.ts`) and the in-memory evaluator
 * (`evaluate.ts`, used by PATCH value filters).
 *
 * Attribute names are kept as written; resolving them against a schema (case-
 * insensitively, RFC 7643 §2.1) is the consumer's job, because only the consumer
 * knows which resource type the filter runs over.
 */

/** A (possibly URN-qualified) attribute path: `urn:…:User:name.givenName` → `{uri, attr: 'name', sub: 'givenName'}`. */
export interface AttrPath {
  /** Schema URN prefix as written, without the trailing colon, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
  uri?: string;
  /** Top-level attribute name as written, e.g. `userName`, `emails`. */
  attr: string;
  /** Sub-attribute name as written, e.g. `value`, `givenName`. */
  sub?: string;
}

/** The comparison operators of RFC 7644 §3.4.2.2 Table 3, lower-cased. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';

/** A literal comparison value: JSON string, number, `true`/`false`, or `null`. */
export type CompareValue = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompareValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /**
   * `emails[type eq "work" and value co "@example.com"]`: `path` names the
   * multi-valued attribute (no `sub`); paths inside `filter` are relative to one
   * element (their `attr` is the sub-attribute name, e.g. `type`).
   */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/**
 * A PATCH operation path (RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`):
 * `members[value eq "2819c223"]` → `{path: {attr: 'members'}, filter: …}`;
 * `emails[type eq "work"].value` → `{path: {attr: 'emails'}, filter: …, sub: 'value'}`;
 * `name.familyName` → `{path: {attr: 'name', sub: 'familyName'}}`;
 * a bare extension schema URN `urn:…:enterprise:2.0:User` → `{path: {uri: 'urn:…:enterprise:2.0:User', attr: ''}}`
 * (the extension object as a whole; `attr` is `''` only in this case).
 */
export interface PatchPath {
  path: AttrPath;
  /** The value filter in brackets, paths relative to one element. */
  filter?: Filter;
  /** Sub-attribute after the closing bracket. */
  sub?: string;
}
