/**
 * Recording admin actions (settings changes, token generate/revoke, mapping
 * edits, manual role changes) in the activity log, with who did them. Call it
 * with the transaction that makes the change, so the record and the change
 * commit together.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { activityTime } from './clock.js';

export interface AdminAction {
  orgId: string;
  /** `operator` or the admin's email. */
  actor: string;
  /** A dotted name, e.g. `scim.settings.update`, `token.create`, `token.revoke`, `role-mapping.create`, `member.role.update`. */
  action: string;
  targetType?: string;
  targetId?: string;
  targetName?: string;
  /** What changed, never secrets (no token values, no passwords). */
  details?: Record<string, unknown>;
}

/** Inserts one admin-action row (status 200). */
export async function recordAdminAction(db: Kysely<Database> | Transaction<Database>, a: AdminAction): Promise<void> {
  await db
    .insertInto('activity')
    .values({
      at: activityTime(),
      org_id: a.orgId,
      source: 'admin',
      actor: a.actor,
      operation: a.action,
      target_type: a.targetType ?? null,
      target_id: a.targetId ?? null,
      target_name: a.targetName ?? null,
      status: 200,
      diff: a.details ? JSON.stringify({ details: a.details }) : null,
    })
    .execute();
}
