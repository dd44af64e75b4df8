/**
 * Role mappings: `idpRoleValue → app role`, per org. The IdP value is stored
 * normalised (trimmed, lower-cased) because role resolution compares normalised
 * labels (PRODUCT.md "Role resolution", step 2).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface RoleMapping {
  idpRoleValue: string;
  role: string;
}

/** PRODUCT.md role resolution step 2: trim and lower-case. */
export const normalizeRoleValue = (value: string): string => value.trim().toLowerCase();

/** Lists an org's mappings, ordered by IdP value. */
export async function listRoleMappings(db: Kysely<Database>, orgId: string): Promise<RoleMapping[]> {
  const rows = await db.selectFrom('role_mappings').select(['idp_role_value', 'role']).where('org_id', '=', orgId).orderBy('idp_role_value').execute();
  return rows.map((r) => ({ idpRoleValue: r.idp_role_value, role: r.role }));
}

/** Thrown when two mappings collide after normalisation. */
export class MappingCollisionError extends Error {}

/**
 * Replaces all of an org's mappings in one transaction.
 * @throws MappingCollisionError when two entries normalise to the same value.
 */
export async function replaceRoleMappings(db: Kysely<Database>, orgId: string, mappings: RoleMapping[]): Promise<RoleMapping[]> {
  const seen = new Map<string, string>();
  for (const m of mappings) {
    const key = normalizeRoleValue(m.idpRoleValue);
    if (seen.has(key)) throw new MappingCollisionError(`"${m.idpRoleValue}" and "${seen.get(key)}" are the same IdP role value after trimming and lower-casing ("${key}")`);
    seen.set(key, m.idpRoleValue);
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('role_mappings').where('org_id', '=', orgId).execute();
    if (mappings.length) {
      await trx
        .insertInto('role_mappings')
        .values(mappings.map((m) => ({ org_id: orgId, idp_role_value: normalizeRoleValue(m.idpRoleValue), role: m.role.trim() })))
        .execute();
    }
  });
  return listRoleMappings(db, orgId);
}
