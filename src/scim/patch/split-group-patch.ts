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

/** Whether a path-less value key names `members` (`members`, `urn:…:core:2.0:Group:members`). */
const isMembersKey = (key: string) => eqi(key, 'members') || eqi(key, `${GROUP_SCHEMA}:members`);

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
 *   the value's other keys stay in an operation of `otherOps` (okta K080).
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
      if (op.path === undefined && op.target === undefined) {
        if (!isPlainObject(op.value)) return otherOps.push(op);
        const rest: Record<string, unknown> = {};
        let members: unknown;
        let found = false;
        for (const [k, v] of Object.entries(op.value)) {
          if (isMembersKey(k)) {
            found = true;
            members = v;
          } else if (eqi(k, GROUP_SCHEMA) && isPlainObject(v) && Object.keys(v).some(isMembersKey)) {
            // The core schema URN as a key holding core attributes, members among them.
            const inner: Record<string, unknown> = {};
            for (const [ik, iv] of Object.entries(v)) {
              if (isMembersKey(ik)) {
                found = true;
                members = iv;
              } else inner[ik] = iv;
            }
            if (Object.keys(inner).length) rest[k] = inner;
          } else {
            rest[k] = v;
          }
        }
        if (!found) return otherOps.push(op);
        const values = memberIds(members);
        if (op.op === 'replace') memberChanges.push({ kind: 'replace', values });
        else if (values.length) memberChanges.push({ kind: 'add', values });
        if (Object.keys(rest).length) otherOps.push({ ...op, value: rest });
        return;
      }
      const target = op.target ?? parsePatchPath(op.path as string);
      if (!isMembersPath(target)) return otherOps.push(op);
      const change = memberChange(op, target);
      if (change) memberChanges.push(change);
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
