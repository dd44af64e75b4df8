/** Reads of the membership table shared by the SCIM and admin views of users. */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
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

/**
 * A correlated sub-select giving the groups of the user row aliased `alias` as
 * a JSON array of `{value, display}` (RFC 7643 §4.1.2), ordered like
 * `groupsOfUsers`, or null when the user is in no group; lets a read fetch a
 * user and its groups in one statement.
 */
export function groupsColumn(alias: 'u'): RawBuilder<{ value: string; display: string }[] | null> {
  const user = (c: string) => sql.ref(`${alias}.${c}`);
  return sql`(select jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name) order by g.display_name, g.id)
    from scim_group_members m join scim_groups g on g.id = m.group_id
    where m.org_id = ${user('org_id')} and m.user_id = ${user('id')})`;
}
