/**
 * Recording SCIM requests in the activity log. A write records itself inside
 * its own transaction (`ScimContext.recordChange`), so the row exists exactly
 * when the change does; everything else (reads, refusals, errors, no-op
 * writes) is recorded once the answer is sent.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ActivityDiff, Database } from '../db/schema.js';
import type { ScimOperation } from './diff.js';

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

/** Inserts one SCIM activity row with `db` (a transaction for writes). */
export async function insertScimActivity(db: Kysely<Database> | Transaction<Database>, a: ScimActivity): Promise<void> {
  a = { ...a, path: storable(a.path), targetId: storable(a.targetId), targetName: storable(a.targetName), detail: storable(a.detail) };
  await db
    .insertInto('activity')
    .values({
      org_id: a.orgId,
      source: 'scim',
      actor: a.tokenName,
      token_id: a.tokenId,
      method: a.method,
      path: a.path.length > MAX_PATH ? a.path.slice(0, MAX_PATH) + '…' : a.path,
      operation: a.operation,
      target_type: a.targetType ?? null,
      target_id: a.targetId ?? null,
      target_name: a.targetName ?? null,
      status: a.status,
      scim_type: a.scimType ?? null,
      detail: a.detail ?? null,
      duration_ms: a.durationMs == null ? null : Math.round(a.durationMs),
      diff: a.diff ? JSON.stringify(a.diff) : null,
    })
    .execute();
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
