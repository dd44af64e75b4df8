/**
 * Untyped e-mail addresses. Entra addresses e-mails by type
 * (`emails[type eq "work"].value`); an address stored without a `type` never
 * matches that filter, so every later update would add a second address instead
 * of changing the first (zitadel PR #9690, field-reports F06f / F06g).
 */

/**
 * Returns the `emails` entry with `type: "work"` when it has no `type` (missing
 * or `null`), otherwise the entry unchanged. Non-objects are returned unchanged
 * for the type check to refuse.
 *
 * Source: field-reports B06 (F06f, F06g), zitadel PR #9690.
 */
export function defaultEmailType(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
  const obj = entry as Record<string, unknown>;
  const k = Object.keys(obj).find((key) => key.toLowerCase() === 'type');
  if (k !== undefined && obj[k] !== null && obj[k] !== undefined) return entry;
  const out: Record<string, unknown> = { ...obj };
  if (k !== undefined) delete out[k];
  out.type = 'work';
  return out;
}
