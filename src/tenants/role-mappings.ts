/**
 * Role mappings: `idpRoleValue → app role`, per org. The IdP value is stored
 * normalised (trimmed, lower-cased) because role resolution compares normalised
 * labels (PRODUCT.md "Role resolution", step 2); two values that are equal after
 * that are one mapping, and a second one is refused naming both. The role must
 * be one of the org's roles (src/tenants/roles.ts). Every change is recorded as
 * an admin action in its own transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAdminAction } from '../activity/admin-actions.js';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/errors.js';
import { isUuid } from '../db/ids.js';
import { requireRole } from './roles.js';

type Db = Kysely<Database> | Transaction<Database>;

/** A mapping as the admin API shows it. */
export interface RoleMapping {
  id: string;
  /** The IdP value as stored: trimmed and lower-cased. */
  idpRoleValue: string;
  /** The same as `idpRoleValue`: what resolution compares the normalised received value with. */
  normalizedValue: string;
  role: string;
}

/** A mapping as written: the IdP value in any spelling, the role in any letter case. */
export interface RoleMappingInput {
  idpRoleValue: string;
  role: string;
}

/** PRODUCT.md role resolution step 2: trim and lower-case. */
export const normalizeRoleValue = (value: string): string => value.trim().toLowerCase();

/** Thrown when two mappings collide after normalisation (409). */
export class MappingCollisionError extends Error {}
/** No mapping with that id in the org (404). */
export class MappingNotFoundError extends Error {}
/** An IdP value that is blank after trimming (400). */
export class InvalidMappingError extends Error {}

const toMapping = (r: { id: string; idp_role_value: string; role: string }): RoleMapping => ({
  id: r.id,
  idpRoleValue: r.idp_role_value,
  normalizedValue: r.idp_role_value,
  role: r.role,
});

/** Lists an org's mappings, ordered by IdP value. */
export async function listRoleMappings(db: Db, orgId: string): Promise<RoleMapping[]> {
  const rows = await db.selectFrom('role_mappings').select(['id', 'idp_role_value', 'role']).where('org_id', '=', orgId).orderBy('idp_role_value').execute();
  return rows.map(toMapping);
}

function normalized(raw: string): string {
  const key = normalizeRoleValue(raw);
  if (!key) throw new InvalidMappingError('idpRoleValue: must not be blank');
  return key;
}

const collision = (raw: string, existing: { idp_role_value: string; role: string }) =>
  new MappingCollisionError(
    `"${raw}" collides with the existing mapping "${existing.idp_role_value}" (→ ${existing.role}): both are "${existing.idp_role_value}" after trimming and lower-casing`,
  );

async function findByValue(db: Db, orgId: string, key: string) {
  return db.selectFrom('role_mappings').select(['id', 'idp_role_value', 'role']).where('org_id', '=', orgId).where('idp_role_value', '=', key).executeTakeFirst();
}

async function findById(db: Db, orgId: string, id: string, forUpdate = false) {
  if (!isUuid(id)) return undefined;
  let q = db.selectFrom('role_mappings').select(['id', 'idp_role_value', 'role']).where('org_id', '=', orgId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Replaces all of an org's mappings in one transaction. Mappings whose
 * normalised value stays keep their id.
 * @throws MappingCollisionError when two entries normalise to the same value;
 * UnknownRoleError when a role does not exist; InvalidMappingError.
 */
export async function replaceRoleMappings(db: Kysely<Database>, orgId: string, mappings: RoleMappingInput[], actor: string): Promise<RoleMapping[]> {
  const seen = new Map<string, string>();
  for (const m of mappings) {
    const key = normalized(m.idpRoleValue);
    if (seen.has(key)) throw new MappingCollisionError(`"${m.idpRoleValue}" and "${seen.get(key)}" are the same IdP role value after trimming and lower-casing ("${key}")`);
    seen.set(key, m.idpRoleValue);
  }
  return db.transaction().execute(async (trx) => {
    const roles = new Map<string, string>();
    for (const m of mappings) {
      const k = m.role.trim().toLowerCase();
      if (!roles.has(k)) roles.set(k, await requireRole(trx, orgId, m.role));
    }
    const before = await listRoleMappings(trx, orgId);
    const wanted = mappings.map((m) => ({ key: normalizeRoleValue(m.idpRoleValue), role: roles.get(m.role.trim().toLowerCase())! }));
    const keep = new Set(wanted.map((w) => w.key));
    const removed = before.filter((b) => !keep.has(b.idpRoleValue));
    if (removed.length) await trx.deleteFrom('role_mappings').where('org_id', '=', orgId).where('id', 'in', removed.map((r) => r.id)).execute();
    if (wanted.length) {
      await trx
        .insertInto('role_mappings')
        .values(wanted.map((w) => ({ org_id: orgId, idp_role_value: w.key, role: w.role })))
        .onConflict((oc) => oc.columns(['org_id', 'idp_role_value']).doUpdateSet((eb) => ({ role: eb.ref('excluded.role') })))
        .execute();
    }
    const after = await listRoleMappings(trx, orgId);
    const old = new Map(before.map((b) => [b.idpRoleValue, b.role]));
    await recordAdminAction(trx, {
      orgId,
      actor,
      action: 'role-mappings.replace',
      targetType: 'role-mapping',
      details: {
        count: after.length,
        added: wanted.filter((w) => !old.has(w.key)).map((w) => ({ idpRoleValue: w.key, role: w.role })),
        changed: wanted.filter((w) => old.has(w.key) && old.get(w.key) !== w.role).map((w) => ({ idpRoleValue: w.key, from: old.get(w.key), to: w.role })),
        removed: removed.map((r) => ({ idpRoleValue: r.idpRoleValue, role: r.role })),
      },
    });
    return after;
  });
}

/**
 * Adds one mapping.
 * @throws MappingCollisionError naming both values; UnknownRoleError; InvalidMappingError.
 */
export async function createRoleMapping(db: Kysely<Database>, orgId: string, input: RoleMappingInput, actor: string): Promise<RoleMapping> {
  const key = normalized(input.idpRoleValue);
  try {
    return await db.transaction().execute(async (trx) => {
      const role = await requireRole(trx, orgId, input.role);
      const existing = await findByValue(trx, orgId, key);
      if (existing) throw collision(input.idpRoleValue, existing);
      const row = await trx.insertInto('role_mappings').values({ org_id: orgId, idp_role_value: key, role }).returning(['id', 'idp_role_value', 'role']).executeTakeFirstOrThrow();
      await recordAdminAction(trx, { orgId, actor, action: 'role-mapping.create', targetType: 'role-mapping', targetId: row.id, targetName: key, details: { idpRoleValue: key, role } });
      return toMapping(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new MappingCollisionError(`"${input.idpRoleValue}" collides with an existing mapping: both are "${key}" after trimming and lower-casing`);
    throw err;
  }
}

/**
 * Changes a mapping's IdP value and/or role; the id stays.
 * @throws MappingNotFoundError, MappingCollisionError, UnknownRoleError, InvalidMappingError.
 */
export async function updateRoleMapping(db: Kysely<Database>, orgId: string, id: string, change: Partial<RoleMappingInput>, actor: string): Promise<RoleMapping> {
  const key = change.idpRoleValue !== undefined ? normalized(change.idpRoleValue) : undefined;
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await findById(trx, orgId, id, true);
      if (!before) throw new MappingNotFoundError(`No role mapping ${id} in this organisation`);
      const role = change.role !== undefined ? await requireRole(trx, orgId, change.role) : before.role;
      if (key !== undefined && key !== before.idp_role_value) {
        const existing = await findByValue(trx, orgId, key);
        if (existing) throw collision(change.idpRoleValue!, existing);
      }
      const next = { idp_role_value: key ?? before.idp_role_value, role };
      if (next.idp_role_value === before.idp_role_value && next.role === before.role) return toMapping(before);
      const row = await trx.updateTable('role_mappings').set(next).where('org_id', '=', orgId).where('id', '=', before.id).returning(['id', 'idp_role_value', 'role']).executeTakeFirstOrThrow();
      await recordAdminAction(trx, {
        orgId,
        actor,
        action: 'role-mapping.update',
        targetType: 'role-mapping',
        targetId: row.id,
        targetName: row.idp_role_value,
        details: { before: { idpRoleValue: before.idp_role_value, role: before.role }, after: { idpRoleValue: row.idp_role_value, role: row.role } },
      });
      return toMapping(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new MappingCollisionError(`"${change.idpRoleValue}" collides with an existing mapping: both are "${key}" after trimming and lower-casing`);
    throw err;
  }
}

/** Deletes a mapping. @throws MappingNotFoundError. */
export async function deleteRoleMapping(db: Kysely<Database>, orgId: string, id: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findById(trx, orgId, id, true);
    if (!before) throw new MappingNotFoundError(`No role mapping ${id} in this organisation`);
    await trx.deleteFrom('role_mappings').where('org_id', '=', orgId).where('id', '=', before.id).execute();
    await recordAdminAction(trx, {
      orgId,
      actor,
      action: 'role-mapping.delete',
      targetType: 'role-mapping',
      targetId: before.id,
      targetName: before.idp_role_value,
      details: { idpRoleValue: before.idp_role_value, role: before.role },
    });
  });
}
