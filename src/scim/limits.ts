/**
 * Per-request limits that RFC 7643 §5 gives no ServiceProviderConfig field for
 * (filter size, PATCH operations, group members); they are documented in
 * docs/scim.md "Limits" instead, and set by SCIMD_MAX_* (docs/config.md).
 * Each bounds the work, memory and SQL one request can cause; the defaults are
 * far above what Entra ID and Okta send (docs/scim.md says why).
 */
import { invalidValue } from './errors.js';
import { DEFAULT_FILTER_LIMITS, type FilterLimits } from './filter/parse.js';

/** The limits one SCIM request is held to, beside the page size. */
export interface RequestLimits {
  /** Filter length (characters), nesting depth and comparison clauses (RFC 7644 §3.4.2.2 sets none). */
  filter: Readonly<FilterLimits>;
  /** Most operations in one PatchOp message (RFC 7644 §3.5.2 sets none). */
  maxPatchOperations: number;
  /**
   * Most member values in one request: the `members` of a Group POST/PUT body,
   * or the member values added, removed and replaced by one PATCH, summed.
   */
  maxMembersPerRequest: number;
}

/** Default PATCH operations per request: Entra and Okta send one to a few dozen. */
export const MAX_PATCH_OPERATIONS = 1000;
/** Default member values per request: a pushed group of 10,000 fits one PUT; larger ones go in PATCHes. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** The limits applied when the configuration gives none. */
export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  filter: DEFAULT_FILTER_LIMITS,
  maxPatchOperations: MAX_PATCH_OPERATIONS,
  maxMembersPerRequest: MAX_MEMBERS_PER_REQUEST,
});

/**
 * Refuses a PatchOp message with more operations than `limit`, before any is parsed.
 * RFC 7644 §3.12 has no keyword for "too many operations" (`tooMany` is for
 * search results), so it is `invalidValue`: the value of `Operations` is not acceptable.
 * @throws ScimError 400 invalidValue naming the count and the limit.
 */
export function requirePatchOperations(count: number, limit: number): void {
  if (count > limit) throw invalidValue(`The PATCH request has ${count} operations; this server accepts at most ${limit} per request (split it into several PATCH requests)`);
}

/**
 * Refuses a request that carries more group member values than `limit`.
 * @param where where they were, e.g. `in "members"`, `in its PATCH operations`.
 * @throws ScimError 400 invalidValue naming the count and the limit.
 */
export function requireMemberCount(count: number, limit: number, where: string): void {
  if (count > limit) throw invalidValue(`The request carries ${count} member values ${where}; this server accepts at most ${limit} per request (add the rest with PATCH requests)`);
}
