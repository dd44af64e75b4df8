/** Reads of the membership table shared by the SCIM and admin views of users. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/** One group a user belongs to. */
export interface UserGroup {
  id: string;
  displayName: string;
}

/**
 * The groups of several users in one query (no N+1 on list pages), each user's
 * groups ordered by display name (then id, for a stable order).
 */
export async function groupsOfUsers(db: Kysely<Database> | Transaction<Database>, orgId: string, userIds: string[]): Promise<Map<string, UserGroup[]>> {
  const out = new Map<string, UserGroup[]>();
  if (!userIds.length) return out;
  const rows = await db
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select(['m.user_id', 'g.id', 'g.display_name'])
    .where('m.org_id', '=', orgId)
    .where('m.user_id', 'in', userIds)
    .orderBy('g.display_name')
    .orderBy('g.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ id: r.id, displayName: r.display_name });
    out.set(r.user_id, list);
  }
  return out;
}
