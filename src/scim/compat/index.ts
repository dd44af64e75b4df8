/**
 * The named IdP-compatibility normalisers, and a registry describing them so the
 * documentation and the admin console can list exactly which quirks scimd
 * accepts. Each is applied once at ingress by `normalizeResource`
 * (`src/scim/schemas/validate.ts`) and by the PATCH engine (`src/scim/patch/`),
 * through the same value checks, so POST, PUT and PATCH accept the same shapes.
 */
export { coerceBooleanString } from './booleans.js';
export { defaultEmailType } from './emails.js';
export { decodeJsonEncodedRole, entraManagerValue } from './entra.js';
export { isAbsent } from './nulls.js';

/** One entry of `compatNormalisers`. */
export interface CompatNormaliser {
  /** The exported function's name. */
  name: string;
  /** Where the quirk is documented or observed: vendor document, conformance step ids, public report. */
  source: string;
  /** What is accepted and what it becomes. */
  description: string;
}

/** Every compat normaliser, for documentation. */
export const compatNormalisers: readonly CompatNormaliser[] = [
  {
    name: 'coerceBooleanString',
    source:
      'Microsoft Entra provisioning, legacy PATCH `"active": "False"` (Microsoft Learn SCIM tutorial; conformance entra E046, E050, E053); field-reports F02, F27d',
    description:
      'For boolean attributes and sub-attributes (`active`, `emails.primary`, `roles.primary`, …) the strings "true"/"false" in any letter case become JSON booleans; any other string is still refused with 400 invalidValue. PATCH value filters such as `roles[primary eq "True"]` compare the same way.',
  },
  {
    name: 'entraManagerValue',
    source:
      'Microsoft Entra provisioning and SCIM Validator (conformance entra E028, E030, E036, E037; field-reports F26d, F26j)',
    description:
      'The enterprise `manager` given as a bare id string becomes `{value: id}`; an empty string (or `{value: ""}`) removes the manager; a one-element list (tutorial Example 5) becomes its element.',
  },
  {
    name: 'decodeJsonEncodedRole',
    source:
      'Microsoft Entra SingleAppRoleAssignment / AppRoleAssignmentsComplex PATCH ("The request formats in the PATCH and POST differ"; conformance entra E041; field-reports F27b)',
    description:
      '`roles` and `entitlements` entries whose `value` (or the whole entry) is a JSON-encoded object `{"id","value","displayName"}` are decoded to the RFC 7643 §2.4 shape `{value, display, type, primary}`.',
  },
  {
    name: 'defaultEmailType',
    source: 'field-reports F06f, F06g (zitadel PR #9690)',
    description:
      'An `emails` entry without a `type` is stored as `type: "work"`, so the `emails[type eq "work"]` paths Entra PATCHes find it instead of adding a second address.',
  },
  {
    name: 'isAbsent',
    source: 'RFC 7643 §2.5; Microsoft Entra tutorial "Provision a user" body (conformance entra E045) and group PATCH `"$ref": null` (entra E067, E068, E076)',
    description:
      '`null` anywhere (an attribute, a sub-attribute such as `members.$ref`, a list element) means "no value" and is dropped instead of type checked; PATCH add/replace with `null` removes the target.',
  },
];
