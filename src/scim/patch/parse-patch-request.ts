/**
 * The PatchOp message (RFC 7644 §3.5.2): checks its structure and parses each
 * operation's `path`, before anything is applied, so a malformed last operation
 * fails the request without a partial change.
 */
import { invalidSyntax, noTarget, ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/patch-path.js';
import { MAX_PATCH_OPERATIONS, requirePatchOperations } from '../limits.js';

/** The PatchOp message schema URN, RFC 7644 §3.5.2. */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The three PATCH operations of RFC 7644 §3.5.2.1–3, lower-cased. */
export type PatchOpName = 'add' | 'remove' | 'replace';

/** One parsed PATCH operation. */
export interface PatchOperation {
  /** The operation, lower-cased whatever the client sent (Entra sends `Replace`, `Add`, `Remove`). */
  op: PatchOpName;
  /** The path as written, kept for error details; absent for a path-less add or replace. */
  path?: string;
  /** `path` parsed per RFC 7644 §3.5.2 (`attrPath / valuePath [subAttr]`); present exactly when `path` is. */
  target?: PatchPath;
  /**
   * The value as received. Checked against the schema only when applied: a
   * path-less add/replace always has an object here.
   */
  value?: unknown;
}

type Plain = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Message member names are case-insensitive like attribute names (RFC 7643 §2.1): `Operations`, `operations`. */
function member(obj: Plain, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

const OPS: readonly PatchOpName[] = ['add', 'remove', 'replace'];

/**
 * Parses a PATCH request body (RFC 7644 §3.5.2) into its operations.
 *
 * Shape: `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 * "Operations": [{"op": "add"|"remove"|"replace", "path"?: string, "value"?: any}]}`.
 * Member names and `op` values are case-insensitive. A missing `schemas` is
 * tolerated, because Okta has been captured sending group PATCHes without it
 * (conformance okta K080, scimgateway#113); a `schemas` that is present must
 * name the PatchOp URN. `"path": null` counts as no path.
 *
 * @param maxOperations most operations accepted (SCIMD_MAX_PATCH_OPERATIONS), checked before any is parsed.
 * @returns the operations in request order, each with its path parsed.
 * @throws ScimError 400 `invalidValue` for more than `maxOperations` operations;
 *   400 `invalidSyntax` when the body is not an object, `schemas`
 *   lacks the PatchOp URN, `Operations` is missing, not an array or empty, an
 *   operation is not an object, `op` is missing or not add/remove/replace
 *   (e.g. `move`, field-reports F01g), add/replace has no `value`, or a path-less
 *   add/replace has a value that is not an object;
 *   400 `invalidPath` when a `path` is not a string or is malformed;
 *   400 `noTarget` for a `remove` without a path (RFC 7644 §3.5.2.2).
 */
export function parsePatchRequest(body: unknown, maxOperations = MAX_PATCH_OPERATIONS): PatchOperation[] {
  if (!isPlainObject(body)) throw invalidSyntax(`A PATCH body must be a JSON object with "schemas" ["${PATCH_OP_SCHEMA}"] and "Operations"`);
  const schemas = member(body, 'schemas');
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase()))) {
    throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations)) throw invalidSyntax('"Operations" must be an array of PATCH operations');
  if (operations.length === 0) throw invalidSyntax('"Operations" must contain at least one operation');
  requirePatchOperations(operations.length, maxOperations);
  return operations.map((raw, i) => parseOperation(raw, `Operations[${i}]`));
}

/** Re-throws a ScimError with the failing operation named first, so a client can find it among many. */
export function inOperation<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ScimError && !e.detail.startsWith(`${where}:`)) throw new ScimError(e.status, e.scimType, `${where}: ${e.detail}`);
    throw e;
  }
}

function parseOperation(raw: unknown, where: string): PatchOperation {
  if (!isPlainObject(raw)) throw invalidSyntax(`${where} must be an object with "op", "path" and "value"`);
  const opRaw = member(raw, 'op');
  if (typeof opRaw !== 'string') throw invalidSyntax(`${where} has no "op": it must be "add", "remove" or "replace"`);
  const op = opRaw.toLowerCase() as PatchOpName;
  if (!OPS.includes(op)) throw invalidSyntax(`${where} has unsupported op "${opRaw}": it must be "add", "remove" or "replace"`);

  const pathRaw = member(raw, 'path');
  const value = member(raw, 'value');
  const hasValue = Object.keys(raw).some((k) => k.toLowerCase() === 'value');
  if (pathRaw === undefined || pathRaw === null) {
    if (op === 'remove') throw noTarget(`${where}: "remove" needs a "path" naming what to remove`);
    if (!isPlainObject(value)) throw invalidSyntax(`${where}: a "${op}" without "path" needs a "value" object of attributes`);
    return { op, value };
  }
  // parsePatchPath reports non-strings and malformed paths as invalidPath, naming the position.
  const target = inOperation(where, () => parsePatchPath(pathRaw as string));
  if (op !== 'remove' && !hasValue) throw invalidSyntax(`${where}: "${op}" needs a "value"`);
  const parsed: PatchOperation = { op, path: pathRaw as string, target };
  if (hasValue) parsed.value = value;
  return parsed;
}
