/**
 * Translates a SCIM filter AST (RFC 7644 §3.4.2.2) into one SQL boolean
 * expression over the resource tables, so a filtered list is one indexed query
 * and a tenant's resources are never loaded into memory to be filtered.
 *
 * Attributes extracted into columns (userName, externalId, active, displayName,
 * primary email, timestamps, id) use the column and its index; everything else
 * reads the JSONB document; memberships (`members`, `groups`) read the
 * membership table. String comparisons honour each attribute's `caseExact`
 * (RFC 7643 §2.2): case-insensitive ones compare `lower()` on both sides, which
 * is also what the `lower(user_name)` index serves.
 */
import { sql, type RawBuilder } from 'kysely';
import { isUuid } from './ids.js';
import type { AttrPath, CompareOp, CompareValue, Filter } from '../scim/filter/ast.js';
import { invalidFilter } from '../scim/errors.js';
import { findSubAttribute, resolveAttribute, type ResolvedAttribute, type ResourceTypeDef } from '../scim/schemas/resource-types.js';
import type { AttributeDef } from '../scim/schemas/types.js';

type Sql = RawBuilder<unknown>;

/** A JSONB key from our own schema definitions (never client input), inlined as a literal so `->` is not ambiguous. */
const key = (k: string): Sql => sql.lit(k);

/** The SQL alias of the resource row being filtered (`u` for users, `g` for groups). */
export interface FilterTarget {
  rt: ResourceTypeDef;
  alias: 'u' | 'g';
}


/**
 * Builds the WHERE expression for `filter` over `target`.
 * @throws ScimError 400 invalidFilter for an unknown attribute, an operator the
 * attribute's type does not support (e.g. `gt` on a boolean), or a value of the
 * wrong type (e.g. a dateTime that does not parse).
 */
export function filterToSql(filter: Filter, target: FilterTarget): Sql {
  switch (filter.kind) {
    case 'and':
      return sql`(${filterToSql(filter.left, target)} and ${filterToSql(filter.right, target)})`;
    case 'or':
      return sql`(${filterToSql(filter.left, target)} or ${filterToSql(filter.right, target)})`;
    case 'not':
      return sql`(not coalesce(${filterToSql(filter.filter, target)}, false))`;
    case 'present':
    case 'compare':
      return attributeCondition(filter, target);
    case 'valuePath':
      return valuePathCondition(filter.path, filter.filter, target);
  }
}

function resolve(target: FilterTarget, path: AttrPath): ResolvedAttribute {
  const r = resolveAttribute(target.rt, path);
  if (!r) throw invalidFilter(`Unknown attribute "${formatPath(path)}" in filter for ${target.rt.name}`);
  // A filter on a never-returned attribute would answer questions about it (RFC 7643 §7 `returned: never`).
  if (r.def.returned === 'never' || r.subDef?.returned === 'never') throw invalidFilter(`"${formatPath(path)}" cannot be filtered on`);
  return r;
}

const formatPath = (p: AttrPath) => `${p.uri ? p.uri + ':' : ''}${p.attr}${p.sub ? '.' + p.sub : ''}`;

/** The JSONB object that holds an attribute: the document, or its extension object. */
function container(r: ResolvedAttribute, alias: string): Sql {
  return r.extension ? sql`${sql.ref(alias + '.doc')}->${key(r.schemaUri)}` : sql.ref(`${alias}.doc`);
}

/** A comparison or `pr` on a (possibly sub-)attribute outside brackets. */
function attributeCondition(f: Extract<Filter, { kind: 'compare' | 'present' }>, target: FilterTarget): Sql {
  const r = resolve(target, f.path);
  const { alias } = target;
  const name = r.def.name;

  // Memberships live in their own table (O(1) lookups by the (group_id, user_id) key).
  if (target.rt.name === 'Group' && name === 'members') return membershipCondition(f, r, alias, 'members');
  if (target.rt.name === 'User' && name === 'groups') return membershipCondition(f, r, alias, 'groups');

  const column = columnFor(r, alias, target.rt);
  if (column) return compareScalar(f, column.expr, column.def, column.kind);

  if (r.def.multiValued) {
    // `emails co "x"` compares the `value` sub-attribute (RFC 7644 §3.4.2.2: a complex
    // multi-valued attribute without a sub-attribute means its value).
    const sub = r.subDef ?? (r.def.type === 'complex' ? findSubAttribute(r.def, 'value') : undefined);
    const nonEmpty = sql`(jsonb_typeof(${container(r, alias)}->${key(name)}) = 'array' and jsonb_array_length(${container(r, alias)}->${key(name)}) > 0)`;
    if (f.kind === 'present' && !r.subDef) return nonEmpty;
    // `emails eq null` asks whether there are no values at all (same as the in-memory evaluator).
    if (f.kind === 'compare' && f.value === null && !r.subDef) {
      if (f.op === 'eq') return sql`(not coalesce(${nonEmpty}, false))`;
      if (f.op === 'ne') return nonEmpty;
    }
    return anyElement(r, alias, (el) => (sub ? compareJson(f, sql`${el}->${key(sub.name)}`, sub) : compareJson(f, el, r.def)));
  }
  if (r.subDef) return compareJson(f, sql`${container(r, alias)}->${key(name)}->${key(r.subDef.name)}`, r.subDef);
  if (r.def.type === 'complex') {
    if (f.kind === 'present') return sql`(jsonb_typeof(${container(r, alias)}->${key(name)}) = 'object')`;
    // `manager eq "id"` compares the complex attribute's `value` (Entra's manager check).
    const value = findSubAttribute(r.def, 'value');
    if (!value) throw invalidFilter(`"${formatPath(f.path)}" is complex: compare one of its sub-attributes instead`);
    return compareJson(f, sql`${container(r, alias)}->${key(name)}->${key('value')}`, value);
  }
  return compareJson(f, sql`${container(r, alias)}->${key(name)}`, r.def);
}

/** `emails[type eq "work" and value co "@x"]`: one element must satisfy the whole inner filter. */
function valuePathCondition(path: AttrPath, inner: Filter, target: FilterTarget): Sql {
  const r = resolve(target, path);
  if (r.def.type !== 'complex' || !r.def.multiValued) {
    // Brackets on a single complex attribute (`name[givenName eq "x"]`) are allowed by the grammar.
    if (r.def.type === 'complex') return elementFilter(inner, sql`${container(r, target.alias)}->${key(r.def.name)}`, r.def);
    throw invalidFilter(`"${formatPath(path)}" is not a complex attribute; brackets need one`);
  }
  if (target.rt.name === 'Group' && r.def.name === 'members') return membershipValuePath(inner, target.alias);
  if (target.rt.name === 'User' && r.def.name === 'groups') {
    return sql`exists (select 1 from scim_group_members m where m.user_id = ${sql.ref(target.alias + '.id')} and ${memberValueCondition(inner, 'm.group_id', 'groups')})`;
  }
  return anyElement(r, target.alias, (el) => elementFilter(inner, el, r.def));
}

function anyElement(r: ResolvedAttribute, alias: string, cond: (el: Sql) => Sql): Sql {
  const arr = sql`${container(r, alias)}->${key(r.def.name)}`;
  return sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${arr}) = 'array' then ${arr} else '[]'::jsonb end) as el(v) where ${cond(sql`el.v`)})`;
}

/** A filter inside brackets, evaluated over one element `el` of `parent`. */
function elementFilter(f: Filter, el: Sql, parent: AttributeDef): Sql {
  switch (f.kind) {
    case 'and':
      return sql`(${elementFilter(f.left, el, parent)} and ${elementFilter(f.right, el, parent)})`;
    case 'or':
      return sql`(${elementFilter(f.left, el, parent)} or ${elementFilter(f.right, el, parent)})`;
    case 'not':
      return sql`(not coalesce(${elementFilter(f.filter, el, parent)}, false))`;
    case 'valuePath':
      throw invalidFilter('Brackets cannot be nested inside a value filter');
    default: {
      if (f.path.uri || f.path.sub) throw invalidFilter(`Inside brackets, name a sub-attribute of "${parent.name}" directly`);
      const sub = findSubAttribute(parent, f.path.attr);
      if (!sub) throw invalidFilter(`"${parent.name}" has no sub-attribute "${f.path.attr}"`);
      return compareJson(f, sql`${el}->${key(sub.name)}`, sub);
    }
  }
}

interface Column {
  expr: Sql;
  def: AttributeDef;
  kind: 'text' | 'bool' | 'timestamp' | 'uuid' | 'constant';
}

/** Attributes served by an extracted column instead of the JSONB document. */
function columnFor(r: ResolvedAttribute, alias: string, rt: ResourceTypeDef): Column | undefined {
  if (r.extension) return undefined;
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const name = r.def.name;
  if (name === 'id') return { expr: col('id'), def: r.def, kind: 'uuid' };
  if (name === 'externalId') return { expr: col('external_id'), def: r.def, kind: 'text' };
  if (name === 'meta' && r.subDef) {
    if (r.subDef.name === 'created') return { expr: col('created_at'), def: r.subDef, kind: 'timestamp' };
    if (r.subDef.name === 'lastModified') return { expr: col('updated_at'), def: r.subDef, kind: 'timestamp' };
    if (r.subDef.name === 'resourceType') return { expr: sql`${rt.name}::text`, def: r.subDef, kind: 'constant' };
    throw invalidFilter(`meta.${r.subDef.name} cannot be filtered on`);
  }
  if (rt.name === 'User') {
    if (name === 'userName') return { expr: col('user_name'), def: r.def, kind: 'text' };
    if (name === 'active') return { expr: col('active'), def: r.def, kind: 'bool' };
    if (name === 'displayName') return { expr: col('display_name'), def: r.def, kind: 'text' };
  } else if (name === 'displayName') {
    return { expr: col('display_name'), def: r.def, kind: 'text' };
  }
  return undefined;
}

/** Coerces Entra's `"True"`/`"False"` to booleans when the attribute is boolean. */
function booleanValue(value: CompareValue, label: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidFilter(`"${label}" is boolean: compare it with true or false`);
}

const LIKE_ESCAPE = /[\\%_]/g;
const likeEscape = (s: string) => s.replace(LIKE_ESCAPE, (c) => '\\' + c);

/** A comparison on a SQL text/bool/timestamp expression, per the attribute's type. */
function compareScalar(f: Extract<Filter, { kind: 'compare' | 'present' }>, expr: Sql, def: AttributeDef, kind: Column['kind']): Sql {
  const label = def.name;
  if (f.kind === 'present') return kind === 'text' ? sql`(${expr} is not null and ${expr} <> '')` : sql`(${expr} is not null)`;
  const { op, value } = f;
  if (value === null) return nullComparison(op, expr, label);
  if (kind === 'bool') {
    const b = booleanValue(value, label);
    if (op === 'eq') return sql`(${expr} = ${b})`;
    if (op === 'ne') return sql`(${expr} is distinct from ${b})`;
    throw invalidFilter(`Operator "${op}" does not apply to boolean attribute "${label}"`);
  }
  if (kind === 'timestamp') return compareOrdered(op, expr, sql`${dateValue(value, label)}::timestamptz`, label);
  if (kind === 'uuid') {
    if (typeof value !== 'string') throw invalidFilter(`"id" is a string`);
    if (op === 'eq') return isUuid(value) ? sql`(${expr} = ${value}::uuid)` : sql`false`;
    if (op === 'ne') return isUuid(value) ? sql`(${expr} <> ${value}::uuid)` : sql`true`;
    return textComparison(op, sql`${expr}::text`, value.toLowerCase(), true); // ids are ASCII hex
  }
  const text = stringValue(value, label);
  // userName is stored trimmed (validate.ts); an IdP that looks up " bob " before
  // creating him must find the "bob" that its create would collide with.
  return textComparison(op, expr, def.name === 'userName' && (op === 'eq' || op === 'ne') ? text.trim() : text, def.caseExact);
}

/** A comparison on a JSONB value (`doc->'title'`), per the attribute definition. */
function compareJson(f: Extract<Filter, { kind: 'compare' | 'present' }>, json: Sql, def: AttributeDef): Sql {
  const label = def.name;
  if (f.kind === 'present') {
    if (def.multiValued) return sql`(jsonb_typeof(${json}) = 'array' and jsonb_array_length(${json}) > 0)`;
    return sql`(${json} is not null and ${json} <> 'null'::jsonb and ${json} <> '""'::jsonb)`;
  }
  const { op, value } = f;
  const text = sql`(${json} #>> '{}')`;
  if (value === null) return nullComparison(op, sql`nullif(${json}, 'null'::jsonb)`, label);
  switch (def.type) {
    case 'boolean': {
      const b = booleanValue(value, label);
      // Only real JSON booleans are stored (ingress coerces "True"), so compare jsonb directly.
      if (op === 'eq') return sql`(${json} = ${JSON.stringify(b)}::jsonb)`;
      if (op === 'ne') return sql`(${json} is distinct from ${JSON.stringify(b)}::jsonb)`;
      throw invalidFilter(`Operator "${op}" does not apply to boolean attribute "${label}"`);
    }
    case 'dateTime':
      // Ingress validates every stored dateTime, so the cast cannot fail.
      return compareOrdered(op, sql`case when jsonb_typeof(${json}) = 'string' then (${text})::timestamptz end`, sql`${dateValue(value, label)}::timestamptz`, label);
    case 'integer':
    case 'decimal': {
      if (typeof value !== 'number') throw invalidFilter(`"${label}" is a number`);
      return compareOrdered(op, sql`case when jsonb_typeof(${json}) = 'number' then (${text})::numeric end`, sql`${value}::numeric`, label);
    }
    case 'complex':
      throw invalidFilter(`"${label}" is complex: compare one of its sub-attributes instead`);
    default:
      return textComparison(op, sql`case when jsonb_typeof(${json}) = 'string' then ${text} end`, stringValue(value, label), def.caseExact);
  }
}

function stringValue(value: CompareValue, label: string): string {
  if (typeof value === 'string') return value;
  // Numbers and booleans compared to a string attribute match their JSON spelling.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidFilter(`"${label}" needs a string value`);
}

/**
 * An xsd:dateTime filter value (RFC 7643 §2.3.5) as an ISO instant PostgreSQL
 * accepts. Years 0001–9999 only and real calendar days: `Date.parse` also takes
 * year 0, six-digit years and 30 February (rolled over), which either reached
 * PostgreSQL as an out-of-range error or compared against the wrong day.
 * @throws ScimError 400 invalidFilter for anything else.
 */
function dateValue(value: CompareValue, label: string): string {
  const bad = () => invalidFilter(`"${label}" is a dateTime: compare it with an xsd:dateTime string such as "2011-05-13T04:42:34Z" (years 0001–9999)`);
  if (typeof value !== 'string') throw bad();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!m || Number.isNaN(Date.parse(value))) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) throw bad();
  // The offset can carry 0001-01-01T00:00+14:00 or 9999-12-31T23:59-14:00 out of
  // range in UTC, which is what PostgreSQL compares.
  const instant = new Date(value).toISOString();
  if (!/^\d{4}-/.test(instant) || instant.startsWith('0000-')) throw bad();
  return instant;
}

function nullComparison(op: CompareOp, expr: Sql, label: string): Sql {
  if (op === 'eq') return sql`(${expr} is null)`;
  if (op === 'ne') return sql`(${expr} is not null)`;
  throw invalidFilter(`Operator "${op}" cannot compare "${label}" with null`);
}

function compareOrdered(op: CompareOp, left: Sql, right: Sql, label: string): Sql {
  switch (op) {
    case 'eq': return sql`(${left} = ${right})`;
    case 'ne': return sql`(${left} is distinct from ${right})`;
    case 'gt': return sql`(${left} > ${right})`;
    case 'ge': return sql`(${left} >= ${right})`;
    case 'lt': return sql`(${left} < ${right})`;
    case 'le': return sql`(${left} <= ${right})`;
    default: throw invalidFilter(`Operator "${op}" does not apply to "${label}"; use eq, ne, gt, ge, lt or le`);
  }
}

/**
 * A string comparison. Case-insensitive ones fold BOTH sides with the database's
 * `lower()`: folding the value in JavaScript instead disagrees with PostgreSQL on
 * letters such as final sigma and dotted İ, so `userName eq` missed users the
 * uniqueness index (on `lower(user_name)`) says exist (fresh-user report).
 */
function textComparison(op: CompareOp, expr: Sql, value: string, caseExact: boolean): Sql {
  const fold = (x: Sql | string): Sql => (caseExact ? sql`${x}` : sql`lower(${x})`);
  const left = fold(expr);
  // LIKE escaping is case-neutral, so escaping before lower() is safe.
  const pattern = (p: string) => fold(sql`${p}::text`);
  switch (op) {
    case 'eq': return sql`(${left} = ${fold(sql`${value}::text`)})`;
    case 'ne': return sql`(${left} is distinct from ${fold(sql`${value}::text`)})`;
    case 'co': return sql`(${left} like ${pattern('%' + likeEscape(value) + '%')})`;
    case 'sw': return sql`(${left} like ${pattern(likeEscape(value) + '%')})`;
    case 'ew': return sql`(${left} like ${pattern('%' + likeEscape(value))})`;
    // Lexicographic order in the C collation, so results do not depend on the server's locale.
    case 'gt': return sql`(${left} > ${fold(sql`${value}::text`)} collate "C")`;
    case 'ge': return sql`(${left} >= ${fold(sql`${value}::text`)} collate "C")`;
    case 'lt': return sql`(${left} < ${fold(sql`${value}::text`)} collate "C")`;
    case 'le': return sql`(${left} <= ${fold(sql`${value}::text`)} collate "C")`;
  }
}

/**
 * `members eq "id"`, `members.value eq "id"`, `members pr`, `groups.value eq "id"`:
 * answered from the membership table by its key.
 */
function membershipCondition(f: Extract<Filter, { kind: 'compare' | 'present' }>, r: ResolvedAttribute, alias: string, which: 'members' | 'groups'): Sql {
  const own = which === 'members' ? 'group_id' : 'user_id';
  const other = which === 'members' ? 'm.user_id' : 'm.group_id';
  const base = sql`select 1 from scim_group_members m where ${sql.ref('m.' + own)} = ${sql.ref(alias + '.id')}`;
  if (f.kind === 'present') {
    if (r.subDef && r.subDef.name !== 'value') throw invalidFilter(`${which}.${r.subDef.name} cannot be filtered on; use ${which}.value`);
    return sql`exists (${base})`;
  }
  const sub = r.subDef?.name ?? 'value';
  const inner: Filter = { kind: 'compare', path: { attr: sub }, op: f.op, value: f.value };
  return sql`exists (${base} and ${memberValueCondition(inner, other, which)})`;
}

function membershipValuePath(inner: Filter, alias: string): Sql {
  return sql`exists (select 1 from scim_group_members m where m.group_id = ${sql.ref(alias + '.id')} and ${memberValueCondition(inner, 'm.user_id', 'members')})`;
}

/** Conditions on one membership row: only `value` (the member/group id) and `type` are filterable. */
function memberValueCondition(f: Filter, idColumn: string, which: 'members' | 'groups'): Sql {
  switch (f.kind) {
    case 'and':
      return sql`(${memberValueCondition(f.left, idColumn, which)} and ${memberValueCondition(f.right, idColumn, which)})`;
    case 'or':
      return sql`(${memberValueCondition(f.left, idColumn, which)} or ${memberValueCondition(f.right, idColumn, which)})`;
    case 'not':
      return sql`(not ${memberValueCondition(f.filter, idColumn, which)})`;
    case 'valuePath':
      throw invalidFilter('Brackets cannot be nested inside a value filter');
    case 'present':
      return sql`true`;
    case 'compare': {
      const name = f.path.attr.toLowerCase();
      if (name === 'type') {
        const expected = which === 'members' ? 'user' : 'direct';
        const v = typeof f.value === 'string' ? f.value.toLowerCase() : '';
        if (f.op === 'eq') return v === expected ? sql`true` : sql`false`;
        if (f.op === 'ne') return v === expected ? sql`false` : sql`true`;
      }
      if (name !== 'value') throw invalidFilter(`${which}.${f.path.attr} cannot be filtered on; use ${which}.value`);
      if (typeof f.value !== 'string') throw invalidFilter(`${which}.value is a string id`);
      if (f.op === 'eq') return isUuid(f.value) ? sql`(${sql.ref(idColumn)} = ${f.value}::uuid)` : sql`false`;
      if (f.op === 'ne') return isUuid(f.value) ? sql`(${sql.ref(idColumn)} <> ${f.value}::uuid)` : sql`true`;
      return textComparison(f.op, sql`${sql.ref(idColumn)}::text`, f.value.toLowerCase(), true); // ids are ASCII hex
    }
  }
}
