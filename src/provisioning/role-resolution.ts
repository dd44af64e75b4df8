/**
 * Role resolution (PRODUCT.md "Role resolution", from the reference document):
 * 1. take the `roles` entry with `primary` true (the IdP may send the string
 *    "True"), else the first; 2. trim and lower-case its `value`; 3. exact match
 * against the org's role mappings; 4. no match → the org's default role;
 * 5. no default → no role.
 */
import type { RoleSource } from '../db/schema.js';
import { normalizeRoleValue } from '../tenants/role-mappings.js';

export interface ResolvedRole {
  role: string | null;
  source: RoleSource;
}

const isPrimary = (p: unknown) => p === true || (typeof p === 'string' && p.trim().toLowerCase() === 'true');

/**
 * Resolves an app role from a user's `roles` attribute as stored (after ingress
 * normalisation: an array of `{value, display?, type?, primary?}`).
 * @param mappings normalised IdP value → app role.
 */
export function resolveRole(roles: unknown, mappings: ReadonlyMap<string, string>, defaultRole: string | null): ResolvedRole {
  const entries = Array.isArray(roles) ? roles.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object') : [];
  const fallback = (received: string | null, chosenBy?: 'primary' | 'first', normalized?: string | null): ResolvedRole =>
    defaultRole
      ? { role: defaultRole, source: { kind: 'default', received, ...(chosenBy ? { chosenBy } : {}), normalized: normalized ?? null } }
      : { role: null, source: { kind: 'none', received, ...(chosenBy ? { chosenBy } : {}), normalized: normalized ?? null } };
  if (!entries.length) return fallback(null);
  const primary = entries.find((r) => isPrimary(r.primary));
  const chosen = primary ?? entries[0]!;
  const chosenBy = primary ? 'primary' : 'first';
  const received = typeof chosen.value === 'string' ? chosen.value : chosen.value == null ? null : JSON.stringify(chosen.value);
  if (received === null) return fallback(null, chosenBy);
  const normalized = normalizeRoleValue(received);
  const mapped = mappings.get(normalized);
  if (mapped !== undefined) return { role: mapped, source: { kind: 'mapping', received, chosenBy, normalized } };
  return fallback(received, chosenBy, normalized);
}
