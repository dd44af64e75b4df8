/**
 * Planner statistics for the embedded database. PGlite runs no autovacuum, so
 * its tables never get statistics and the planner guesses: at 21,000 users it
 * answered the last page of /Users by sorting every user on disk (212 ms) where
 * an index walk takes 21 ms once ANALYZE has run (docs/benchmarks.md).
 * PostgreSQL's autovacuum does this itself.
 */
import { sql } from 'kysely';
import type { DatabaseHandle } from './connect.js';

/** Runs ANALYZE now on PGlite (no-op on PostgreSQL). */
export async function analyzeEmbedded(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') await sql`analyze`.execute(handle.db);
}

/** ANALYZE on PGlite at start and then every `intervalMs` (default hourly); returns a stop function. */
export function scheduleAnalyze(handle: DatabaseHandle, log: (msg: string) => void, intervalMs = 3_600_000): () => void {
  if (handle.kind !== 'pglite') return () => {};
  const run = () => analyzeEmbedded(handle).catch((err: unknown) => log(`ANALYZE failed: ${(err as Error).message}`));
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
