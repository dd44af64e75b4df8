/**
 * An org's SCIM provisioning settings (`scim_provisioning_configs`, one row per
 * org, created by the first enable as the reference document's Step 1 describes).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export interface ScimSettings {
  enabled: boolean;
  syncGroups: boolean;
  defaultRole: string | null;
}

/** Settings of an org that never enabled SCIM: no row yet. */
const NEVER_ENABLED: ScimSettings = { enabled: false, syncGroups: false, defaultRole: null };

/** Reads an org's settings; an org without a row reads as disabled. */
export async function getScimSettings(db: Kysely<Database> | Transaction<Database>, orgId: string): Promise<ScimSettings> {
  const row = await db
    .selectFrom('scim_provisioning_configs')
    .select(['enabled', 'sync_groups', 'default_role'])
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row ? { enabled: row.enabled, syncGroups: row.sync_groups, defaultRole: row.default_role } : { ...NEVER_ENABLED };
}

/**
 * Applies a partial change; the row is created on first write (upsert, so two
 * concurrent first enables cannot collide).
 */
export async function updateScimSettings(db: Kysely<Database> | Transaction<Database>, orgId: string, change: Partial<ScimSettings>): Promise<ScimSettings> {
  const current = await getScimSettings(db, orgId);
  const next = { ...current, ...change };
  await db
    .insertInto('scim_provisioning_configs')
    .values({ org_id: orgId, enabled: next.enabled, sync_groups: next.syncGroups, default_role: next.defaultRole, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({
        ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
        ...(change.syncGroups !== undefined ? { sync_groups: change.syncGroups } : {}),
        ...(change.defaultRole !== undefined ? { default_role: change.defaultRole } : {}),
        updated_at: new Date(),
      }),
    )
    .execute();
  return getScimSettings(db, orgId);
}
