/**
 * An org's app roles: the names role mappings, the default role and members'
 * app roles point at (foreign keys, migration 0005). Every org starts with
 * `admin`, `member` and `viewer`; an admin can add and rename roles. Names are
 * unique per org regardless of letter case, and a reference given in another
 * case is stored in the role's own spelling.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { recordAdminAction } from '../activity/admin-actions.js';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/errors.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The roles every new org gets. */
export const DEFAULT_ROLES = ['admin', 'member', 'viewer'] as const;

export interface OrgRole {
  name: string;
  createdAt: Date;
  /** The org's SCIM default role (resolution step 4). */
  isDefault: boolean;
  /** Role mappings that point at it. */
  mappingCount: number;
  /** Members that have it. */
  memberCount: number;
}

/** A reference (mapping, default role, manual role) names no role of the org: the caller's 400. */
export class UnknownRoleError extends Error {}
/** A role with that name (in any letter case) exists: 409. */
export class RoleExistsError extends Error {}
/** The role to change does not exist: 404. */
export class RoleNotFoundError extends Error {}
/** A role name that cannot be used: 400. */
export class InvalidRoleNameError extends Error {}

/** Longest role name, characters. */
export const MAX_ROLE_NAME = 100;

/**
 * Checks and trims a new role name: 1–100 characters, no control, format or
 * invisible characters (a role name must read as what it is).
 * @throws InvalidRoleNameError
 */
export function checkRoleName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new InvalidRoleNameError('name: must not be empty');
  if ([...name].length > MAX_ROLE_NAME) throw new InvalidRoleNameError(`name: at most ${MAX_ROLE_NAME} characters`);
  const bad = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u.exec(name);
  if (bad) throw new InvalidRoleNameError(`name: must not contain control or invisible characters (found U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
  return name;
}

/** Creates the default roles of a new org, in the org's creating transaction. */
export async function createDefaultRoles(trx: Db, orgId: string): Promise<void> {
  await trx.insertInto('org_roles').values(DEFAULT_ROLES.map((name) => ({ org_id: orgId, name }))).execute();
}

/** The org's role names, oldest first (the defaults alphabetically). */
export async function roleNames(db: Db, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom('org_roles').select('name').where('org_id', '=', orgId).orderBy('created_at').orderBy(sql`lower(name)`).orderBy('name').execute();
  return rows.map((r) => r.name);
}

/**
 * The org's role named `name` in any letter case, in its own spelling; the row
 * is share-locked until the transaction ends, so a concurrent rename waits for
 * the reference being written (and then carries it along).
 * @throws UnknownRoleError naming the org's roles.
 */
export async function requireRole(db: Db, orgId: string, name: string): Promise<string> {
  const row = await db
    .selectFrom('org_roles')
    .select('name')
    .where('org_id', '=', orgId)
    .where(sql`lower(name)`, '=', sql`lower(${name.trim()})`)
    .forShare()
    .executeTakeFirst();
  if (row) return row.name;
  const names = await roleNames(db, orgId);
  throw new UnknownRoleError(
    `There is no role "${name.trim()}" in this organisation; its roles are ${names.map((n) => `"${n}"`).join(', ') || 'none'}. Create the role first (POST …/roles).`,
  );
}

/** Lists the org's roles, oldest first, with how many mappings and members use each. */
export async function listRoles(db: Db, orgId: string): Promise<OrgRole[]> {
  const rows = await db
    .selectFrom('org_roles as r')
    .leftJoin('scim_provisioning_configs as c', 'c.org_id', 'r.org_id')
    .select([
      'r.name',
      'r.created_at',
      'c.default_role',
      (eb) => eb.selectFrom('role_mappings as m').select(sql<string>`count(*)`.as('n')).whereRef('m.org_id', '=', 'r.org_id').whereRef('m.role', '=', 'r.name').as('mappings'),
      (eb) => eb.selectFrom('scim_users as u').select(sql<string>`count(*)`.as('n')).whereRef('u.org_id', '=', 'r.org_id').whereRef('u.app_role', '=', 'r.name').as('members'),
    ])
    .where('r.org_id', '=', orgId)
    .orderBy('r.created_at')
    .orderBy(sql`lower(r.name)`)
    .orderBy('r.name')
    .execute();
  return rows.map((r) => ({
    name: r.name,
    createdAt: r.created_at,
    isDefault: r.default_role === r.name,
    mappingCount: Number(r.mappings ?? 0),
    memberCount: Number(r.members ?? 0),
  }));
}

async function getRole(db: Db, orgId: string, name: string): Promise<OrgRole> {
  const role = (await listRoles(db, orgId)).find((r) => r.name === name);
  if (!role) throw new RoleNotFoundError(`There is no role "${name}" in this organisation`);
  return role;
}

/**
 * Adds a role and records the admin action.
 * @throws InvalidRoleNameError, RoleExistsError (also when only the letter case differs).
 */
export async function createRole(db: Kysely<Database>, orgId: string, rawName: string, actor: string): Promise<OrgRole> {
  const name = checkRoleName(rawName);
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('org_roles').select('name').where('org_id', '=', orgId).where(sql`lower(name)`, '=', sql`lower(${name})`).executeTakeFirst();
      if (existing) throw new RoleExistsError(`A role "${existing.name}" already exists${existing.name === name ? '' : ` (role names are compared ignoring letter case)`}`);
      await trx.insertInto('org_roles').values({ org_id: orgId, name }).execute();
      await recordAdminAction(trx, { orgId, actor, action: 'role.create', targetType: 'role', targetName: name, details: { name } });
      return getRole(trx, orgId, name);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new RoleExistsError(`A role "${name}" already exists (role names are compared ignoring letter case)`);
    throw err;
  }
}

/** What a rename changed. */
export interface RenameResult {
  role: OrgRole;
  from: string;
  mappingsUpdated: number;
  membersUpdated: number;
  defaultRoleUpdated: boolean;
}

/**
 * Renames a role everywhere in one transaction: the role, the mappings that
 * point at it, the org's default role and members' app roles (the foreign keys
 * cascade). Renaming to another letter case of the same name is allowed.
 * @param from the current name, in any letter case.
 * @throws RoleNotFoundError, InvalidRoleNameError, RoleExistsError.
 */
export async function renameRole(db: Kysely<Database>, orgId: string, from: string, rawTo: string, actor: string): Promise<RenameResult> {
  const to = checkRoleName(rawTo);
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('org_roles').select('name').where('org_id', '=', orgId).where(sql`lower(name)`, '=', sql`lower(${from.trim()})`).forUpdate().executeTakeFirst();
      if (!current) throw new RoleNotFoundError(`There is no role "${from}" in this organisation`);
      const old = current.name;
      const before = await getRole(trx, orgId, old);
      if (to === old) return { role: before, from: old, mappingsUpdated: 0, membersUpdated: 0, defaultRoleUpdated: false };
      const clash = await trx
        .selectFrom('org_roles')
        .select('name')
        .where('org_id', '=', orgId)
        .where('name', '<>', old)
        .where(sql`lower(name)`, '=', sql`lower(${to})`)
        .executeTakeFirst();
      if (clash) throw new RoleExistsError(`Cannot rename "${old}" to "${to}": a role "${clash.name}" already exists${clash.name === to ? '' : ' (role names are compared ignoring letter case)'}`);
      // ON UPDATE CASCADE carries role_mappings.role, scim_provisioning_configs.default_role and scim_users.app_role along.
      await trx.updateTable('org_roles').set({ name: to }).where('org_id', '=', orgId).where('name', '=', old).execute();
      const role = await getRole(trx, orgId, to);
      const result = { role, from: old, mappingsUpdated: before.mappingCount, membersUpdated: before.memberCount, defaultRoleUpdated: before.isDefault };
      await recordAdminAction(trx, {
        orgId,
        actor,
        action: 'role.rename',
        targetType: 'role',
        targetName: to,
        details: { from: old, to, mappingsUpdated: result.mappingsUpdated, membersUpdated: result.membersUpdated, defaultRoleUpdated: result.defaultRoleUpdated },
      });
      return result;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new RoleExistsError(`Cannot rename "${from}" to "${to}": a role with that name already exists`);
    throw err;
  }
}
