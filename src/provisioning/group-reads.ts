/**
 * Groups as the org admin sees them (PRODUCT.md "Groups"): name, externalId,
 * member count, and the members page by page. A group's members are read by
 * keyset over the membership index `(group_id, created_at, user_id)`, so a page
 * of a 100,000-member group reads one page of index entries, never the group.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, RoleSource } from '../db/schema.js';
import { isUuid } from '../db/ids.js';
import { afterCursor, checkPageRequest, containsPattern, decodeCursor, encodeCursor, type Page, type PageRequest } from './admin-paging.js';

export const GROUP_SORTS = ['displayName', 'createdAt', 'updatedAt'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export interface GroupQuery extends PageRequest {
  /** Case-insensitive substring of displayName. */
  search?: string | undefined;
  sort: GroupSort;
  order: 'asc' | 'desc';
}

export interface GroupSummary {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupMember {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  active: boolean;
  role: string | null;
  roleSource: RoleSource['kind'] | null;
  /** When the member joined the group. */
  addedAt: Date;
}

/** No group with that id in the org (404). */
export class GroupNotFoundError extends Error {}

function sortKey(sort: GroupSort): { key: RawBuilder<unknown>; type: 'text' | 'timestamptz' } {
  switch (sort) {
    case 'displayName':
      return { key: sql`lower(g.display_name)`, type: 'text' };
    case 'createdAt':
      return { key: sql`g.created_at`, type: 'timestamptz' };
    case 'updatedAt':
      return { key: sql`g.updated_at`, type: 'timestamptz' };
  }
}

/** Member counts of several groups: one grouped count over the membership index. */
async function memberCounts(db: Kysely<Database>, orgId: string, groupIds: string[]): Promise<Map<string, number>> {
  if (!groupIds.length) return new Map();
  const rows = await db
    .selectFrom('scim_group_members')
    .select(['group_id', sql<string>`count(*)`.as('n')])
    .where('org_id', '=', orgId)
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
}

/** Lists an org's groups. @throws BadCursorError. */
export async function listGroupSummaries(db: Kysely<Database>, orgId: string, q: GroupQuery): Promise<Page<GroupSummary>> {
  checkPageRequest(q);
  const { key, type } = sortKey(q.sort);
  let base = db.selectFrom('scim_groups as g').where('g.org_id', '=', orgId);
  if (q.search !== undefined && q.search.trim() !== '') base = base.where(sql<boolean>`g.display_name ilike ${containsPattern(q.search.trim())}`);
  const total = Number((await base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  let page = base.select(['g.id', 'g.seq', 'g.display_name', 'g.external_id', 'g.created_at', 'g.updated_at', sql<string>`cast(${key} as text)`.as('sort_key')]);
  if (q.cursor !== undefined) page = page.where(afterCursor(key, sql`g.seq`, decodeCursor(q.cursor, q.sort, q.order), type, 'bigint'));
  const dir = q.order === 'asc' ? sql`asc` : sql`desc`;
  page = page.orderBy(sql`${key} ${dir}`).orderBy(sql`g.seq ${dir}`);
  if (q.page !== undefined) page = page.offset((q.page - 1) * q.limit);
  const rows = await page.limit(q.limit + 1).execute();
  const more = rows.length > q.limit;
  const shown = rows.slice(0, q.limit);
  const counts = await memberCounts(db, orgId, shown.map((r) => r.id));
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => ({ id: r.id, displayName: r.display_name, externalId: r.external_id, memberCount: counts.get(r.id) ?? 0, createdAt: r.created_at, updatedAt: r.updated_at })),
    total,
    limit: q.limit,
    nextCursor: more && last ? encodeCursor({ s: q.sort, o: q.order, k: last.sort_key, t: String(last.seq) }) : null,
    ...(q.page !== undefined ? { page: q.page } : {}),
  };
}

/** One group. @throws GroupNotFoundError (also for another org's id). */
export async function getGroupSummary(db: Kysely<Database>, orgId: string, id: string): Promise<GroupSummary> {
  if (!isUuid(id)) throw new GroupNotFoundError(`No group ${id} in this organisation`);
  const r = await db.selectFrom('scim_groups').select(['id', 'display_name', 'external_id', 'created_at', 'updated_at']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!r) throw new GroupNotFoundError(`No group ${id} in this organisation`);
  const counts = await memberCounts(db, orgId, [r.id]);
  return { id: r.id, displayName: r.display_name, externalId: r.external_id, memberCount: counts.get(r.id) ?? 0, createdAt: r.created_at, updatedAt: r.updated_at };
}

/**
 * The query for one page of a group's members: a range read of the membership
 * index `(group_id, created_at, user_id)` after the cursor, joined to the page's
 * users only. Exposed so a test can check its plan.
 */
export function groupMembersPageQuery(db: Kysely<Database>, orgId: string, groupId: string, q: { limit: number; cursor?: string | undefined }) {
  let page = db
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.user_name', 'u.display_name', 'u.email', 'u.active', 'u.app_role', 'u.app_role_source', 'm.created_at', sql<string>`cast(m.created_at as text)`.as('sort_key')])
    .where('m.group_id', '=', groupId)
    .where('m.org_id', '=', orgId);
  if (q.cursor !== undefined) page = page.where(afterCursor(sql`m.created_at`, sql`m.user_id`, decodeCursor(q.cursor, 'joined', 'asc'), 'timestamptz', 'uuid'));
  return page.orderBy('m.created_at').orderBy('m.user_id').limit(q.limit + 1);
}

/**
 * One page of a group's members, in the order they joined (ties by member id).
 * `total` is the group's member count.
 * @throws GroupNotFoundError, BadCursorError.
 */
export async function listGroupMembers(db: Kysely<Database>, orgId: string, groupId: string, q: { limit: number; cursor?: string | undefined }): Promise<Page<GroupMember>> {
  const group = await getGroupSummary(db, orgId, groupId);
  const rows = await groupMembersPageQuery(db, orgId, group.id, q).execute();
  const more = rows.length > q.limit;
  const shown = rows.slice(0, q.limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => ({
      id: r.id,
      userName: r.user_name,
      displayName: r.display_name,
      email: r.email,
      active: r.active,
      role: r.app_role,
      roleSource: r.app_role_source?.kind ?? null,
      addedAt: r.created_at,
    })),
    total: group.memberCount,
    limit: q.limit,
    nextCursor: more && last ? encodeCursor({ s: 'joined', o: 'asc', k: last.sort_key, t: last.id }) : null,
  };
}
