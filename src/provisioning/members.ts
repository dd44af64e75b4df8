/**
 * Members as the org admin sees them (PRODUCT.md "Members"): the provisioned
 * users of one org with name, userName, primary email, active state, app role
 * and where it came from, and groups; searchable, sortable, paged. Also a
 * member's role explanation and the manual role an admin may set.
 *
 * A manual role (`app_role_source.kind = 'manual'`) survives IdP updates that
 * leave `roles` as they were; an update that changes `roles` resolves the role
 * again and replaces it (users.ts `writeRow`). Setting it does not change the
 * SCIM resource (the app role is not a SCIM attribute): no new version, and the
 * IdP sees nothing.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { recordAdminAction } from '../activity/admin-actions.js';
import type { Database, RoleSource, ScimUsersTable } from '../db/schema.js';
import { listRoleMappings, normalizeRoleValue } from '../tenants/role-mappings.js';
import { requireRole } from '../tenants/roles.js';
import { getScimSettings } from '../tenants/scim-config.js';
import { isUuid } from '../db/ids.js';
import { afterCursor, checkPageRequest, containsPattern, decodeCursor, encodeCursor, type Page, type PageRequest } from './admin-paging.js';
import { groupsOfUsers } from './memberships.js';
import { explainRole, type RoleExplanation } from './role-explanation.js';
import { resolveRole } from './role-resolution.js';

type Db = Kysely<Database> | Transaction<Database>;
type UserRow = Selectable<ScimUsersTable>;

export const MEMBER_SORTS = ['userName', 'name', 'email', 'role', 'createdAt', 'updatedAt'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

export interface MemberQuery extends PageRequest {
  /** Case-insensitive substring of userName, name (formatted, given or family), displayName or email. */
  search?: string | undefined;
  sort: MemberSort;
  order: 'asc' | 'desc';
  active?: boolean | undefined;
  /** App role name, any letter case. */
  role?: string | undefined;
}

export interface Member {
  id: string;
  userName: string;
  /** Given and family name joined, else `name.formatted`; null when the record has none. */
  name: string | null;
  displayName: string | null;
  /** The primary (else first) email. */
  email: string | null;
  active: boolean;
  role: string | null;
  /** mapping, default, none or manual; null for a record never resolved. */
  roleSource: RoleSource['kind'] | null;
  groups: { id: string; displayName: string }[];
  createdAt: Date;
  updatedAt: Date;
}

/** No member with that id in the org (404). */
export class MemberNotFoundError extends Error {}

/**
 * `name` of a stored document: "given family", else `name.formatted`. The parts
 * come first because IdPs update them without touching `formatted` (Entra maps
 * givenName and surname, not formatted), which left a renamed member under the
 * old name in the list (fresh-admin session).
 */
const NAME_SQL = sql<string | null>`coalesce(nullif(btrim(concat_ws(' ', u.doc #>> '{name,givenName}', u.doc #>> '{name,familyName}')), ''), nullif(btrim(u.doc #>> '{name,formatted}'), ''))`;

function sortKey(sort: MemberSort): { key: RawBuilder<unknown>; type: 'text' | 'timestamptz' } {
  switch (sort) {
    case 'userName':
      return { key: sql`lower(u.user_name)`, type: 'text' };
    case 'name':
      return { key: sql`lower(coalesce(${NAME_SQL}, ''))`, type: 'text' };
    case 'email':
      return { key: sql`lower(coalesce(u.email, ''))`, type: 'text' };
    case 'role':
      return { key: sql`lower(coalesce(u.app_role, ''))`, type: 'text' };
    case 'createdAt':
      return { key: sql`u.created_at`, type: 'timestamptz' };
    case 'updatedAt':
      return { key: sql`u.updated_at`, type: 'timestamptz' };
  }
}


const toMember = (r: UserRow & { name: string | null }, groups: { id: string; displayName: string }[]): Member => ({
  id: r.id,
  userName: r.user_name,
  name: r.name,
  displayName: r.display_name,
  email: r.email,
  active: r.active,
  role: r.app_role,
  roleSource: r.app_role_source?.kind ?? null,
  groups,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Lists an org's members.
 * @throws BadCursorError for a foreign cursor, a cursor of another sort, or both cursor and page.
 */
export async function listMembers(db: Kysely<Database>, orgId: string, q: MemberQuery): Promise<Page<Member>> {
  checkPageRequest(q);
  const { key, type } = sortKey(q.sort);
  let base = db.selectFrom('scim_users as u').where('u.org_id', '=', orgId);
  if (q.search !== undefined && q.search.trim() !== '') {
    const p = containsPattern(q.search.trim());
    base = base.where(sql<boolean>`(u.user_name ilike ${p} or u.email ilike ${p} or u.display_name ilike ${p} or ${NAME_SQL} ilike ${p})`);
  }
  if (q.active !== undefined) base = base.where('u.active', '=', q.active);
  if (q.role !== undefined) base = base.where(sql<boolean>`lower(u.app_role) = lower(${q.role.trim()})`);
  const total = Number((await base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  let page = base.selectAll('u').select([NAME_SQL.as('name'), sql<string>`cast(${key} as text)`.as('sort_key')]);
  if (q.cursor !== undefined) page = page.where(afterCursor(key, sql`u.seq`, decodeCursor(q.cursor, q.sort, q.order), type, 'bigint'));
  const dir = q.order === 'asc' ? sql`asc` : sql`desc`;
  page = page.orderBy(sql`${key} ${dir}`).orderBy(sql`u.seq ${dir}`);
  if (q.page !== undefined) page = page.offset((q.page - 1) * q.limit);
  const rows = await page.limit(q.limit + 1).execute();
  const more = rows.length > q.limit;
  const shown = rows.slice(0, q.limit);
  const groups = await groupsOfUsers(db, orgId, shown.map((r) => r.id));
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => toMember(r, groups.get(r.id) ?? [])),
    total,
    limit: q.limit,
    nextCursor: more && last ? encodeCursor({ s: q.sort, o: q.order, k: last.sort_key, t: String(last.seq) }) : null,
    ...(q.page !== undefined ? { page: q.page } : {}),
  };
}

async function loadRow(db: Db, orgId: string, id: string, forUpdate = false): Promise<UserRow & { name: string | null }> {
  if (!isUuid(id)) throw new MemberNotFoundError(`No member ${id} in this organisation`);
  let q = db.selectFrom('scim_users as u').selectAll('u').select(NAME_SQL.as('name')).where('u.org_id', '=', orgId).where('u.id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new MemberNotFoundError(`No member ${id} in this organisation`);
  return row;
}

/** One member, with the stored role source in full. @throws MemberNotFoundError (also for another org's id). */
export async function getMember(db: Db, orgId: string, id: string): Promise<Member & { roleSourceDetail: RoleSource | null }> {
  const row = await loadRow(db, orgId, id);
  const groups = await groupsOfUsers(db, orgId, [row.id]);
  return { ...toMember(row, groups.get(row.id) ?? []), roleSourceDetail: row.app_role_source };
}

/** The mappings and default role resolution uses now. */
async function roleSettings(db: Db, orgId: string) {
  const [mappings, settings] = await Promise.all([listRoleMappings(db, orgId), getScimSettings(db, orgId)]);
  return { mappings, defaultRole: settings.defaultRole };
}

/** Why the member has its role. @throws MemberNotFoundError. */
export async function explainMemberRole(db: Db, orgId: string, id: string): Promise<RoleExplanation & { memberId: string; userName: string }> {
  const row = await loadRow(db, orgId, id);
  const { mappings, defaultRole } = await roleSettings(db, orgId);
  return {
    memberId: row.id,
    userName: row.user_name,
    ...explainRole({ roles: (row.doc as Record<string, unknown>).roles, mappings, defaultRole, stored: { role: row.app_role, source: row.app_role_source } }),
  };
}

/**
 * Sets a member's app role by hand (source `manual`), or with `null` hands it
 * back to automatic resolution at once (current mappings and default role).
 * Recorded as the admin action `member.role.update`.
 * @throws MemberNotFoundError; UnknownRoleError when the role does not exist.
 */
export async function setMemberRole(db: Kysely<Database>, orgId: string, id: string, role: string | null, actor: string): Promise<Member & { roleSourceDetail: RoleSource | null }> {
  return db.transaction().execute(async (trx) => {
    const before = await loadRow(trx, orgId, id, true);
    let next: { role: string | null; source: RoleSource };
    if (role !== null) {
      next = { role: await requireRole(trx, orgId, role), source: { kind: 'manual', setBy: actor, setAt: new Date().toISOString() } };
    } else {
      const { mappings, defaultRole } = await roleSettings(trx, orgId);
      next = resolveRole((before.doc as Record<string, unknown>).roles, new Map(mappings.map((m) => [normalizeRoleValue(m.idpRoleValue), m.role])), defaultRole);
    }
    await trx
      .updateTable('scim_users')
      .set({ app_role: next.role, app_role_source: JSON.stringify(next.source) })
      .where('org_id', '=', orgId)
      .where('id', '=', before.id)
      .execute();
    await recordAdminAction(trx, {
      orgId,
      actor,
      action: 'member.role.update',
      targetType: 'member',
      targetId: before.id,
      targetName: before.user_name,
      details: { before: { role: before.app_role, source: before.app_role_source?.kind ?? null }, after: { role: next.role, source: next.source.kind } },
    });
    return getMember(trx, orgId, id);
  });
}
