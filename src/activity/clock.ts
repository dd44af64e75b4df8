/** The clock of the activity log. */
import { sql, type RawBuilder } from 'kysely';

/**
 * The time an activity row records, from this process's clock at microsecond
 * resolution (wall clock at start plus the monotonic clock since), for every
 * row alike: reads are written after their answer, in batches, so `at` (not
 * the row id) says what happened first (migration 0007). Several instances
 * agree as far as their clocks do (NTP).
 * @param at a performance.now() value; default now.
 */
export function activityTime(at: number = performance.now()): RawBuilder<Date> {
  return sql<Date>`to_timestamp(${((performance.timeOrigin + at) / 1000).toFixed(6)}::float8)`;
}
