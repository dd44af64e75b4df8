/**
 * Compact before/after diffs for the activity log, and how a change is named
 * (create, update, deactivate, reactivate, …). Secrets never reach a diff: the
 * stored documents hold no `password` (it is hashed apart), and keys that look
 * like secrets are masked as a second line of defence.
 */
import type { ActivityDiff } from '../db/schema.js';

/** The operations the activity log knows (issue 3). */
export type ScimOperation =
  | 'create'
  | 'update'
  | 'deactivate'
  | 'reactivate'
  | 'delete'
  | 'membership_add'
  | 'membership_remove'
  | 'membership_change'
  | 'lookup';

const SECRET_KEY = /pass(word)?|secret|token/i;
/** Longest string kept in a diff value, characters; longer ones are cut with "…". */
const MAX_VALUE_CHARS = 300;
/** Most member ids listed per direction; the rest are counted. */
const MAX_MEMBER_IDS = 50;

function compact(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) + '…' : value;
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : compact(v)]));
  }
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The attributes that differ between two SCIM documents, one level deep (an
 * extension object is compared attribute by attribute, `urn…:department`).
 * `schemas` is left out: it only follows the attributes.
 */
export function diffDocuments(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): ActivityDiff['changes'] {
  const changes: NonNullable<ActivityDiff['changes']> = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (key === 'schemas' || SECRET_KEY.test(key)) continue;
    const b = before?.[key];
    const a = after?.[key];
    if (key.startsWith('urn:') && (b === undefined || typeof b === 'object') && (a === undefined || typeof a === 'object')) {
      for (const sub of new Set([...Object.keys((b ?? {}) as object), ...Object.keys((a ?? {}) as object)])) {
        const sb = (b as Record<string, unknown> | undefined)?.[sub];
        const sa = (a as Record<string, unknown> | undefined)?.[sub];
        if (!same(sb, sa)) changes.push({ path: `${key}:${sub}`, before: compact(sb) ?? null, after: compact(sa) ?? null });
      }
      continue;
    }
    if (!same(b, a)) changes.push({ path: key, before: compact(b) ?? null, after: compact(a) ?? null });
  }
  return changes;
}

/** A user update is named after its `active` transition when there is one (PRODUCT.md lifecycle). */
export function userUpdateOperation(before: Record<string, unknown>, after: Record<string, unknown>): ScimOperation {
  const was = before.active !== false;
  const is = after.active !== false;
  if (was && !is) return 'deactivate';
  if (!was && is) return 'reactivate';
  return 'update';
}

/** Member ids added/removed, capped so a 100,000-member change stays a small row. */
export function membershipDiff(added: string[], removed: string[]): ActivityDiff {
  const diff: ActivityDiff = {};
  if (added.length) diff.membersAdded = added.slice(0, MAX_MEMBER_IDS);
  if (removed.length) diff.membersRemoved = removed.slice(0, MAX_MEMBER_IDS);
  if (added.length > MAX_MEMBER_IDS || removed.length > MAX_MEMBER_IDS) diff.membersTruncated = { added: added.length, removed: removed.length };
  return diff;
}

/** A group update is named after its membership change when that is all it did. */
export function groupUpdateOperation(docChanged: boolean, added: number, removed: number): ScimOperation {
  if (docChanged || (!added && !removed)) return 'update';
  if (added && removed) return 'membership_change';
  return added ? 'membership_add' : 'membership_remove';
}
