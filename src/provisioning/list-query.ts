/**
 * List and search parameters (RFC 7644 §3.4.2 for GET, §3.4.3 for POST
 * `.search`), parsed once into a `ListQuery`, and the SQL for sorting.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Filter } from '../scim/filter/ast.js';
import { DEFAULT_FILTER_LIMITS, parseFilter, type FilterLimits } from '../scim/filter/parse.js';
import { invalidFilter, invalidValue } from '../scim/errors.js';
import { parseAttributePath, parseProjection, type Projection } from '../scim/projection.js';
import { resolveAttribute, type ResourceTypeDef } from '../scim/schemas/resource-types.js';

export interface ListQuery {
  filter?: Filter;
  /** 1-based index of the first result (RFC 7644 §3.4.2.4: values below 1 are read as 1). */
  startIndex: number;
  /** Page size, clamped to [0, maxPageSize]; 0 answers only `totalResults`. */
  count: number;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  projection: Projection;
}

/** Raw parameters as they arrive in a query string or a SearchRequest body. */
export interface ListParams {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
  attributes?: unknown;
  excludedAttributes?: unknown;
}

/**
 * A paging integer as sent: a JSON number, or decimal digits with an optional
 * sign. Values of any size are accepted (the caller clamps them): RFC 7644
 * §3.4.2.4 answers a page past the end with no resources, not an error.
 * @throws ScimError 400 invalidValue for anything else (`"0x10"`, `"1e3"`, `"1.5"`, `""`).
 */
function integer(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  // A query string gives text, a SearchRequest (RFC 7644 §3.4.3) a JSON number; nothing else is an integer.
  if (typeof v !== 'number' && typeof v !== 'string') throw invalidValue(`"${name}" must be an integer, got ${JSON.stringify(v)}`);
  const text = String(v).trim();
  // Decimal digits only: Number() would also read "0x10", "1e3" and "" as numbers.
  const n = typeof v === 'number' ? v : /^[-+]?\d+$/.test(text) ? Number(text) : NaN;
  const ok = typeof v === 'number' ? Number.isInteger(v) || v === Infinity || v === -Infinity : !Number.isNaN(n);
  if (!ok) throw invalidValue(`"${name}" must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Largest `startIndex` kept as given; anything beyond is past every result set (and stays a safe SQL bigint). */
export const MAX_START_INDEX = Number.MAX_SAFE_INTEGER;

function stringParam(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  // A SearchRequest may list attributes as an array (RFC 7644 §3.4.3).
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  if (typeof v !== 'string') throw invalidValue(`"${name}" must be a string`);
  return v;
}

/**
 * `startIndex` and `count` (RFC 7644 §3.4.2.4): 1-based, values below 1 read as
 * 1 and values above MAX_START_INDEX as it; `count` clamped to [0, maxPageSize]
 * and defaulting to it.
 * @throws ScimError 400 invalidValue for a value that is not a decimal integer.
 */
export function parsePaging(params: Pick<ListParams, 'startIndex' | 'count'>, maxPageSize: number): { startIndex: number; count: number } {
  return {
    startIndex: Math.min(MAX_START_INDEX, Math.max(1, integer(params.startIndex, 'startIndex') ?? 1)),
    count: Math.min(maxPageSize, Math.max(0, integer(params.count, 'count') ?? maxPageSize)),
  };
}

/**
 * Parses list parameters.
 * @param filterLimits the filter's length, depth and clause limits (docs/scim.md "Limits").
 * @throws ScimError 400 invalidFilter for a bad filter, invalidValue for bad numbers or sort order.
 */
export function parseListQuery(rt: ResourceTypeDef, params: ListParams, maxPageSize: number, filterLimits: Readonly<FilterLimits> = DEFAULT_FILTER_LIMITS): ListQuery {
  const filterText = stringParam(params.filter, 'filter');
  if (filterText?.includes('\0')) throw invalidFilter('The filter must not contain the NUL character');
  const filter = filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText, filterLimits) : undefined;
  if (filterText !== undefined && filterText.trim() === '' && params.filter !== undefined) throw invalidFilter('The filter is empty');
  const { startIndex, count } = parsePaging(params, maxPageSize);
  const sortOrderRaw = stringParam(params.sortOrder, 'sortOrder');
  let sortOrder: 'ascending' | 'descending' = 'ascending';
  if (sortOrderRaw !== undefined) {
    const s = sortOrderRaw.trim().toLowerCase();
    if (s !== 'ascending' && s !== 'descending') throw invalidValue(`"sortOrder" must be "ascending" or "descending", got "${sortOrderRaw}"`);
    sortOrder = s;
  }
  const sortBy = stringParam(params.sortBy, 'sortBy')?.trim() || undefined;
  const projection = parseProjection(rt, stringParam(params.attributes, 'attributes'), stringParam(params.excludedAttributes, 'excludedAttributes'));
  return { ...(filter ? { filter } : {}), startIndex, count, ...(sortBy ? { sortBy } : {}), sortOrder, projection };
}

/**
 * The ORDER BY expression for `sortBy` (RFC 7644 §3.4.2.3). String attributes
 * that are not case-exact sort case-insensitively; a multi-valued attribute sorts
 * by its primary (else first) value.
 * @throws ScimError 400 invalidValue for an unknown or unsortable attribute.
 */
export function sortExpression(rt: ResourceTypeDef, sortBy: string, alias: 'u' | 'g'): RawBuilder<unknown> {
  const r = resolveAttribute(rt, parseAttributePath(sortBy));
  if (!r) throw invalidValue(`Cannot sort by unknown attribute "${sortBy}"`);
  if (r.def.returned === 'never' || r.subDef?.returned === 'never') throw invalidValue(`Cannot sort by "${sortBy}"`);
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const name = r.def.name;
  const lit = (k: string) => sql.lit(k);
  if (!r.extension) {
    if (name === 'id') return sql`${col('id')}::text`;
    if (name === 'externalId') return col('external_id');
    if (name === 'userName' && rt.name === 'User') return sql`lower(${col('user_name')})`;
    if (name === 'displayName') return sql`lower(${col('display_name')})`;
    if (name === 'active' && rt.name === 'User') return col('active');
    if (name === 'emails' && rt.name === 'User' && (!r.subDef || r.subDef.name === 'value')) return sql`lower(${col('email')})`;
    if (name === 'meta') {
      if (r.subDef?.name === 'created') return col('created_at');
      if (r.subDef?.name === 'lastModified') return col('updated_at');
      throw invalidValue(`Cannot sort by "${sortBy}"`);
    }
    if (name === 'members' || name === 'groups') throw invalidValue(`Cannot sort by "${sortBy}"`);
  }
  const base = r.extension ? sql`${col('doc')}->${lit(r.schemaUri)}->${lit(name)}` : sql`${col('doc')}->${lit(name)}`;
  if (r.def.multiValued) {
    const subName = r.subDef?.name ?? 'value';
    return sql`lower((select el.v->>${lit(subName)} from jsonb_array_elements(case when jsonb_typeof(${base}) = 'array' then ${base} else '[]'::jsonb end) with ordinality as el(v, n) order by (el.v->'primary' = 'true'::jsonb) desc, el.n limit 1))`;
  }
  if (r.def.type === 'complex' && !r.subDef) throw invalidValue(`Cannot sort by complex attribute "${sortBy}"; name a sub-attribute`);
  const value = r.subDef ? sql`${base}->>${lit(r.subDef.name)}` : sql`${base}#>>'{}'`;
  const caseExact = (r.subDef ?? r.def).caseExact;
  return caseExact ? value : sql`lower(${value})`;
}

/**
 * The ORDER BY term for a list query, or undefined without `sortBy`. RFC 7644
 * §3.4.2.3: resources without a value sort last when ascending, first when descending.
 */
export function orderTerm(rt: ResourceTypeDef, q: ListQuery, alias: 'u' | 'g'): RawBuilder<unknown> | undefined {
  if (!q.sortBy) return undefined;
  return sql`${sortExpression(rt, q.sortBy, alias)} ${sql.raw(q.sortOrder === 'descending' ? 'desc nulls first' : 'asc nulls last')}`;
}
