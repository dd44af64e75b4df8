/**
 * Autovacuum's work for the embedded database. PGlite runs no autovacuum and
 * keeps no activity counters, so without this its tables never get planner
 * statistics nor a visibility map: after an initial sync the planner still
 * believes the tables empty, and at 20,000 users a page of /Users sorted every
 * user instead of walking the `(org_id, seq)` index (under 10 pages a second;
 * docs/benchmarks.md). PostgreSQL's own autovacuum does this for a server
 * database (docs/config.md asks for it).
 *
 * Rule, in the spirit of autovacuum's thresholds (PostgreSQL docs, "The
 * Autovacuum Daemon"): a table whose size in pages grew by more than
 * GROWTH_FRACTION (plus GROWTH_MIN_PAGES) since it was last vacuumed or
 * analyzed (`pg_class.relpages`) gets `VACUUM (ANALYZE)`: the statistics for
 * the planner, the visibility map for index-only scans, and its dead row
 * versions back for reuse. The check is one catalog query.
 */
import { sql } from 'kysely';
import type { DatabaseHandle } from './connect.js';

/** Tables whose plans matter. */
export const MAINTAINED_TABLES = ['scim_users', 'scim_groups', 'scim_group_members', 'scim_resource_counts', 'activity', 'scim_tokens'] as const;

/** Growth since the last VACUUM/ANALYZE that triggers another. */
export const GROWTH_FRACTION = 0.2;
export const GROWTH_MIN_PAGES = 8;

/** Runs `VACUUM (ANALYZE)` on every maintained table whose pages grew past the threshold; returns their names (PGlite only). */
export async function maintainEmbedded(handle: DatabaseHandle): Promise<string[]> {
  if (handle.kind !== 'pglite') return [];
  const sizes = await sql<{ relname: string; pages: number; relpages: number }>`
    select c.relname, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int as pages, c.relpages
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname = current_schema() and c.relname in (${sql.join([...MAINTAINED_TABLES])})`.execute(handle.db);
  const due = sizes.rows.filter((t) => t.pages > t.relpages * (1 + GROWTH_FRACTION) + GROWTH_MIN_PAGES).map((t) => t.relname);
  // Table names come from MAINTAINED_TABLES, never from input.
  for (const table of due) await sql`vacuum (analyze) ${sql.table(table)}`.execute(handle.db);
  return due;
}

/** Runs ANALYZE of every table now on PGlite (no-op on PostgreSQL). */
export async function analyzeEmbedded(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') await sql`analyze`.execute(handle.db);
}

/**
 * On PGlite: ANALYZE at start, a growth check (maintainEmbedded) every
 * `checkMs` (default 10 s) and a full ANALYZE every `analyzeMs` (default
 * hourly), which catches updates that changed values without growing a table.
 * @returns a stop function.
 */
export function scheduleAnalyze(handle: DatabaseHandle, log: (msg: string) => void, analyzeMs = 3_600_000, checkMs = 10_000): () => void {
  if (handle.kind !== 'pglite') return () => {};
  const fail = (what: string) => (err: unknown) => log(`${what} failed: ${(err as Error).message}`);
  const analyze = () => analyzeEmbedded(handle).catch(fail('ANALYZE'));
  let checking = false;
  const check = () => {
    if (checking) return;
    checking = true;
    maintainEmbedded(handle)
      .catch(fail('VACUUM (ANALYZE)'))
      .finally(() => (checking = false));
  };
  void analyze();
  const timers = [setInterval(analyze, analyzeMs), setInterval(check, checkMs)];
  for (const t of timers) t.unref();
  return () => timers.forEach(clearInterval);
}
