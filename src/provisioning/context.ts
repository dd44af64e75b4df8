/** What every provisioning use case needs: the database, the caller's org and URLs. */
import type { Kysely, Transaction } from 'kysely';
import { isForeignKeyViolation, isRetryableConflict } from '../db/errors.js';
import type { ScimOperation } from '../activity/diff.js';
import { invalidValue, mutability, ScimError } from '../scim/errors.js';
import type { ActivityDiff, Database } from '../db/schema.js';
import type { TokenCheck } from '../tenants/tokens.js';
import type { RequestLimits } from '../scim/limits.js';

export interface ScimContext {
  db: Kysely<Database>;
  /** The org the bearer token belongs to; every query filters on it. */
  orgId: string;
  /** The SCIM base URL as the client sees it, e.g. `https://scim.example.com/scim/v2` (for `meta.location`). */
  baseUrl: string;
  /** Largest page a list answers (RFC 7644 §3.4.2.4). */
  maxPageSize: number;
  /** Filter, PATCH and member limits (src/scim/limits.ts); DEFAULT_REQUEST_LIMITS when absent. */
  limits?: Readonly<RequestLimits> | undefined;
  /**
   * Records a change in the activity log, called inside the change's own
   * transaction so the record and the change commit (or roll back) together.
   */
  recordChange?: RecordChange;
  /**
   * Set when the caller's token was not verified yet (a read started from a
   * PrincipalHint): the read's statement must carry `tokenCheck.column()` and
   * settle it before anything is answered (src/tenants/tokens.ts).
   */
  tokenCheck?: TokenCheck | undefined;
}

/** What a write changed, for the activity log. */
export interface ChangeRecord {
  operation: ScimOperation;
  targetType: 'User' | 'Group';
  targetId: string;
  targetName: string | null;
  diff?: ActivityDiff;
}

export type RecordChange = (trx: Transaction<Database>, change: ChangeRecord) => Promise<void>;

/** `meta.version` / ETag of a stored version number (RFC 7644 §3.14): a weak validator. */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * Checks an `If-Match` precondition (RFC 7644 §3.14, RFC 9110 §13.1.1).
 * @returns true when absent, `*`, or one of the listed tags equals `current` (weak comparison).
 */
export function ifMatchHolds(ifMatch: string | undefined, current: string): boolean {
  if (!ifMatch) return true;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifMatch.split(',').some((t) => t.trim() === '*' || strip(t) === strip(current));
}

/**
 * PUT keeps a stored `externalId` the body omits. RFC 7644 §3.5.1 lets a server
 * clear omitted attributes, but `externalId` belongs to the client that set it,
 * other IdPs match on it, and Okta's PUT echoes a GET without it (Okta SCIM docs,
 * "Update a specific user (PUT)").
 */
export function keepExternalId(next: Record<string, unknown>, before: Record<string, unknown>): void {
  if (next.externalId === undefined && before.externalId !== undefined) next.externalId = before.externalId;
}

/**
 * The precondition of a write sent as `If-None-Match: *` ("only if it does not
 * exist", RFC 9110 §13.1.2), which an existing resource always fails. Passed
 * where an If-Match value goes, so every write checks it the same way and its
 * 412 names the header the client sent.
 */
export const IF_NONE_MATCH_ANY = 'If-None-Match: *';

/**
 * Enforces an `If-Match` precondition on a write (RFC 7644 §3.14), or
 * `IF_NONE_MATCH_ANY`.
 * @throws ScimError 412 naming the current version when the client's is stale,
 *   or saying the resource exists for `IF_NONE_MATCH_ANY`.
 */
export function requireVersion(resourceType: 'User' | 'Group', id: string, version: number, ifMatch: string | undefined): void {
  if (ifMatch === IF_NONE_MATCH_ANY) {
    throw new ScimError(412, undefined, `${resourceType} ${id} exists (version ${etagOf(version)}); the request's If-None-Match: * allows the write only when it does not`);
  }
  const current = etagOf(version);
  if (!ifMatchHolds(ifMatch, current)) {
    throw new ScimError(412, undefined, `${resourceType} ${id} has changed: its version is ${current}, the request's If-Match is ${ifMatch}`);
  }
}

/** Longest value of an indexed attribute (userName, externalId, displayName, primary email), characters. */
export const MAX_INDEXED_LENGTH = 1024;

/**
 * Refuses an over-long value of an attribute that is copied into an indexed
 * column (a btree entry must fit in a page; real IdP values are far shorter).
 * @throws ScimError 400 invalidValue naming the attribute.
 */
export function requireIndexable(columns: Record<string, string | null>): void {
  for (const [attribute, value] of Object.entries(columns)) {
    if (value !== null && value.length > MAX_INDEXED_LENGTH) {
      throw invalidValue(`"${attribute}" is ${value.length} characters long; at most ${MAX_INDEXED_LENGTH} are accepted`);
    }
  }
}

/**
 * PUT may echo the resource's `id` (Okta does) but not change it (RFC 7643 §3.1:
 * `id` is readOnly).
 * @throws ScimError 400 mutability when the body names another id.
 */
export function requireSameId(body: unknown, id: string): void {
  const bodyId = body && typeof body === 'object' ? (body as { id?: unknown }).id : undefined;
  if (typeof bodyId === 'string' && bodyId.toLowerCase() !== id.toLowerCase()) throw mutability(`"id" is read-only: the body says ${bodyId}, the URL ${id}`);
}

/** Attempts a write gets (the first and the retries) when deadlocks or serialization failures keep hitting it. */
export const WRITE_ATTEMPTS = 6;

/**
 * Runs a write in a transaction, again after a foreign-key refusal (once) or a
 * deadlock / serialization failure (up to WRITE_ATTEMPTS in all, after a short
 * random pause that grows with each attempt, so the writers that collided do
 * not collide again in step). Both errors mean a concurrent write changed what
 * this one read: an app role renamed between resolution and insert (role names
 * are foreign keys with ON UPDATE CASCADE), a member deleted between its check
 * and the membership insert, two membership changes or a user delete locking
 * users and groups in another order. Run again, the write sees the settled
 * state. One retry was not enough: 40 PATCHes of one group with shared members
 * on PostgreSQL deadlocked twice in a row and answered 500 (issue 6,
 * test/http/concurrency.test.ts).
 * @throws whatever `work` throws, and the last deadlock when every attempt hit one.
 */
export async function writeTransaction<T>(ctx: ScimContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  let foreignKeyRetried = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction().execute(work);
    } catch (err) {
      const conflict = isRetryableConflict(err);
      if (conflict ? attempt >= WRITE_ATTEMPTS : !isForeignKeyViolation(err) || foreignKeyRetried) throw err;
      if (!conflict) foreignKeyRetried = true;
      else await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
