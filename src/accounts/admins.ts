/**
 * Org admins' console accounts: one org each, signed in by email (unique
 * across scimd, stored lower-cased) and an argon2id password. An account is
 * created with a password, or with a one-time set-password token (72 hours,
 * stored only as a SHA-256 hash) that the invitee redeems. Every change is
 * recorded in the activity log in the same transaction, never with a secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { recordAdminAction } from '../activity/admin-actions.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import { isUuid } from '../db/ids.js';
import { hashPassword } from './passwords.js';

/** How long a set-password link stays valid. */
export const SET_PASSWORD_TTL_MS = 72 * 3_600_000;

export interface AdminAccount {
  id: string;
  orgId: string;
  email: string;
  createdAt: Date;
  /** False while the account waits for its set-password link to be used. */
  passwordSet: boolean;
}

/** Thrown by `createAdmin` when another account (of any org) has the email. */
export class EmailTakenError extends Error {}

/** Why a set-password token was refused. */
export class SetPasswordTokenError extends Error {
  constructor(readonly reason: 'unknown' | 'used' | 'expired') {
    super(
      reason === 'used'
        ? 'This set-password link has already been used; ask for a new one'
        : reason === 'expired'
          ? 'This set-password link has expired; ask for a new one'
          : 'This set-password link is not valid',
    );
  }
}

/** Emails are compared and stored trimmed and lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Creates an admin of `orgId`. With `password` it is hashed and set at once;
 * without, a set-password token is issued and returned (the only copy).
 * @param actor who did it, for the activity log (`operator` or an admin's email).
 * @throws EmailTakenError when the email belongs to any account already.
 */
export async function createAdmin(
  db: Kysely<Database>,
  orgId: string,
  email: string,
  password: string | undefined,
  actor: string,
): Promise<{ admin: AdminAccount; setPassword?: { token: string; expiresAt: Date } }> {
  const normalised = normaliseEmail(email);
  const passwordHash = password === undefined ? null : await hashPassword(password);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('console_admins')
        .values({ org_id: orgId, email: normalised, password_hash: passwordHash, password_set_at: passwordHash ? new Date() : null })
        .returning(['id', 'org_id', 'email', 'created_at', 'password_hash'])
        .executeTakeFirstOrThrow();
      const admin = toAccount(row);
      let setPassword: { token: string; expiresAt: Date } | undefined;
      if (!passwordHash) {
        const token = randomBytes(32).toString('base64url');
        const expiresAt = new Date(Date.now() + SET_PASSWORD_TTL_MS);
        await trx.insertInto('password_set_tokens').values({ admin_id: admin.id, token_hash: sha256(token), expires_at: expiresAt }).execute();
        setPassword = { token, expiresAt };
      }
      await recordAdminAction(trx, {
        orgId,
        actor,
        action: passwordHash ? 'admin.create' : 'admin.invite',
        targetType: 'admin',
        targetId: admin.id,
        targetName: admin.email,
        details: passwordHash ? { passwordSet: true } : { passwordSet: false, setPasswordLinkExpiresAt: setPassword!.expiresAt.toISOString() },
      });
      return { admin, ...(setPassword ? { setPassword } : {}) };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError(`An admin account with the email "${normalised}" already exists`);
    throw err;
  }
}

function toAccount(row: { id: string; org_id: string; email: string; created_at: Date; password_hash: string | null }): AdminAccount {
  return { id: row.id, orgId: row.org_id, email: row.email, createdAt: row.created_at, passwordSet: row.password_hash !== null };
}

/** The org's admins (never hashes), oldest first. */
export async function listAdmins(db: Kysely<Database>, orgId: string): Promise<AdminAccount[]> {
  const rows = await db
    .selectFrom('console_admins')
    .select(['id', 'org_id', 'email', 'created_at', 'password_hash'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('email')
    .execute();
  return rows.map(toAccount);
}

/**
 * Deletes an admin of `orgId`; its sessions and set-password tokens go with it.
 * @returns false when the org has no such admin.
 */
export async function deleteAdmin(db: Kysely<Database>, orgId: string, adminId: string, actor: string): Promise<boolean> {
  if (!isUuid(adminId)) return false;
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('console_admins').where('org_id', '=', orgId).where('id', '=', adminId).returning(['id', 'email']).executeTakeFirst();
    if (!row) return false;
    await recordAdminAction(trx, { orgId, actor, action: 'admin.delete', targetType: 'admin', targetId: row.id, targetName: row.email });
    return true;
  });
}

/**
 * Sets an admin's password with a one-time token: the token is spent (and any
 * other open link of that admin with it), the admin's sessions end.
 * @throws SetPasswordTokenError for an unknown, used or expired token.
 */
export async function setPasswordWithToken(db: Kysely<Database>, token: string, password: string): Promise<AdminAccount> {
  const hash = sha256(token);
  const found = await db
    .selectFrom('password_set_tokens as t')
    .innerJoin('console_admins as a', 'a.id', 't.admin_id')
    .select(['t.id', 't.admin_id', 't.expires_at', 't.used_at'])
    .where('t.token_hash', '=', hash)
    .executeTakeFirst();
  if (!found) throw new SetPasswordTokenError('unknown');
  if (found.used_at) throw new SetPasswordTokenError('used');
  if (found.expires_at.getTime() <= Date.now()) throw new SetPasswordTokenError('expired');
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    // Spending the token is the guard against two concurrent redemptions.
    const spent = await trx
      .updateTable('password_set_tokens')
      .set({ used_at: sql`now()` })
      .where('id', '=', found.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning('id')
      .executeTakeFirst();
    if (!spent) throw new SetPasswordTokenError('used');
    await trx.updateTable('password_set_tokens').set({ used_at: sql`now()` }).where('admin_id', '=', found.admin_id).where('used_at', 'is', null).execute();
    const row = await trx
      .updateTable('console_admins')
      .set({ password_hash: passwordHash, password_set_at: new Date() })
      .where('id', '=', found.admin_id)
      .returning(['id', 'org_id', 'email', 'created_at', 'password_hash'])
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('console_sessions').where('admin_id', '=', row.id).execute();
    await recordAdminAction(trx, { orgId: row.org_id, actor: row.email, action: 'admin.password.set', targetType: 'admin', targetId: row.id, targetName: row.email });
    return toAccount(row);
  });
}

/** What sign-in needs about an account, looked up by (normalised) email. */
export async function findAdminForSignIn(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('console_admins as a')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select(['a.id', 'a.email', 'a.password_hash', 'a.org_id', 'o.slug as org_slug', 'o.name as org_name'])
    .where('a.email', '=', normaliseEmail(email))
    .executeTakeFirst();
}

/** Replaces a password hash made with older parameters (after a successful sign-in). */
export async function replacePasswordHash(db: Kysely<Database>, adminId: string, passwordHash: string): Promise<void> {
  await db.updateTable('console_admins').set({ password_hash: passwordHash }).where('id', '=', adminId).execute();
}
