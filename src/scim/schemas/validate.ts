/**
 * Ingress validation of SCIM resource bodies (RFC 7643 §2, §3, §4; RFC 7644 §3.3
 * POST and §3.5.1 PUT) and the value checks the PATCH engine shares
 * (`src/scim/patch/`).
 *
 * A client body becomes a `ScimDocument`: the canonical resource as stored.
 * Attribute names are rewritten to the spelling of the schema definitions (names
 * are case-insensitive, RFC 7643 §2.1), extension attributes live under their
 * schema URN, values are type checked against RFC 7643 §2.3, and what is not the
 * document's business is taken out: `id` and `meta` (server-assigned), `groups`
 * (derived from memberships), `password` (hashed by the caller) and Group
 * `members` (stored as memberships).
 *
 * Product rules, each because real identity providers depend on it:
 * - Unknown attributes and unknown schema URNs are dropped, not refused: Entra
 *   adds its own `…ADSCIM…` schema and other clients send attributes the
 *   organisation never mapped (conformance entra E061).
 * - `null` means "no value" (RFC 7643 §2.5; entra E045 sends nulls).
 * - readOnly attributes in a body are ignored (RFC 7644 §3.5.1; Okta echoes `id`,
 *   `meta` and `groups` in PUT bodies, conformance okta K041).
 * - A single value given for a multi-valued attribute is taken as a one-element
 *   list: the intent is unambiguous and refusing it helps nobody.
 * - IdP quirks are mapped by the named normalisers of `src/scim/compat/`.
 */
import { coerceBooleanString } from '../compat/booleans.js';
import { defaultEmailType } from '../compat/emails.js';
import { decodeJsonEncodedRole, entraManagerValue } from '../compat/entra.js';
import { isAbsent } from '../compat/nulls.js';
import { invalidSyntax, invalidValue } from '../errors.js';
import type { AttrPath } from '../filter/ast.js';
import { enterpriseUserSchema } from './enterprise-user.js';
import {
  commonAttributes,
  findSchema,
  resolveAttribute,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from './resource-types.js';
import type { AttributeDef, SchemaDef } from './types.js';
import { userSchema } from './user.js';

/**
 * A resource as stored: `schemas`, attributes in canonical spelling, extension
 * attributes under their schema URN key, `externalId` included; never `id`,
 * `meta`, `password`, User `groups` or Group `members`.
 */
export type ScimDocument = Record<string, unknown>;

/** One Group member reference as received (RFC 7643 §4.2): the member's id and optional `type`. */
export interface MemberRef {
  /** The member resource's `id`. */
  value: string;
  /** `"User"` or `"Group"` when the client said so. */
  type?: string;
}

/** The result of `normalizeResource`. */
export interface NormalizedResource {
  /** The canonical document to store. */
  doc: ScimDocument;
  /** The cleartext password when the body carried one (User only); the caller hashes it. */
  password?: string;
  /**
   * The Group's members when the body carried a non-null `members` attribute
   * (`[]` when it was empty); `undefined` when the body said nothing about members,
   * so PUT can decide what an omitted list means.
   */
  members?: MemberRef[];
}

type Plain = Record<string, unknown>;

/** True for a JSON object (not an array, not null). */
export const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Structural equality of JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * A JSON value's text with object keys sorted at every level: two values have
 * the same key exactly when `jsonEqual` holds, so a Set of keys finds duplicates
 * in one pass (comparing each element with every earlier one was quadratic: 16,000
 * e-mails kept the event loop busy for 20 s).
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Most values one multi-valued attribute (`emails`, `roles`, …) may hold in a
 * request; Group `members` has its own, configurable limit. IdPs send a handful;
 * the cap bounds the work of one request (RFC 7644 §3.12 `invalidValue` beyond it).
 */
export const MAX_VALUES_PER_ATTRIBUTE = 1000;

// Compat normalisers are keyed by the attribute definition object itself, so a
// differently spelled or qualified reference reaches the same hook.
const byName = (schema: SchemaDef, name: string): AttributeDef => {
  const def = schema.attributes.find((a) => a.name === name);
  if (!def) throw new Error(`schema ${schema.id} has no attribute ${name}`);
  return def;
};
const MANAGER = byName(enterpriseUserSchema, 'manager');
/** Shape fixes for one element of a list, applied wherever a value is received. */
const elementHooks = new Map<AttributeDef, (entry: unknown) => unknown>([
  [byName(userSchema, 'roles'), decodeJsonEncodedRole],
  [byName(userSchema, 'entitlements'), decodeJsonEncodedRole],
]);
/** Shape fixes for a single-valued attribute, applied wherever a value is received. */
const valueHooks = new Map<AttributeDef, (value: unknown) => unknown>([[MANAGER, entraManagerValue]]);
/**
 * Defaults filled into list elements of the finished document only: applied
 * while a PATCH is still matching values, they would change which values match
 * (an untyped e-mail added by PATCH must not look like a work e-mail until stored).
 */
const documentDefaults = new Map<AttributeDef, (entry: unknown) => unknown>([[byName(userSchema, 'emails'), defaultEmailType]]);

/**
 * One element of `def` with the defaults the finished document gives it (an
 * e-mail without `type` becomes `work`), or `element` unchanged when `def` has
 * none. For comparing a value a PATCH adds with values already stored, which
 * carry those defaults (RFC 7644 §3.5.2.1: a value already present is not added again).
 */
export function withDocumentDefaults(def: AttributeDef, element: unknown): unknown {
  const fill = documentDefaults.get(def);
  return fill ? fill(element) : element;
}

/**
 * Resolves an attribute path like `resolveAttribute`, and also accepts an
 * unqualified name that only one of the resource type's extensions defines
 * (`manager` → the enterprise `manager`): RFC 7644 §3.10 lets clients omit the URN
 * of an extension attribute when the name is unambiguous, and Microsoft's tutorial
 * PATCHes the path `manager` (conformance entra E030).
 *
 * @returns the resolved attribute, or `undefined` when the name or sub-attribute is unknown.
 */
export function resolveAttributeName(rt: ResourceTypeDef, path: AttrPath): ResolvedAttribute | undefined {
  const found = resolveAttribute(rt, path);
  if (found || path.uri) return found;
  const candidates = rt.extensions.filter((e) => e.schema.attributes.some((a) => eqi(a.name, path.attr)));
  if (candidates.length !== 1) return undefined;
  return resolveAttribute(rt, { ...path, uri: candidates[0].schema.id });
}

/** The attribute path a person reads in an error: `name.givenName`, `urn:…:User:manager.value`. */
export function attributeLabel(resolved: Pick<ResolvedAttribute, 'extension' | 'schemaUri' | 'def' | 'subDef'>): string {
  const base = resolved.extension ? `${resolved.schemaUri}:${resolved.def.name}` : resolved.def.name;
  return resolved.subDef ? `${base}.${resolved.subDef.name}` : base;
}

const ISO_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Type-checks a non-complex value against RFC 7643 §2.3. */
function checkSimple(def: AttributeDef, value: unknown, label: string): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value !== 'string') throw invalidValue(`Attribute "${label}" must be a string`);
      return value;
    case 'boolean': {
      const b = coerceBooleanString(value);
      if (typeof b !== 'boolean') throw invalidValue(`Attribute "${label}" must be a boolean (true or false)`);
      return b;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(`Attribute "${label}" must be an integer`);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(`Attribute "${label}" must be a number`);
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalidValue(`Attribute "${label}" must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z`);
      }
      return value;
    case 'complex':
      throw new Error(`checkSimple called for complex attribute ${label}`);
  }
}

/**
 * Normalises one value of a sub-attribute (`name.givenName`, `emails.primary`).
 * Returns `undefined` for `null` (no value).
 *
 * @throws ScimError 400 `invalidValue` naming `label` when the type is wrong.
 */
export function normalizeSubAttributeValue(sub: AttributeDef, value: unknown, label: string): unknown {
  if (isAbsent(value)) return undefined;
  if (sub.multiValued) {
    const list = (Array.isArray(value) ? value : [value]).filter((v) => !isAbsent(v)).map((v) => checkSimple(sub, v, label));
    return list.length ? list : undefined;
  }
  return checkSimple(sub, value, label);
}

/**
 * Normalises one complex value: the object of a single-valued complex attribute
 * (`name`, `manager`) or one element of a multi-valued one (`emails[i]`).
 * Sub-attribute names become canonical, unknown and readOnly sub-attributes
 * (e.g. `manager.displayName`) are dropped, values are type checked. An object
 * left empty is "no value" (`undefined`).
 *
 * @throws ScimError 400 `invalidValue` when `value` is not an object or a sub-attribute has the wrong type.
 */
export function normalizeComplexValue(def: AttributeDef, value: unknown, label: string): Plain | undefined {
  if (isAbsent(value)) return undefined;
  if (!isPlainObject(value)) {
    throw invalidValue(def.multiValued ? `Each value of attribute "${label}" must be an object` : `Attribute "${label}" must be an object`);
  }
  const out: Plain = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = def.subAttributes?.find((s) => eqi(s.name, key));
    if (!sub || sub.mutability === 'readOnly') continue;
    const v = normalizeSubAttributeValue(sub, raw, `${label}.${sub.name}`);
    if (v !== undefined) out[sub.name] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * A complex value with its sub-attribute keys in canonical spelling, before any
 * compat hook reads it: keys differing only in letter case (`Value` and `value`)
 * name one sub-attribute (RFC 7643 §2.1), and the hooks must see the value that
 * `normalizeComplexValue` keeps, the last one that is not null, or a hook could
 * judge a value the stored document does not hold (Entra's `{value: ""}` manager
 * next to a `Value` that is set; found by test/property/validate.test.ts).
 * Unknown keys are kept as written; anything but an object is returned as is.
 */
function canonicalSubAttributeKeys(def: AttributeDef, value: unknown): unknown {
  if (def.type !== 'complex' || !isPlainObject(value)) return value;
  const out: Plain = {};
  for (const [key, v] of Object.entries(value)) {
    const name = def.subAttributes?.find((s) => eqi(s.name, key))?.name ?? key;
    if (isAbsent(v) && Object.hasOwn(out, name)) continue;
    // defineProperty: a "__proto__" key from JSON.parse stays an own key, never the prototype.
    Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Normalises one element of a multi-valued attribute, after the attribute's
 * element-level compat normaliser (JSON-encoded roles).
 * Returns `undefined` for "no value".
 */
export function normalizeElement(def: AttributeDef, value: unknown, label: string): unknown {
  const hook = elementHooks.get(def);
  const canonical = canonicalSubAttributeKeys(def, value);
  const v = hook && !isAbsent(canonical) ? hook(canonical) : canonical;
  if (isAbsent(v)) return undefined;
  return def.type === 'complex' ? normalizeComplexValue(def, v, label) : checkSimple(def, v, label);
}

/**
 * RFC 7643 §2.4: at most one `primary: true` per multi-valued attribute. The
 * element at `keep` (default: the first one marked primary) stays primary, every
 * other `primary: true` becomes `false`. Mutates and returns `list`.
 */
export function enforceSinglePrimary(list: unknown[], keep?: number): unknown[] {
  const winner = keep ?? list.findIndex((e) => isPlainObject(e) && e.primary === true);
  list.forEach((e, i) => {
    if (i !== winner && isPlainObject(e) && e.primary === true) e.primary = false;
  });
  return list;
}

/**
 * Normalises a whole attribute value against its definition: the shape every
 * POST/PUT attribute, PATCH value and path-less PATCH key goes through.
 *
 * - `null` → `undefined` (no value); an empty list or empty object likewise.
 * - Multi-valued: an array, or a single value taken as a one-element list; `null`
 *   elements are dropped, duplicates (equal after normalisation) kept once, at most
 *   one `primary: true` (the first; RFC 7643 §2.4 leaves the fix to the server).
 * - Complex: an object whose sub-attributes are normalised (`normalizeComplexValue`).
 * - Simple: the RFC 7643 §2.3 type, with boolean strings `"True"`/`"False"` accepted.
 * - Compat: the enterprise `manager` accepts a bare id string, `""` meaning none;
 *   JSON-encoded `roles`/`entitlements` entries are decoded. (E-mails without a
 *   `type` get `work` only in the finished document, see `normalizeResource`.)
 *
 * @param label the attribute path used in error details, e.g. `emails` or `urn:…:User:manager`.
 * @throws ScimError 400 `invalidValue` naming the attribute when a value has the wrong type.
 */
export function normalizeAttributeValue(def: AttributeDef, value: unknown, label: string): unknown {
  if (isAbsent(value)) return undefined;
  if (def.multiValued) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length > MAX_VALUES_PER_ATTRIBUTE) throw invalidValue(`Attribute "${label}" has ${list.length} values; at most ${MAX_VALUES_PER_ATTRIBUTE} are accepted in one request`);
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (const raw of list) {
      const el = normalizeElement(def, raw, label);
      if (el === undefined) continue;
      const key = canonicalJson(el);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(el);
    }
    return out.length ? enforceSinglePrimary(out) : undefined;
  }
  const hook = valueHooks.get(def);
  const canonical = canonicalSubAttributeKeys(def, value);
  const v = hook ? hook(canonical) : canonical;
  if (isAbsent(v)) return undefined;
  return def.type === 'complex' ? normalizeComplexValue(def, v, label) : checkSimple(def, v, label);
}

/**
 * Normalises a Group `members` value (RFC 7643 §4.2) to `{value, type?}` entries,
 * first occurrence of each id kept. `display` and `$ref` are the server's to
 * produce and are ignored (a `"$ref": null` from Entra is fine). A single object is
 * taken as a one-element list.
 *
 * @throws ScimError 400 `invalidValue` when an entry is not an object or has no non-empty string `value`.
 */
export function normalizeMembers(value: unknown, label = 'members'): MemberRef[] {
  if (isAbsent(value)) return [];
  const out: MemberRef[] = [];
  const seen = new Set<string>();
  for (const entry of Array.isArray(value) ? value : [value]) {
    if (isAbsent(entry)) continue;
    if (!isPlainObject(entry)) throw invalidValue(`Each value of attribute "${label}" must be an object with a string "value"`);
    let id: unknown;
    let type: unknown;
    for (const [k, v] of Object.entries(entry)) {
      if (eqi(k, 'value')) id = v;
      else if (eqi(k, 'type')) type = v;
    }
    if (typeof id !== 'string' || id.trim() === '') throw invalidValue(`Attribute "${label}.value" must be a non-empty string (the member's id)`);
    if (!isAbsent(type) && typeof type !== 'string') throw invalidValue(`Attribute "${label}.type" must be a string`);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(typeof type === 'string' ? { value: id, type } : { value: id });
  }
  return out;
}

/** What a top-level body key names. */
type BodyKey =
  | { kind: 'schema'; schema: SchemaDef; extension: boolean }
  | { kind: 'attribute'; resolved: ResolvedAttribute };

/** Splits `attr.sub` (no filters: body keys are attribute names, not PATCH paths). */
function attrPathOf(text: string, uri?: string): AttrPath {
  const dot = text.indexOf('.');
  const path: AttrPath = dot < 0 ? { attr: text } : { attr: text.slice(0, dot), sub: text.slice(dot + 1) };
  return uri ? { uri, ...path } : path;
}

/**
 * Finds the longest schema URN of `rt` that prefixes `text` followed by `:`;
 * returns the schema and the remainder (`urn:…:User:department` → enterprise, `department`).
 */
function splitSchemaPrefix(rt: ResourceTypeDef, text: string): { schema: SchemaDef; extension: boolean; rest: string } | undefined {
  const lower = text.toLowerCase();
  const schemas = [{ schema: rt.schema, extension: false }, ...rt.extensions.map((e) => ({ schema: e.schema, extension: true }))];
  let best: { schema: SchemaDef; extension: boolean; rest: string } | undefined;
  for (const s of schemas) {
    const prefix = `${s.schema.id.toLowerCase()}:`;
    if (lower.startsWith(prefix) && (!best || s.schema.id.length > best.schema.id.length)) {
      best = { ...s, rest: text.slice(prefix.length) };
    }
  }
  return best;
}

function resolveBodyKey(rt: ResourceTypeDef, key: string): BodyKey | undefined {
  const schema = findSchema(rt, key);
  if (schema) return { kind: 'schema', ...schema };
  let resolved: ResolvedAttribute | undefined;
  if (/^urn:/i.test(key)) {
    const split = splitSchemaPrefix(rt, key);
    resolved = split && resolveAttribute(rt, attrPathOf(split.rest, split.schema.id));
  } else {
    resolved = resolveAttributeName(rt, attrPathOf(key));
  }
  return resolved && { kind: 'attribute', resolved };
}

/**
 * Builds a `ScimDocument` for `rt` from a POST or PUT body (RFC 7644 §3.3, §3.5.1).
 *
 * Accepted shapes: attribute names in any letter case, sub-attributes likewise;
 * extension attributes under their schema URN (`{"urn:…:enterprise:2.0:User":
 * {"department": "X"}}`), as URN-qualified top-level keys
 * (`"urn:…:enterprise:2.0:User:department": "X"`), or unqualified when only an
 * extension defines the name; dotted keys (`"name.givenName"`). `schemas` is
 * rebuilt: the core schema plus each extension that holds data.
 *
 * Normalisations: `userName` is trimmed (surrounding whitespace is never
 * intended, and the uniqueness check must see the trimmed value, field-reports
 * F19e); an e-mail without `type` becomes `work` (compat `defaultEmailType`); unknown attributes and schemas, readOnly attributes, and `null` values are
 * dropped; see `normalizeAttributeValue` for the value rules.
 *
 * @returns the document, the password (User) and the members (Group) when present.
 * @throws ScimError 400 `invalidSyntax` when `body` is not a JSON object;
 *   400 `invalidValue` when a required attribute (User `userName`, Group
 *   `displayName`) is missing or blank, or any attribute has the wrong type
 *   (`Attribute "name.givenName" must be a string`).
 */
export function normalizeResource(rt: ResourceTypeDef, body: unknown): NormalizedResource {
  if (!isPlainObject(body)) throw invalidSyntax(`The request body must be a JSON object holding a ${rt.name} resource`);

  // Keyed by definition, so `username` and `userName` name one attribute; a later key wins.
  const staged = new Map<AttributeDef, { resolved: ResolvedAttribute; raw: unknown }>();
  const stage = (resolved: ResolvedAttribute, raw: unknown) => {
    const prev = staged.get(resolved.def)?.raw;
    if (resolved.subDef) {
      if (resolved.def.multiValued) return; // `emails.value` as a body key names no single element
      const base = isPlainObject(prev) ? prev : {};
      staged.set(resolved.def, { resolved: { ...resolved, subDef: undefined }, raw: { ...base, [resolved.subDef.name]: raw } });
    } else if (resolved.def.type === 'complex' && !resolved.def.multiValued && isPlainObject(prev) && isPlainObject(raw)) {
      staged.set(resolved.def, { resolved, raw: { ...prev, ...raw } });
    } else {
      staged.set(resolved.def, { resolved, raw });
    }
  };

  for (const [key, raw] of Object.entries(body)) {
    if (eqi(key, 'schemas')) continue;
    const target = resolveBodyKey(rt, key);
    if (!target) continue;
    if (target.kind === 'attribute') {
      stage(target.resolved, raw);
      continue;
    }
    if (isAbsent(raw)) continue;
    if (!isPlainObject(raw)) throw invalidValue(`"${target.schema.id}" must be an object holding that schema's attributes`);
    for (const [subKey, subRaw] of Object.entries(raw)) {
      const resolved = resolveAttribute(rt, attrPathOf(subKey, target.schema.id));
      if (resolved) stage(resolved, subRaw);
    }
  }

  const values = new Map<AttributeDef, unknown>();
  let password: string | undefined;
  let members: MemberRef[] | undefined;
  for (const { resolved, raw } of staged.values()) {
    const { def } = resolved;
    const label = attributeLabel(resolved);
    if (def.required && !resolved.extension && !isNonBlankString(raw)) throw requiredError(def);
    if (def.mutability === 'writeOnly') {
      if (isAbsent(raw)) continue;
      if (typeof raw !== 'string') throw invalidValue(`Attribute "${label}" must be a string`);
      password = raw;
    } else if (rt.name === 'Group' && !resolved.extension && def.name === 'members') {
      if (!isAbsent(raw)) members = normalizeMembers(raw, label);
    } else if (def.mutability !== 'readOnly') {
      const v = normalizeAttributeValue(def, raw, label);
      if (v !== undefined) values.set(def, v);
    }
  }

  for (const [def, fill] of documentDefaults) {
    const list = values.get(def);
    if (Array.isArray(list)) values.set(def, normalizeAttributeValue(def, list.map(fill), def.name));
  }
  const doc = assembleDocument(rt, values);
  const result: NormalizedResource = { doc };
  if (password !== undefined) result.password = password;
  if (members !== undefined) result.members = members;
  return result;
}

const isNonBlankString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
// Every required attribute of our schemas (User userName, Group displayName) is a string.
const requiredError = (def: AttributeDef) => invalidValue(`${def.name} is required (a non-empty string)`);

/** Lays values out in schema order, rebuilds `schemas`, trims `userName`, checks required attributes. */
function assembleDocument(rt: ResourceTypeDef, values: Map<AttributeDef, unknown>): ScimDocument {
  const doc: ScimDocument = { schemas: [rt.schema.id] };
  for (const def of [...commonAttributes, ...rt.schema.attributes]) {
    if (values.has(def)) doc[def.name] = values.get(def);
  }
  for (const { schema } of rt.extensions) {
    const ext: Plain = {};
    for (const def of schema.attributes) if (values.has(def)) ext[def.name] = values.get(def);
    if (Object.keys(ext).length) {
      doc[schema.id] = ext;
      (doc.schemas as string[]).push(schema.id);
    }
  }
  if (rt.schema === userSchema && typeof doc.userName === 'string') doc.userName = doc.userName.trim();
  for (const def of rt.schema.attributes) {
    if (!def.required) continue;
    if (!isNonBlankString(doc[def.name])) throw requiredError(def);
  }
  return doc;
}

/**
 * Re-validates a stored or patched document: the same rules as `normalizeResource`
 * (canonical names, types, primary, required attributes, rebuilt `schemas`), for
 * a document that holds no password or members. Used by `applyPatch` after its
 * operations, so a PATCH can never store what a PUT could not.
 *
 * @throws ScimError 400 `invalidValue` as `normalizeResource`.
 */
export function normalizeDocument(rt: ResourceTypeDef, doc: ScimDocument): ScimDocument {
  return normalizeResource(rt, doc).doc;
}
