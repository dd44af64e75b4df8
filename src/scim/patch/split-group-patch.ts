/**
 * Group membership changes out of a PATCH. A group can have 100,000 members, so
 * membership lives in its own table and is never applied to the group document:
 * `splitGroupPatch` turns the `members` operations into set changes for the
 * caller, and leaves everything else for `applyPatch`.
 */
import { invalidFilter, invalidPath, type ScimError } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/patch-path.js';
import { GROUP_SCHEMA } from '../schemas/resource-types.js';
import { isPlainObject, normalizeMembers } from '../schemas/validate.js';
import { inOperation, type PatchOperation } from './parse-patch-request.js';

/**
 * One change to a group's member set, in request order. Values are member ids
 * as sent; whether they exist, and set semantics (re-adding a member or removing
 * a non-member is a no-op, entra E068, E078), are the caller's concern.
 */
export type MemberChange =
  | { kind: 'add'; values: string[] }
  | { kind: 'remove'; values: string[] }
  | { kind: 'removeAll' }
  | { kind: 'replace'; values: string[] };

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const isMembersPath = (p: PatchPath) =>
  eqi(p.path.attr, 'members') && (p.path.uri === undefined || eqi(p.path.uri, GROUP_SCHEMA));

const isCoreSchemaPath = (p: PatchPath) => p.path.attr === '' && p.path.uri !== undefined && eqi(p.path.uri, GROUP_SCHEMA);

/**
 * What a key of a path-less value names, read exactly as `applyPatch` reads it
 * (parsed as a PATCH path, `prefix:` first for the keys of a whole-schema value),
 * so that every key it would apply to `members` is recognised here: `Members`,
 * ` members`, `urn:…:core:2.0:Group:members`, `members.value`, `members[…]`.
 * `undefined` for a key that is no path (applyPatch ignores those).
 */
function keyTarget(key: string, prefix?: string): PatchPath | undefined {
  try {
    return parsePatchPath(prefix ? `${prefix}:${key}` : key);
  } catch {
    return undefined;
  }
}

/**
 * Takes the members keys out of an add/replace value (the core schema URN as a
 * key holding core attributes included), turning each into a member change in
 * key order; returns the other keys. Without a `path`, the value of an add or
 * replace is a set of attributes to apply (RFC 7644 §3.5.2.1, §3.5.2.3), so
 * `members` may arrive as one of its keys.
 */
function takeMembers(
  op: PatchOperation,
  value: Record<string, unknown>,
  prefix: string | undefined,
  memberChanges: MemberChange[],
): { found: boolean; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  let found = false;
  for (const [k, v] of Object.entries(value)) {
    const target = prefix || !eqi(k, 'schemas') ? keyTarget(k, prefix) : undefined;
    if (target && isMembersPath(target)) {
      found = true;
      const change = memberChange({ op: op.op, path: prefix ? `${prefix}:${k}` : k, target, value: v }, target);
      if (change) memberChanges.push(change);
    } else if (!prefix && target && isCoreSchemaPath(target) && isPlainObject(v)) {
      const inner = takeMembers(op, v, GROUP_SCHEMA, memberChanges);
      found ||= inner.found;
      if (!inner.found) rest[k] = v;
      else if (Object.keys(inner.rest).length) rest[k] = inner.rest;
    } else {
      rest[k] = v;
    }
  }
  return { found, rest };
}

const memberIds = (value: unknown) => normalizeMembers(value, 'members').map((m) => m.value);

/**
 * Separates the membership operations of a Group PATCH from the rest.
 *
 * Membership shapes (RFC 7644 §3.5.2 and what Entra and Okta send):
 * - `{op: add, path: members, value: [{value, display?, $ref?}]}` → `add`
 *   (entra E067, E068 with `"$ref": null`; okta K074);
 * - `{op: replace, path: members, value: […]}` → `replace`, `[]` empties the
 *   group (okta K078, field-reports F12e, F12h);
 * - `{op: remove, path: members, value: [{value}, …]}` → `remove` of exactly
 *   those ids, `display` and `$ref` ignored (Entra legacy, entra E072, E076,
 *   field-reports F08f, F08h);
 * - `{op: remove, path: members}` without a value → `removeAll` (RFC 7644 §3.5.2.2);
 * - `{op: remove, path: 'members[value eq "id"]'}`, also with `or` between such
 *   comparisons → `remove` (entra E075, okta K076, field-reports F09);
 * - path-less add/replace whose value has a `members` key → `add`/`replace`,
 *   the value's other keys stay in an operation of `otherOps` (okta K080). A key
 *   is members when `applyPatch` would read it so (any case, surrounding spaces,
 *   URN-qualified, inside a core-schema-URN key, or in the value of an operation
 *   whose path is the core schema URN); a key with a filter or sub-attribute is
 *   refused like the same path.
 *
 * @returns the member changes and the remaining operations, each in request order.
 * @throws ScimError 400 `invalidValue` when a member entry is not an object with a
 *   non-empty string `value`; 400 `invalidFilter` for a `members[...]` filter
 *   other than `value eq "…"` joined by `or`; 400 `invalidPath` for add/replace
 *   with a `members[...]` filter or any `members` sub-attribute path. Details start
 *   with the failing operation.
 */
export function splitGroupPatch(ops: PatchOperation[]): { memberChanges: MemberChange[]; otherOps: PatchOperation[] } {
  const memberChanges: MemberChange[] = [];
  const otherOps: PatchOperation[] = [];
  ops.forEach((op, i) =>
    inOperation(`Operations[${i}]`, () => {
      const target = op.path === undefined && op.target === undefined ? undefined : (op.target ?? parsePatchPath(op.path as string));
      if (target && isMembersPath(target)) {
        const change = memberChange(op, target);
        if (change) memberChanges.push(change);
        return;
      }
      // applyPatch applies a path-less value, and a value whose path is the core schema
      // URN, key by key: the members among those keys must come out here.
      const whole = target !== undefined && isCoreSchemaPath(target);
      if ((target && !whole) || op.op === 'remove' || !isPlainObject(op.value)) return otherOps.push(op);
      const { found, rest } = takeMembers(op, op.value, whole ? GROUP_SCHEMA : undefined, memberChanges);
      if (!found) return otherOps.push(op);
      if (Object.keys(rest).length) otherOps.push({ ...op, value: rest });
    }),
  );
  return { memberChanges, otherOps };
}

function memberChange(op: PatchOperation, target: PatchPath): MemberChange | undefined {
  const text = op.path ?? 'members';
  if (target.path.sub !== undefined || target.sub !== undefined) {
    throw invalidPath(`"${text}": member sub-attributes cannot be changed; add or remove whole members with path "members"`);
  }
  if (target.filter) {
    if (op.op !== 'remove') {
      throw invalidPath(`"${text}": a members filter is only supported with "remove"; use "${op.op}" with path "members" and a value list`);
    }
    return { kind: 'remove', values: idsOfFilter(target.filter, text) };
  }
  if (op.op === 'remove') {
    if (op.value === undefined || op.value === null) return { kind: 'removeAll' };
    const values = memberIds(op.value);
    return values.length ? { kind: 'remove', values } : undefined;
  }
  const values = memberIds(op.value);
  if (op.op === 'replace') return { kind: 'replace', values };
  return values.length ? { kind: 'add', values } : undefined;
}

/** `value eq "a"` or `value eq "a" or value eq "b" …` → the ids. */
function idsOfFilter(filter: Filter, text: string): string[] {
  const fail = (): ScimError =>
    invalidFilter(`"${text}": members can be selected only by id, as members[value eq "id"] or members[value eq "a" or value eq "b"]`);
  const ids: string[] = [];
  const visit = (f: Filter): void => {
    if (f.kind === 'or') {
      visit(f.left);
      visit(f.right);
      return;
    }
    if (f.kind !== 'compare' || f.op !== 'eq' || f.path.uri !== undefined || f.path.sub !== undefined || !eqi(f.path.attr, 'value')) throw fail();
    if (typeof f.value !== 'string') throw fail();
    if (!ids.includes(f.value)) ids.push(f.value);
  };
  visit(filter);
  return ids;
}
