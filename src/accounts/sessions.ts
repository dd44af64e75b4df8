/**
 * Console sessions, kept in the database so that any scimd instance serves any
 * request. The cookie carries a random 256-bit secret; the row's id is its
 * SHA-256, so a copy of the table signs no one in. Each session has a CSRF
 * token, an idle expiry (from `last_seen_at`, written at most once a minute)
 * and an absolute expiry fixed at sign-in; both are checked on every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 60 * 60_000, maxMs: 12 * 3_600_000 };

/** `last_seen_at` is written at most this often per session. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface SignedInAdmin {
  /** The session row's id (the hash of the cookie secret, never the secret). */
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  adminId: string;
  email: string;
  org: { id: string; slug: string; name: string };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Starts a session for `adminId`; also clears ended sessions of every admin
 * (cheap with the expiry index, and keeps the table small).
 * @returns the cookie secret (the only copy) and the session's CSRF token.
 */
export async function createSession(
  db: Kysely<Database>,
  adminId: string,
  client: { ip: string; userAgent: string | undefined },
  policy: SessionPolicy,
): Promise<{ secret: string; sessionId: string; csrfToken: string; expiresAt: Date }> {
  const now = Date.now();
  await db
    .deleteFrom('console_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', new Date(now)), eb('last_seen_at', '<=', new Date(now - policy.idleMs))]))
    .execute();
  const secret = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + policy.maxMs);
  const sessionId = sha256(secret);
  await db
    .insertInto('console_sessions')
    .values({
      id: sessionId,
      admin_id: adminId,
      csrf_token: csrfToken,
      created_at: new Date(now),
      last_seen_at: new Date(now),
      expires_at: expiresAt,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
    })
    .execute();
  return { secret, sessionId, csrfToken, expiresAt };
}

/**
 * The admin a cookie secret signs in, or undefined when the session is
 * unknown, idle too long or past its absolute expiry (an ended session's row
 * is deleted). Refreshes `last_seen_at` when it is over a minute old.
 */
export async function resolveSession(db: Kysely<Database>, secret: string, policy: SessionPolicy): Promise<SignedInAdmin | undefined> {
  if (!SECRET_SHAPE.test(secret)) return undefined;
  const id = sha256(secret);
  const row = await db
    .selectFrom('console_sessions as s')
    .innerJoin('console_admins as a', 'a.id', 's.admin_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select(['s.id', 's.csrf_token', 's.last_seen_at', 's.expires_at', 'a.id as admin_id', 'a.email', 'o.id as org_id', 'o.slug', 'o.name'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = Date.now();
  if (row.expires_at.getTime() <= now || now - row.last_seen_at.getTime() >= policy.idleMs) {
    await deleteSession(db, row.id);
    return undefined;
  }
  if (now - row.last_seen_at.getTime() > SESSION_TOUCH_INTERVAL_MS) {
    await db.updateTable('console_sessions').set({ last_seen_at: new Date(now) }).where('id', '=', row.id).execute();
  }
  return {
    sessionId: row.id,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
    adminId: row.admin_id,
    email: row.email,
    org: { id: row.org_id, slug: row.slug, name: row.name },
  };
}

/** Ends a session (sign-out). */
export async function deleteSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('id', '=', sessionId).execute();
}

/** Ends the session a cookie secret names, if any (a new sign-in replaces the old session). */
export async function deleteSessionBySecret(db: Kysely<Database>, secret: string): Promise<void> {
  if (SECRET_SHAPE.test(secret)) await deleteSession(db, sha256(secret));
}

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(expected).digest());
}
