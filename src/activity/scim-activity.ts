/**
 * Recording SCIM requests in the activity log. A write records itself inside
 * its own transaction (`ScimContext.recordChange`), so the row exists exactly
 * when the change does; everything else (reads, refusals, errors, no-op
 * writes) is recorded once the answer is sent.
 */
import { type InsertObject, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { ActivityDiff, Database } from '../db/schema.js';
import type { ScimOperation } from './diff.js';
import { activityTime } from './clock.js';

/** One SCIM request's row. */
export interface ScimActivity {
  orgId: string;
  tokenId: string | null;
  tokenName: string | null;
  method: string;
  /** Path below the SCIM base with its query string, e.g. `/Users?filter=…`; never a token. */
  path: string;
  operation: ScimOperation | 'bulk' | 'discovery';
  targetType?: 'User' | 'Group' | null;
  targetId?: string | null;
  targetName?: string | null;
  status: number;
  scimType?: string | null;
  detail?: string | null;
  durationMs?: number | null;
  diff?: ActivityDiff | null;
}

/** Longest recorded path, characters (a 4 KB filter is still a useful record when cut). */
const MAX_PATH = 1000;

/** A path segment as the client meant it, or as sent when its percent-escapes are malformed (`/Users/%ZZ`). */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Client text as PostgreSQL can store it: a request the server refused for
 * holding NUL or an unpaired surrogate (`/Users/%00`) must still be logged.
 */
const storable = <T extends string | null | undefined>(v: T): T =>
  (typeof v === 'string' ? v.replace(/\0/g, '\\0').replace(/\p{Surrogate}/gu, '\uFFFD') : v) as T;


/** The activity row of `a`, its client text made storable and its path cut to MAX_PATH. */
function toRow(a: ScimActivity, at?: RawBuilder<Date>): InsertObject<Database, 'activity'> {
  const path = storable(a.path);
  return {
    at: at ?? activityTime(),
    org_id: a.orgId,
    source: 'scim',
    actor: a.tokenName,
    token_id: a.tokenId,
    method: a.method,
    path: path.length > MAX_PATH ? path.slice(0, MAX_PATH) + '…' : path,
    operation: a.operation,
    target_type: a.targetType ?? null,
    target_id: storable(a.targetId) ?? null,
    target_name: storable(a.targetName) ?? null,
    status: a.status,
    scim_type: a.scimType ?? null,
    detail: storable(a.detail) ?? null,
    duration_ms: a.durationMs == null ? null : Math.round(a.durationMs),
    diff: a.diff ? JSON.stringify(a.diff) : null,
  };
}

/** Inserts one SCIM activity row with `db` (a transaction for writes). */
export async function insertScimActivity(db: Kysely<Database> | Transaction<Database>, a: ScimActivity): Promise<void> {
  await db.insertInto('activity').values(toRow(a)).execute();
}

/**
 * The rows of requests that changed nothing (reads, refusals, errors, no-op
 * writes), written in batches: one multi-row INSERT at most every `maxDelayMs`
 * or `maxRows` rows, instead of one durable commit per read. A read then costs
 * its own query only, which is most of what makes lookups fast
 * (docs/benchmarks.md).
 *
 * What this trades: such a row reaches the table up to `maxDelayMs` after its
 * answer (the admin API flushes first, so this process's own reads are always
 * visible to it), its `at` is the time of the answer (so the log, ordered by
 * `at`, still shows it before a write that followed it, though its `id` is higher), and a crash loses at most the last
 * window's read rows. Writes never come here: they record themselves inside
 * their own transaction.
 */
export class ActivityBuffer {
  /** Queued rows, each with the performance.now() of its answer. */
  private rows: { activity: ScimActivity; answeredAt: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private written: Promise<void> = Promise.resolve();

  /**
   * @param onError called with the error and the number of rows lost when a batch cannot be written.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (err: unknown, rows: number) => void,
    private readonly maxRows = 500,
    private readonly maxDelayMs = 50,
  ) {}

  /** Queues the row of an answered request. */
  add(a: ScimActivity): void {
    this.rows.push({ activity: a, answeredAt: performance.now() });
    if (this.rows.length >= this.maxRows) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  /** Writes every queued row; resolves when they (and earlier batches) are in the table or reported lost. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.rows;
    this.rows = [];
    if (batch.length) {
      const rows = batch.map((r) => toRow(r.activity, activityTime(r.answeredAt)));
      this.written = this.written.then(() =>
        this.db
          .insertInto('activity')
          .values(rows)
          .execute()
          .then(
            () => undefined,
            (err: unknown) => this.onError(err, batch.length),
          ),
      );
    }
    return this.written;
  }
}

/**
 * Names a request that did not record itself (a read, a refusal, a no-op write)
 * from its method and path below the SCIM base.
 */
export function operationOf(method: string, path: string): { operation: ScimActivity['operation']; targetType: 'User' | 'Group' | null; targetId: string | null } {
  const m = /^\/(users|groups)(?:\/([^/?]+))?/i.exec(path);
  const targetType = m ? (m[1]!.toLowerCase() === 'users' ? 'User' : 'Group') : null;
  const rawId = m?.[2];
  const targetId = rawId && rawId !== '.search' ? decodeId(rawId) : null;
  if (/^\/bulk/i.test(path)) return { operation: 'bulk', targetType: null, targetId: null };
  if (!m && method === 'GET') return { operation: 'discovery', targetType: null, targetId: null };
  if (method === 'GET' || /\.search/i.test(path)) return { operation: 'lookup', targetType, targetId };
  if (method === 'POST') return { operation: 'create', targetType, targetId: null };
  if (method === 'DELETE') return { operation: 'delete', targetType, targetId };
  return { operation: 'update', targetType, targetId };
}
