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

/** True for `primary: true` and for the string "True" in any case (Entra sends it as a string). */
export const isPrimary = (p: unknown): boolean => p === true || (typeof p === 'string' && p.trim().toLowerCase() === 'true');

/** The `roles` entry resolution takes (step 1), where it is, why, and its `value` as text. */
export interface PrimaryChoice {
  /** Index of the entry in the `roles` list as stored. */
  index: number;
  entry: Record<string, unknown>;
  chosenBy: 'primary' | 'first';
  /** The entry's `value`: a string as received, another JSON value as JSON text, null when absent. */
  received: string | null;
}

const isEntry = (r: unknown): r is Record<string, unknown> => !!r && typeof r === 'object';

/**
 * Step 1: the first entry with `primary` true (or "True"), else the first entry.
 * Entries that are not objects are skipped. Undefined when there is no entry.
 */
export function choosePrimary(roles: unknown): PrimaryChoice | undefined {
  if (!Array.isArray(roles)) return undefined;
  let first = -1;
  for (let i = 0; i < roles.length; i++) {
    const r: unknown = roles[i];
    if (!isEntry(r)) continue;
    if (first < 0) first = i;
    if (isPrimary(r.primary)) return { index: i, entry: r, chosenBy: 'primary', received: valueText(r.value) };
  }
  if (first < 0) return undefined;
  const entry = roles[first] as Record<string, unknown>;
  return { index: first, entry, chosenBy: 'first', received: valueText(entry.value) };
}

const valueText = (v: unknown): string | null => (typeof v === 'string' ? v : v == null ? null : JSON.stringify(v));

/**
 * Resolves an app role from a user's `roles` attribute as stored (after ingress
 * normalisation: an array of `{value, display?, type?, primary?}`).
 * @param mappings normalised IdP value → app role.
 */
export function resolveRole(roles: unknown, mappings: ReadonlyMap<string, string>, defaultRole: string | null): ResolvedRole {
  const fallback = (received: string | null, chosenBy?: 'primary' | 'first', normalized?: string | null): ResolvedRole =>
    defaultRole
      ? { role: defaultRole, source: { kind: 'default', received, ...(chosenBy ? { chosenBy } : {}), normalized: normalized ?? null } }
      : { role: null, source: { kind: 'none', received, ...(chosenBy ? { chosenBy } : {}), normalized: normalized ?? null } };
  const choice = choosePrimary(roles);
  if (!choice) return fallback(null);
  const { chosenBy, received } = choice;
  if (received === null) return fallback(null, chosenBy);
  const normalized = normalizeRoleValue(received);
  const mapped = mappings.get(normalized);
  if (mapped !== undefined) return { role: mapped, source: { kind: 'mapping', received, chosenBy, normalized } };
  return fallback(received, chosenBy, normalized);
}
