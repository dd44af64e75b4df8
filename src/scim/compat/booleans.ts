/**
 * Boolean strings. Microsoft Entra ID's default (non-`aadOptscim062020`) PATCH
 * sends `active` as the JSON string `"False"` / `"True"` (Microsoft Learn, "Tutorial:
 * Develop and plan provisioning for a SCIM endpoint", Disable User request;
 * conformance entra E050, E053, E046), and role entries with `"primary": "True"`
 * (field-reports F27d). Only the two words are accepted, in any letter case: any
 * other string for a boolean is still a client error (field-reports F02e).
 */

/**
 * Returns `true` / `false` for the strings `"true"` / `"false"` in any letter case
 * (no surrounding whitespace allowed); returns every other value unchanged, so the
 * caller's type check still rejects `"maybe"`.
 *
 * Source: Microsoft Entra provisioning (legacy PATCH `"active": "False"`),
 * field-reports B02 (F02b, F02d, F02e, F02g) and B27 (F27d).
 */
export function coerceBooleanString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return value;
}
