/**
 * SCIM PATCH (RFC 7644 §3.5.2): parse the PatchOp message, take Group membership
 * changes out, apply the rest to the stored document.
 *
 * Typical use: `const ops = parsePatchRequest(body)`; for a Group,
 * `const { memberChanges, otherOps } = splitGroupPatch(ops)`; then
 * `const next = applyPatch(rt, stored, otherOps)` (and, for a User,
 * `patchedPassword(rt, ops)`), all before writing anything, so a failing
 * operation leaves the resource unchanged.
 */
export { applyPatch, patchedPassword } from './apply-patch.js';
export { parsePatchRequest, PATCH_OP_SCHEMA, type PatchOperation, type PatchOpName } from './parse-patch-request.js';
export { splitGroupPatch, type MemberChange } from './split-group-patch.js';
