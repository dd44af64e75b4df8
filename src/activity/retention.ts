/**
 * Pruning the activity log: rows older than their org's retention
 * (`scim_provisioning_configs.activity_retention_days`, default 30 days) are
 * deleted in batches, so a large backlog never holds one long lock.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Default retention, days, for orgs that never enabled SCIM (no settings row). */
export const DEFAULT_RETENTION_DAYS = 30;
const BATCH = 5000;

/** Deletes expired rows; returns how many. Safe to run from several instances at once. */
export async function pruneActivity(db: Kysely<Database>, now: Date = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await db
      .deleteFrom('activity')
      .where(
        'id',
        'in',
        db
          .selectFrom('activity as a')
          .leftJoin('scim_provisioning_configs as c', 'c.org_id', 'a.org_id')
          .select('a.id')
          .where(sql<boolean>`a.at < ${now}::timestamptz - make_interval(days => coalesce(c.activity_retention_days, ${DEFAULT_RETENTION_DAYS}))`)
          .limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < BATCH) return total;
  }
}

/** Prunes now and then every `intervalMs` (default hourly); returns a stop function. */
export function schedulePruning(db: Kysely<Database>, log: (msg: string) => void, intervalMs = 3_600_000): () => void {
  const run = () =>
    pruneActivity(db)
      .then((n) => n && log(`pruned ${n} activity rows past retention`))
      .catch((err: unknown) => log(`activity pruning failed: ${(err as Error).message}`));
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
