/**
 * `null` as "no value". RFC 7643 §2.5 makes an unassigned attribute, the `null`
 * value and an empty multi-valued array equivalent; Microsoft's older tutorial
 * sample posts users with `"addresses": null, "title": null, "manager": null`
 * (conformance entra E045) and Entra's group PATCH sends members as
 * `{"$ref": null, "value": "…"}` (entra E067, E068, E076).
 */

/**
 * True for `null` and `undefined`: the attribute is dropped instead of being type
 * checked, so `"$ref": null` or `"title": null` never fails a request.
 *
 * Source: RFC 7643 §2.5; Microsoft Entra (tutorial "Provision a user" body, group
 * PATCH `"$ref": null`), conformance entra E045, E067.
 */
export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
