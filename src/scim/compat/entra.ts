/**
 * Shapes Microsoft Entra ID sends that RFC 7643 does not allow, each mapped to
 * the standard shape. Harmless ones only: every mapping keeps the client's
 * evident meaning, and anything it cannot map is left for the normal type check
 * to refuse.
 */

type Plain = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

const keyOf = (obj: Plain, name: string): string | undefined =>
  Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());

/**
 * Normalises a value for the enterprise `manager` attribute
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, RFC 7643 §4.3,
 * a complex attribute `{value, $ref, displayName}`):
 *
 * - a bare string id → `{value: id}` (Entra provisioning and the Entra SCIM
 *   Validator send the manager's id as a string; conformance entra E028, E037,
 *   field-reports F26d, F26j);
 * - an empty or blank string, or `{value: ""}` → `undefined`, i.e. "no manager"
 *   (Entra SCIM Validator "Remove Manager", conformance entra E036);
 * - a one-element array → its element (Microsoft tutorial "Update User", Example 5
 *   sends `"value": [{"$ref": …, "value": id}]`; conformance entra E030).
 *
 * Anything else is returned unchanged, so a number still fails the type check.
 */
export function entraManagerValue(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? undefined : { value };
  if (Array.isArray(value) && value.length === 1) return entraManagerValue(value[0]);
  if (isPlainObject(value)) {
    const k = keyOf(value, 'value');
    if (k !== undefined && typeof value[k] === 'string' && (value[k] as string).trim() === '') return undefined;
  }
  return value;
}

const parseJsonObject = (text: string): Plain | undefined => {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** Maps Entra's app-role object `{id, value, displayName}` onto RFC 7643 §2.4 sub-attributes. */
const standardRole = (raw: Plain): Plain | undefined => {
  const out: Plain = {};
  for (const [k, v] of Object.entries(raw)) {
    const lower = k.toLowerCase();
    if (lower === 'value' || lower === 'type' || lower === 'primary' || lower === 'display') out[lower] = v;
    else if (lower === 'displayname' && out.display === undefined) out.display = v;
  }
  return typeof out.value === 'string' ? out : undefined;
};

/**
 * Decodes a `roles` or `entitlements` entry that Entra sent JSON-encoded:
 *
 * - `{"value": "{\"id\":\"…\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}` →
 *   `{value: "Admin", display: "Admin"}` (the app-role id is not an RFC 7643
 *   sub-attribute and is dropped; the entry's other sub-attributes are kept);
 * - a whole entry as a JSON string `"{\"value\":\"Admin\",\"primary\":true}"` →
 *   the decoded entry.
 *
 * Source: Microsoft Learn, "Customize user provisioning attribute-mappings"
 * (SingleAppRoleAssignment: "The request formats in the PATCH and POST differ");
 * conformance entra E041 and field-reports F27b. A string that is not a JSON
 * object holding a string `value` is returned unchanged.
 */
export function decodeJsonEncodedRole(entry: unknown): unknown {
  if (typeof entry === 'string') {
    const decoded = parseJsonObject(entry);
    return (decoded && standardRole(decoded)) ?? entry;
  }
  if (isPlainObject(entry)) {
    const k = keyOf(entry, 'value');
    const raw = k === undefined ? undefined : entry[k];
    if (typeof raw !== 'string') return entry;
    const decoded = parseJsonObject(raw);
    const role = decoded && standardRole(decoded);
    if (!role) return entry;
    const outer = { ...entry };
    delete outer[k as string];
    return { ...role, ...outer };
  }
  return entry;
}
