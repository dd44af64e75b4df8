/**
 * One page of a SCIM list (RFC 7644 §3.4.2.4) and its `totalResults`, in as
 * few statements as the query allows. A list costs one statement when:
 * - the page is not full (a `userName eq` lookup, the last page): the total is
 *   `startIndex - 1 + rows`, so nothing is counted;
 * - the list is unfiltered: the total is the org's count kept by triggers
 *   (migration 0006), read by a sub-select of the page statement.
 * Only a full page of a filtered list pays a second statement, `count(*)` over
 * the filter.
 *
 * Deep pages (offset ≥ DEFERRED_JOIN_OFFSET) skip their offset on `seq` alone
 * (the `(org_id, seq)` index, index-only once vacuumed) and fetch only the
 * page's rows, instead of reading every skipped row: a page 100,000 deep costs a
 * walk of index entries, not 100,000 row fetches.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TokenCheck, TokenState } from '../tenants/tokens.js';

type Db = Kysely<Database> | Transaction<Database>;
type Sql = RawBuilder<unknown>;

/** Offsets from which the page's keys are found before its rows are read. */
export const DEFERRED_JOIN_OFFSET = 500;

const TABLES = { User: 'scim_users', Group: 'scim_groups' } as const;

export interface PageQuery {
  db: Db;
  orgId: string;
  resourceType: 'User' | 'Group';
  /** The table's alias in `where`, `order` and `columns` (`u` for users, `g` for groups). */
  alias: 'u' | 'g';
  /** The filter's SQL (from filterToSql), or undefined for an unfiltered list. */
  where?: Sql;
  /** ORDER BY term for `sortBy` (from orderTerm); `seq` (creation order) always breaks ties. */
  order?: Sql;
  /** 1-based. */
  startIndex: number;
  /** Page size, already clamped; 0 asks for the total only. */
  count: number;
  /** Extra per-row columns, each already `as`-named (e.g. a user's groups). */
  columns?: Sql[];
  /** A token check the page's statement settles (ScimContext.tokenCheck). */
  tokenCheck?: TokenCheck | undefined;
}

/** The org's number of users or groups, from the trigger-kept counts. */
async function countAll(db: Db, orgId: string, resourceType: 'User' | 'Group'): Promise<number> {
  const row = await db
    .selectFrom('scim_resource_counts')
    .select(sql<string>`coalesce(sum(n), 0)`.as('n'))
    .where('org_id', '=', orgId)
    .where('resource_type', '=', resourceType)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const totalOf = (orgId: string, resourceType: 'User' | 'Group'): Sql =>
  sql`(select coalesce(sum(c.n), 0) from scim_resource_counts c where c.org_id = ${orgId} and c.resource_type = ${resourceType})`;

/**
 * Runs the page.
 * @returns the page's rows (with any extra columns) in order, and the exact `totalResults`.
 */
export async function fetchPage<Row>(q: PageQuery): Promise<{ rows: Row[]; totalResults: number }> {
  const { db, orgId, resourceType, alias } = q;
  const offset = q.startIndex - 1;
  const count = async () => {
    if (!q.where) return countAll(db, orgId, resourceType);
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(TABLES[resourceType])} as ${sql.ref(alias)} where ${sql.ref(`${alias}.org_id`)} = ${orgId} and ${q.where}`.execute(db);
    return Number(r.rows[0]!.n);
  };
  if (q.count === 0) return { rows: [], totalResults: await count() };

  const table = sql`${sql.table(TABLES[resourceType])} as ${sql.ref(alias)}`;
  const a = (column: string) => sql.ref(`${alias}.${column}`);
  const orderBy = q.order ? sql`${q.order}, ${a('seq')}` : a('seq');
  const matches = sql`${a('org_id')} = ${orgId} and ${q.where ?? sql`true`}`;
  const columns = [
    sql`${sql.ref(alias)}.*`,
    ...(q.columns ?? []),
    ...(q.where ? [] : [sql`${totalOf(orgId, resourceType)} as scimd_total`]),
    ...(q.tokenCheck ? [sql`${q.tokenCheck.column()} as scimd_token`] : []),
  ];
  const select = sql.join(columns);
  const statement =
    offset >= DEFERRED_JOIN_OFFSET
      ? // The inner select names its own alias, which shadows the outer one.
        sql`select ${select} from ${table} where ${a('org_id')} = ${orgId} and ${a('seq')} in (select ${a('seq')} from ${table} where ${matches} order by ${orderBy} offset ${offset} limit ${q.count}) order by ${orderBy}`
      : sql`select ${select} from ${table} where ${matches} order by ${orderBy} offset ${offset} limit ${q.count}`;
  const rows = (await statement.execute(db)).rows as (Row & { scimd_total?: string; scimd_token?: TokenState | null })[];
  // Before anything else is read or answered: a refused token stops here.
  if (q.tokenCheck && rows.length) q.tokenCheck.settle(rows[0]!.scimd_token);

  let totalResults: number;
  if (rows.length > 0 && rows.length < q.count) totalResults = offset + rows.length;
  else if (rows.length > 0 && rows[0]!.scimd_total !== undefined) totalResults = Number(rows[0]!.scimd_total);
  else if (rows.length === 0 && offset === 0) totalResults = 0;
  else totalResults = await count();
  for (const r of rows) {
    delete r.scimd_total;
    delete r.scimd_token;
  }
  return { rows, totalResults };
}
