/**
 * Reading the activity log for admins: newest first by time (`at`, then `id`;
 * migration 0007 says why not `id` alone), filtered, with cursor paging: the
 * cursor is the last row's id, and the next page holds the rows ordered after
 * that row (stable under concurrent inserts, unlike offsets).
 */
import { sql, type Kysely } from 'kysely';
import type { ActivityDiff, Database } from '../db/schema.js';

export interface ActivityFilter {
  /** Inclusive lower bound on the time. */
  from?: Date;
  /** Exclusive upper bound on the time. */
  to?: Date;
  /** Only answers with status ≥ 400. */
  failuresOnly?: boolean;
  operation?: string;
  /** `scim` or `admin`. */
  source?: 'scim' | 'admin';
  /** A target id (exact) or part of a target name (case-insensitive). */
  target?: string;
  /** Rows older than this cursor (the last `id` of the previous page). */
  cursor?: string;
  /** Page size, 1–200. */
  limit: number;
}

export interface ActivityItem {
  id: string;
  at: string;
  source: 'scim' | 'admin';
  actor: string | null;
  method: string | null;
  path: string | null;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  status: number;
  scimType: string | null;
  detail: string | null;
  durationMs: number | null;
  diff: ActivityDiff | null;
}

/** One page of an org's activity; `nextCursor` is null on the last page. */
export async function listActivity(db: Kysely<Database>, orgId: string, f: ActivityFilter): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  let q = db.selectFrom('activity').selectAll().where('org_id', '=', orgId);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  if (f.failuresOnly) q = q.where('status', '>=', 400);
  if (f.operation) q = q.where('operation', '=', f.operation);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.target) {
    const t = f.target;
    q = q.where((eb) => eb.or([eb('target_id', '=', t), eb(sql`lower(target_name)`, 'like', `%${t.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`)]));
  }
  if (f.cursor && /^\d{1,18}$/.test(f.cursor)) {
    const cursor = f.cursor;
    q = q.where(({ eb, refTuple, selectFrom }) =>
      eb(refTuple('at', 'id'), '<', selectFrom('activity as c').select(['c.at', 'c.id']).where('c.id', '=', cursor).where('c.org_id', '=', orgId) as never),
    );
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      source: r.source,
      actor: r.actor,
      method: r.method,
      path: r.path,
      operation: r.operation,
      targetType: r.target_type,
      targetId: r.target_id,
      targetName: r.target_name,
      status: r.status,
      scimType: r.scim_type,
      detail: r.detail,
      durationMs: r.duration_ms,
      diff: r.diff,
    })),
    nextCursor: rows.length > f.limit ? String(page[page.length - 1]!.id) : null,
  };
}

/** Requests per hour by outcome (2xx/3xx, 4xx, 5xx) since `since`, for the console's chart. */
export async function activityByHour(db: Kysely<Database>, orgId: string, since: Date): Promise<{ hour: string; ok: number; clientErrors: number; serverErrors: number }[]> {
  const rows = await db
    .selectFrom('activity')
    .select([
      sql<Date>`date_trunc('hour', at)`.as('hour'),
      sql<string>`count(*) filter (where status < 400)`.as('ok'),
      sql<string>`count(*) filter (where status >= 400 and status < 500)`.as('client_errors'),
      sql<string>`count(*) filter (where status >= 500)`.as('server_errors'),
    ])
    .where('org_id', '=', orgId)
    .where('source', '=', 'scim')
    .where('at', '>=', since)
    .groupBy(sql`date_trunc('hour', at)`)
    .orderBy(sql`date_trunc('hour', at)`)
    .execute();
  return rows.map((r) => ({ hour: new Date(r.hour).toISOString(), ok: Number(r.ok), clientErrors: Number(r.client_errors), serverErrors: Number(r.server_errors) }));
}
