/**
 * Sign-in throttling, counted in the database so every instance behind a load
 * balancer sees the same attempts: after 5 failed sign-ins for one email, or 30
 * from one IP address, within 15 minutes, further attempts answer 429 until
 * the oldest counted failure leaves the window. A successful sign-in clears
 * the email's failures (not the IP's).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 30;

/** Whole seconds from `now` until `until` (both ms since the epoch), at least 1: a `Retry-After` value (RFC 9110 §10.2.3). */
export const retryAfterSecondsUntil = (until: number, now: number): number => Math.max(1, Math.ceil((until - now) / 1000));

/**
 * How many seconds until `email` from `ip` may try again, or 0 when it may now.
 * With `limit` failures counted, the limit-th newest one leaving the window
 * brings the count under the limit.
 */
export async function retryAfterSeconds(db: Kysely<Database>, email: string, ip: string): Promise<number> {
  const now = Date.now();
  const since = new Date(now - THROTTLE_WINDOW_MS);
  const waits = await Promise.all(
    ([['email', email, MAX_FAILURES_PER_EMAIL], ['ip', ip, MAX_FAILURES_PER_IP]] as const).map(async ([column, value, limit]) => {
      const rows = await db.selectFrom('login_attempts').select('at').where(column, '=', value).where('at', '>', since).orderBy('at', 'desc').limit(limit).execute();
      if (rows.length < limit) return 0;
      return retryAfterSecondsUntil(rows[limit - 1]!.at.getTime() + THROTTLE_WINDOW_MS, now);
    }),
  );
  return Math.max(...waits);
}

/** Counts one failed sign-in, and forgets failures older than the window. */
export async function recordFailure(db: Kysely<Database>, email: string, ip: string): Promise<void> {
  const now = Date.now();
  await db.insertInto('login_attempts').values({ email, ip, at: new Date(now) }).execute();
  await db.deleteFrom('login_attempts').where('at', '<=', new Date(now - THROTTLE_WINDOW_MS)).execute();
}

/** Forgets an email's failures (after a successful sign-in). */
export async function clearFailures(db: Kysely<Database>, email: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', email).execute();
}
