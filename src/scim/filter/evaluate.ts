/**
 * In-memory evaluation of a filter AST against JSON (RFC 7644 §3.4.2.2), for
 * PATCH value filters (`emails[type eq "work"]`, §3.5.2) and anywhere a resource
 * is already loaded. Its semantics follow the SQL translator (`src/db/filter-sql.ts`)
 * so a filter means the same in a query and in a PATCH.
 */
import { invalidFilter } from '../errors.js';
import { findSubAttribute, resolveAttribute, type ResolvedAttribute, type ResourceTypeDef } from '../schemas/resource-types.js';
import { attr, type AttributeDef } from '../schemas/types.js';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.js';

/** What the paths of a filter are relative to: the resource type, and inside brackets the multi-valued attribute. */
export interface EvalContext {
  rt: ResourceTypeDef;
  /** When set, the element is one value of this complex attribute and paths name its sub-attributes. */
  parent?: AttributeDef;
}

/** A compiled filter: true when `element` matches. Never throws. */
export type FilterPredicate = (element: unknown) => boolean;

/** `schemas` (RFC 7643 §3) is on every resource but in no schema's attribute list. */
const SCHEMAS_ATTR = attr('schemas', 'reference', 'Schema URIs of the resource.', { multiValued: true });

/** An attribute a comparison reads: its definition and how to collect its values from an element. */
interface Target {
  label: string;
  def: AttributeDef;
  /** Several values per element (multi-valued, or a sub-attribute of one): a comparison matches if any value does. */
  multi: boolean;
  get: (element: unknown) => unknown[];
}

/**
 * Compiles `filter` once for evaluation against many elements (e.g. every entry
 * of `emails` during a PATCH). All attribute names, operator/type combinations
 * and value types are checked here, so errors do not depend on the data.
 *
 * @param ctx `{rt}` to evaluate against whole resources (paths resolve as in
 *   RFC 7644 §3.10: common attributes, core schema, URN-qualified extension; an
 *   unqualified name also finds an extension attribute, e.g. Entra's `manager`);
 *   `{rt, parent}` to evaluate against one value of the complex attribute
 *   `parent`, whose sub-attributes the paths then name (`type`, `value`).
 * @throws ScimError 400 `invalidFilter` for an unknown attribute (named in the
 *   detail), a path that does not fit the context, brackets inside brackets or on
 *   a non-complex attribute, an operator the attribute type does not support
 *   (`gt` on a boolean, `co` on a number or dateTime, anything but eq/ne with
 *   `null`), or a value of the wrong type (a non-boolean for a boolean, a
 *   non-number for a number, an unparsable dateTime).
 */
export function compileFilter(filter: Filter, ctx: EvalContext): FilterPredicate {
  switch (filter.kind) {
    case 'and': {
      const l = compileFilter(filter.left, ctx);
      const r = compileFilter(filter.right, ctx);
      return (el) => l(el) && r(el);
    }
    case 'or': {
      const l = compileFilter(filter.left, ctx);
      const r = compileFilter(filter.right, ctx);
      return (el) => l(el) || r(el);
    }
    case 'not': {
      const f = compileFilter(filter.filter, ctx);
      return (el) => !f(el);
    }
    case 'present': {
      const t = resolveTarget(filter.path, ctx);
      return (el) => t.get(el).some(isPresent);
    }
    case 'compare':
      return compileCompare(valueTarget(resolveTarget(filter.path, ctx)), filter.op, filter.value);
    case 'valuePath': {
      if (ctx.parent) throw invalidFilter(`Brackets cannot be nested inside "${ctx.parent.name}[...]"`);
      const t = resolveTarget(filter.path, ctx);
      if (t.def.type !== 'complex' || filter.path.sub !== undefined) {
        throw invalidFilter(`"${t.label}" is not a complex attribute, so "[...]" cannot follow it`);
      }
      const inner = compileFilter(filter.filter, { rt: ctx.rt, parent: t.def });
      return (el) => t.get(el).some(inner);
    }
  }
}

/**
 * Whether `element` matches `filter` (RFC 7644 §3.4.2.2):
 * - strings compare per the attribute's `caseExact` (false → case-insensitive);
 *   gt/ge/lt/le order strings by UTF-16 code unit;
 * - dateTimes compare as instants (a value without a zone is UTC);
 * - booleans support eq/ne only; the strings "true"/"false" in any case count as
 *   booleans (Entra sends `roles[primary eq "True"]`);
 * - a multi-valued attribute matches if any value matches, `ne` included;
 *   a complex attribute compared directly compares its `value` sub-attribute
 *   (`emails co "x"`, `members eq "id"`);
 * - `pr` means present and non-empty: not null, not "", not [], not an object of
 *   empty values; `eq null` is true when the attribute is not present, `ne null`
 *   when it is;
 * - a single-valued attribute that is absent is unequal to any non-null value
 *   (`title ne "x"` matches a resource without a title).
 *
 * See `compileFilter` for `ctx` and the errors thrown (400 `invalidFilter` only).
 */
export function evaluateFilter(filter: Filter, element: unknown, ctx: EvalContext): boolean {
  return compileFilter(filter, ctx)(element);
}

const formatPath = (p: AttrPath) => `${p.uri ? p.uri + ':' : ''}${p.attr}${p.sub !== undefined ? '.' + p.sub : ''}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A member by attribute name, case-insensitively (RFC 7643 §2.1), exact spelling first. */
function member(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

/** The values of an attribute: none when absent, each element when an array. */
const valuesOf = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObject(v)) return Object.values(v).some(isPresent);
  return true;
}

function resolveTarget(path: AttrPath, ctx: EvalContext): Target {
  const label = formatPath(path);
  const { parent, rt } = ctx;
  if (parent) {
    if (path.uri !== undefined || path.sub !== undefined) {
      throw invalidFilter(`"${label}" inside "${parent.name}[...]" must be a sub-attribute name of "${parent.name}"`);
    }
    const def = findSubAttribute(parent, path.attr);
    if (!def) throw invalidFilter(`Unknown attribute "${label}" in filter: "${parent.name}" has no such sub-attribute`);
    return { label, def, multi: def.multiValued, get: (el) => valuesOf(member(el, def.name)) };
  }
  if (path.uri === undefined && path.sub === undefined && path.attr.toLowerCase() === 'schemas') {
    return { label, def: SCHEMAS_ATTR, multi: true, get: (el) => valuesOf(member(el, 'schemas')) };
  }
  const r = resolveAttribute(rt, path) ?? (path.uri === undefined ? resolveInExtensions(rt, path) : undefined);
  if (!r) throw invalidFilter(`Unknown attribute "${label}" in filter for ${rt.name}`);
  const top = (el: unknown) => valuesOf(member(r.extension ? member(el, r.schemaUri) : el, r.def.name));
  const { subDef } = r;
  if (!subDef) return { label, def: r.def, multi: r.def.multiValued, get: top };
  return {
    label,
    def: subDef,
    multi: r.def.multiValued || subDef.multiValued,
    get: (el) => top(el).flatMap((v) => valuesOf(member(v, subDef.name))),
  };
}

/** Unqualified names that only an extension defines (`manager`), first extension wins. */
function resolveInExtensions(rt: ResourceTypeDef, path: AttrPath): ResolvedAttribute | undefined {
  for (const ext of rt.extensions) {
    const r = resolveAttribute(rt, { ...path, uri: ext.schema.id });
    if (r) return r;
  }
  return undefined;
}

/** A complex attribute compared with a value means its `value` sub-attribute (RFC 7644 §3.4.2.2, `emails co "x"`). */
function valueTarget(t: Target): Target {
  if (t.def.type !== 'complex') return t;
  const sub = findSubAttribute(t.def, 'value');
  if (!sub) throw invalidFilter(`"${t.label}" is complex: compare one of its sub-attributes instead, e.g. "${t.label}.${t.def.subAttributes?.[0]?.name ?? 'value'}"`);
  return { label: `${t.label}.value`, def: sub, multi: t.multi, get: (el) => t.get(el).flatMap((v) => valuesOf(member(v, sub.name))) };
}

function compileCompare(t: Target, op: CompareOp, value: CompareValue): FilterPredicate {
  if (value === null) {
    if (op === 'eq') return (el) => !t.get(el).some(isPresent);
    if (op === 'ne') return (el) => t.get(el).some(isPresent);
    throw invalidFilter(`Operator "${op}" cannot compare "${t.label}" with null; use eq or ne`);
  }
  const test = valuePredicate(t, op, value);
  if (t.multi) return (el) => t.get(el).some(test);
  // An absent single value still takes part, so that `ne` matches it.
  return (el) => {
    const vs = t.get(el);
    return vs.length === 0 ? test(undefined) : vs.some(test);
  };
}

/** Tests one stored value against `op value`, per the attribute's type. */
function valuePredicate(t: Target, op: CompareOp, value: Exclude<CompareValue, null>): (v: unknown) => boolean {
  const { def, label } = t;
  switch (def.type) {
    case 'boolean': {
      if (op !== 'eq' && op !== 'ne') throw invalidFilter(`Operator "${op}" does not apply to boolean attribute "${label}"; use eq or ne`);
      const b = asBoolean(value);
      if (b === undefined) throw invalidFilter(`"${label}" is boolean: compare it with true or false`);
      return op === 'eq' ? (v) => asBoolean(v) === b : (v) => asBoolean(v) !== b;
    }
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw invalidFilter(`"${label}" is a number: compare it with a number`);
      return ordered(op, (v) => (typeof v === 'number' ? v : undefined), value, label);
    case 'dateTime': {
      const x = typeof value === 'string' ? instant(value) : undefined;
      if (x === undefined) throw invalidFilter(`"${label}" is a dateTime: compare it with an xsd:dateTime string such as "2011-05-13T04:42:34Z"`);
      return ordered(op, (v) => (typeof v === 'string' ? instant(v) : undefined), x, label);
    }
    default: {
      // Numbers and booleans compared with a string attribute match their JSON spelling.
      const fold = def.caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
      const x = fold(String(value));
      const key = (v: unknown) => (typeof v === 'string' ? fold(v) : undefined);
      if (op === 'co') return (v) => key(v)?.includes(x) ?? false;
      if (op === 'sw') return (v) => key(v)?.startsWith(x) ?? false;
      if (op === 'ew') return (v) => key(v)?.endsWith(x) ?? false;
      return ordered(op, key, x, label);
    }
  }
}

function ordered<T extends number | string>(op: CompareOp, key: (v: unknown) => T | undefined, x: T, label: string): (v: unknown) => boolean {
  const cmp = (pass: (k: T) => boolean) => (v: unknown) => {
    const k = key(v);
    return k !== undefined && pass(k);
  };
  switch (op) {
    case 'eq': return cmp((k) => k === x);
    case 'ne': return (v) => key(v) !== x;
    case 'gt': return cmp((k) => k > x);
    case 'ge': return cmp((k) => k >= x);
    case 'lt': return cmp((k) => k < x);
    case 'le': return cmp((k) => k <= x);
    default: throw invalidFilter(`Operator "${op}" does not apply to "${label}"; use eq, ne, gt, ge, lt or le`);
  }
}

function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return undefined;
}

const XSD_DATETIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch of an xsd:dateTime (RFC 7643 §2.3.5), or undefined. */
function instant(s: string): number | undefined {
  const m = XSD_DATETIME.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(m[1] ? s : s + 'Z');
  return Number.isNaN(ms) ? undefined : ms;
}
