/**
 * SCIM bearer tokens: random (256 bits), shown once, stored only as a SHA-256
 * hash, several live per org so they can be rotated, optional expiry,
 * `last_used_at` recorded. A plain hash (not a slow KDF) is right here because
 * the secret is high-entropy and verification runs on every SCIM request; the
 * lookup is by hash, so no secret comparison leaks timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { isUuid } from '../db/ids.js';
import type { Database } from '../db/schema.js';

/** Tokens look like `scimd_<8 char prefix>_<43 char secret>`; the prefix is public. */
export const TOKEN_PREFIX = 'scimd_';

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The org and token a verified bearer token belongs to, with the org's SCIM switches. */
export interface TokenPrincipal {
  orgId: string;
  tokenId: string;
  tokenName: string;
  /** SCIM enabled for the org (false when it never was). */
  enabled: boolean;
  syncGroups: boolean;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The stored form of a presented token (SHA-256, hex). */
export const tokenHash = hashToken;

/**
 * Issues a token. The returned `token` is the only copy of the secret that will ever exist.
 * @param expiresAt optional instant after which the token answers 401.
 */
export async function issueToken(db: Kysely<Database> | Transaction<Database>, orgId: string, name: string, expiresAt: Date | null = null): Promise<TokenInfo & { token: string }> {
  const prefix = TOKEN_PREFIX + randomBytes(6).toString('base64url');
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const row = await db
    .insertInto('scim_tokens')
    .values({ org_id: orgId, name, token_prefix: prefix, token_hash: hashToken(token), expires_at: expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toInfo(row), token };
}

function toInfo(row: { id: string; name: string; token_prefix: string; created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null }): TokenInfo {
  return { id: row.id, name: row.name, prefix: row.token_prefix, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at };
}

/** Lists an org's tokens (never secrets), newest first. */
export async function listTokens(db: Kysely<Database>, orgId: string): Promise<TokenInfo[]> {
  const rows = await db.selectFrom('scim_tokens').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').execute();
  return rows.map(toInfo);
}

/**
 * Revokes a token at once; it answers 401 from the next request on.
 * @returns false when the org has no such token (or the id is not a UUID).
 */
export async function revokeToken(db: Kysely<Database> | Transaction<Database>, orgId: string, tokenId: string): Promise<boolean> {
  if (!isUuid(tokenId)) return false;
  const res = await db
    .updateTable('scim_tokens')
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The stored facts about a token that verification needs. */
interface TokenRow {
  id: string;
  org_id: string;
  name: string;
  token_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  enabled: boolean | null;
  sync_groups: boolean | null;
}

/**
 * Verified tokens remembered by a process that is its database's only writer
 * (embedded PGlite: the data folder is locked to one process), so a SCIM request
 * skips the token query. Only tokens that exist are kept (a flood of wrong
 * tokens cannot grow it). Whatever could change a token or its org's switches
 * (revoke, regenerate, SCIM settings) goes through the admin API, which calls
 * `invalidate()` before it answers; a read that began before an invalidation is
 * not stored, so a revoked token answers 401 from the next request on.
 * PostgreSQL deployments do not use it: another instance may revoke a token.
 */
export class TokenCache {
  private generation = 0;
  private readonly rows = new Map<string, TokenRow>();

  constructor(private readonly maxEntries = 10_000) {}

  /** Forgets every token; call when a token or an org's SCIM settings may have changed. */
  invalidate(): void {
    this.generation++;
    this.rows.clear();
  }

  /** @internal */ get(hash: string): TokenRow | undefined {
    return this.rows.get(hash);
  }

  /** @internal */ snapshot(): number {
    return this.generation;
  }

  /** @internal Stores a row read while the generation was `generation`, unless it changed since. */
  put(hash: string, row: TokenRow, generation: number): void {
    if (generation !== this.generation) return;
    if (this.rows.size >= this.maxEntries) this.rows.clear();
    this.rows.set(hash, row);
  }
}

/**
 * Verifies a presented bearer token: known hash, not revoked, not expired.
 * Records `last_used_at` at most once a minute per token, so steady traffic
 * does not turn every read into a write.
 * @param cache remembers verified tokens (embedded database only; see TokenCache).
 * @returns the principal, or undefined (the caller answers 401).
 */
export async function verifyToken(db: Kysely<Database>, presented: string, cache?: TokenCache): Promise<TokenPrincipal | undefined> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return undefined;
  const hash = hashToken(presented);
  let row = cache?.get(hash);
  if (!row) {
    const generation = cache?.snapshot();
    // One query answers both "who is this" and "may they provision" (401 vs 403).
    row = await db
      .selectFrom('scim_tokens as t')
      .leftJoin('scim_provisioning_configs as c', 'c.org_id', 't.org_id')
      .select(['t.id', 't.org_id', 't.name', 't.token_hash', 't.expires_at', 't.revoked_at', 't.last_used_at', 'c.enabled', 'c.sync_groups'])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    if (row && cache) cache.put(hash, row, generation!);
  }
  if (!row || row.revoked_at) return undefined;
  if (!timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  const now = Date.now();
  if (row.expires_at && row.expires_at.getTime() <= now) return undefined;
  if (!row.last_used_at || now - row.last_used_at.getTime() > 60_000) {
    row.last_used_at = new Date(now);
    await db.updateTable('scim_tokens').set({ last_used_at: new Date(now) }).where('id', '=', row.id).execute();
    // The Overview's "last request received", at the same once-a-minute grain.
    await db.updateTable('scim_provisioning_configs').set({ last_request_at: new Date(now) }).where('org_id', '=', row.org_id).execute();
  }
  return { orgId: row.org_id, tokenId: row.id, tokenName: row.name, enabled: row.enabled === true, syncGroups: row.sync_groups === true };
}

/**
 * Principals of recently verified tokens, for a database other processes may
 * write (PostgreSQL). A hint is never trusted on its own: a read that starts
 * from one carries a TokenCheck, and its own statement reads the token's
 * current state (tokenStateColumn), so the request costs one round trip
 * instead of two and a revocation still refuses the very next request. A hint
 * older than a minute is not used, so a full verification (which records
 * `last_used_at`) still happens at least once a minute per token.
 */
export class PrincipalHints {
  private readonly hints = new Map<string, { principal: TokenPrincipal; at: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(hash: string): TokenPrincipal | undefined {
    const h = this.hints.get(hash);
    return h && Date.now() - h.at < 60_000 ? h.principal : undefined;
  }

  set(hash: string, principal: TokenPrincipal): void {
    if (this.hints.size >= this.maxEntries) this.hints.clear();
    this.hints.set(hash, { principal, at: Date.now() });
  }

  delete(hash: string): void {
    this.hints.delete(hash);
  }
}

/** A token's current state as a read statement sees it (tokenStateColumn). */
export interface TokenState {
  /** Exists, not revoked, not expired. */
  valid: boolean;
  /** SCIM enabled for its org. */
  enabled: boolean;
}

/** Thrown when a statement found the presenting token refused; the HTTP layer answers it with a full verification. */
export class TokenRefusedError extends Error {}

/**
 * The check a read started from a PrincipalHint owes: the statement that reads
 * the data adds `column()` and hands the value to `settle()`. A read whose
 * statement returned no row (nothing found) leaves it unsettled, and the HTTP
 * layer verifies the token the ordinary way before answering.
 */
export class TokenCheck {
  settled = false;

  constructor(readonly hash: string) {}

  /** A sub-select giving the token's TokenState (null when no token has the hash). */
  column(): RawBuilder<TokenState | null> {
    return sql<TokenState | null>`(select jsonb_build_object('valid', t.revoked_at is null and (t.expires_at is null or t.expires_at > now()), 'enabled', coalesce(c.enabled, false))
      from scim_tokens t left join scim_provisioning_configs c on c.org_id = t.org_id where t.token_hash = ${this.hash})`;
  }

  /** @throws TokenRefusedError unless `state` says the token may read. */
  settle(state: TokenState | null | undefined): void {
    if (!state?.valid || !state.enabled) throw new TokenRefusedError();
    this.settled = true;
  }
}

/** Compares the operator credential in constant time (hashing both sides equalises lengths). */
export function isOperatorToken(presented: string, operatorToken: string): boolean {
  return sameSecret(presented, operatorToken);
}

/** Equal secrets, compared in constant time on their SHA-256 digests (equal lengths whatever was sent). */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(expected).digest());
}


/**
 * For a token `verifyToken` refused: the org and name of a token that exists but
 * is revoked or expired, so the refusal can appear in that org's activity log
 * ("401 after a revoke"). Undefined for a token that never existed.
 */
export async function describeRefusedToken(db: Kysely<Database>, presented: string): Promise<{ orgId: string; tokenId: string; tokenName: string; reason: 'revoked' | 'expired' } | undefined> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return undefined;
  const row = await db.selectFrom('scim_tokens').select(['id', 'org_id', 'name', 'revoked_at', 'expires_at']).where('token_hash', '=', hashToken(presented)).executeTakeFirst();
  if (!row) return undefined;
  return { orgId: row.org_id, tokenId: row.id, tokenName: row.name, reason: row.revoked_at ? 'revoked' : 'expired' };
}

/**
 * Regenerates a token: revokes it and issues a new secret under the same name
 * and expiry (an expiry already past is dropped, or the new secret would be born
 * dead). Run it in a transaction so both happen or neither.
 * @returns the new token (secret included, shown once), or undefined when the org
 * has no such active token.
 */
export async function regenerateToken(trx: Transaction<Database>, orgId: string, tokenId: string): Promise<(TokenInfo & { token: string }) | undefined> {
  if (!isUuid(tokenId)) return undefined;
  const old = await trx
    .updateTable('scim_tokens')
    .set({ revoked_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returning(['name', 'expires_at'])
    .executeTakeFirst();
  if (!old) return undefined;
  return issueToken(trx, orgId, old.name, old.expires_at && old.expires_at.getTime() > Date.now() ? old.expires_at : null);
}
