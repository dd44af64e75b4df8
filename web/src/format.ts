/** Dates, statuses and operation names in words. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatDateTimeSeconds = (iso: string): string => dateTimeSeconds.format(new Date(iso));

/** "3 minutes ago", "in 2 days". */
export function formatRelative(iso: string, now = Date.now()): string {
  const s = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(s);
  if (abs < 45) return s <= 0 ? 'just now' : 'in a few seconds';
  if (abs < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(s / 3600), 'hour');
  if (abs < 30 * 86_400) return relative.format(Math.round(s / 86_400), 'day');
  if (abs < 365 * 86_400) return relative.format(Math.round(s / (30 * 86_400)), 'month');
  return relative.format(Math.round(s / (365 * 86_400)), 'year');
}

export const ROLE_SOURCE_TEXT: Record<string, string> = {
  mapping: 'Role mapping',
  default: 'Default role',
  none: 'No match, no default',
  manual: 'Set by an admin',
};

export function roleSourceText(source: string | null): string {
  return source ? (ROLE_SOURCE_TEXT[source] ?? source) : 'Not resolved yet';
}

export const OPERATION_TEXT: Record<string, string> = {
  create: 'Create',
  update: 'Update',
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  delete: 'Delete',
  membership_add: 'Add members',
  membership_remove: 'Remove members',
  membership_change: 'Change members',
  lookup: 'Lookup',
  discovery: 'Discovery',
  bulk: 'Bulk',
  'scim.settings.update': 'SCIM settings changed',
  'token.create': 'Token generated',
  'token.regenerate': 'Token regenerated',
  'token.revoke': 'Token revoked',
  'role-mappings.replace': 'Role mappings replaced',
  'role-mapping.create': 'Role mapping added',
  'role-mapping.update': 'Role mapping changed',
  'role-mapping.delete': 'Role mapping deleted',
  'role.create': 'Role created',
  'role.rename': 'Role renamed',
  'member.role.update': 'Member role changed',
  'admin.create': 'Admin created',
  'admin.invite': 'Admin invited',
  'admin.delete': 'Admin removed',
  'admin.password.set': 'Admin password set',
};

export const operationText = (op: string): string => OPERATION_TEXT[op] ?? op;

/** What a status means for the admin, and what to do about it. */
export function statusMeaning(status: number, scimType?: string | null): string {
  if (status >= 200 && status < 300) return 'Succeeded.';
  if (status === 304) return 'Not modified.';
  if (status === 400) return `Rejected as invalid${scimType ? ` (${scimType})` : ''}: the IdP sent something scimd cannot accept. The detail says which attribute; fix it in the IdP's attribute mappings or the user's profile.`;
  if (status === 401) return 'Unauthorized: the token is wrong, expired or revoked. Generate or regenerate a token on the SCIM Provisioning page and paste it into the IdP.';
  if (status === 403) return 'Forbidden: SCIM is disabled for this organisation, or (for /Groups) Sync groups is off. Turn it on on the SCIM Provisioning page.';
  if (status === 404) return 'Not found: the IdP asked for a user or group scimd does not have (deleted, or never provisioned).';
  if (status === 409) return 'Conflict: a user with this userName (or a group with this name) already exists. The IdP usually retries with a lookup.';
  if (status === 412) return 'Precondition failed: the record changed since the IdP read it (ETag mismatch). The IdP retries.';
  if (status === 413) return 'The request was larger than scimd accepts.';
  if (status === 429) return 'Too many requests.';
  if (status >= 500) return 'scimd had an internal error; the change was not applied. The server log has the details.';
  return `HTTP ${status}.`;
}

export type Outcome = 'ok' | 'client' | 'server';
export const outcomeOf = (status: number): Outcome => (status >= 500 ? 'server' : status >= 400 ? 'client' : 'ok');

/** JSON for people: strings as they are, the rest as JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export const personName = (m: { name?: string | null; displayName?: string | null; userName: string }): string => m.name || m.displayName || m.userName;

/** Every character outside printable ASCII as \uXXXX, so invisible and look-alike characters show. */
export function escapeInvisible(s: string): string {
  return [...s].map((ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)).join('');
}

/** How a role value differs from plain text, in the words the member page uses for the same kinds. */
export const DIFFERENCE_TEXT: Record<string, string> = {
  case: 'letter case',
  'surrounding-whitespace': 'spaces at the ends',
  'inner-whitespace': 'spaces inside',
  'invisible-characters': 'invisible characters',
  'look-alike-characters': 'non-ASCII look-alike characters',
  'json-encoded': 'JSON encoding',
};
export const differenceText = (kind: string): string => DIFFERENCE_TEXT[kind] ?? kind;

/** A client-side check of a role value for the kinds the server's role explanation reports. */
export function roleValueProblems(value: string): string[] {
  const kinds: string[] = [];
  if (value !== value.trim()) kinds.push('surrounding-whitespace');
  if (/\s/.test(value.trim())) kinds.push('inner-whitespace');
  const invisible = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/u;
  if ([...value].some((ch) => invisible.test(ch) && !/[\t\n\r]/.test(ch))) kinds.push('invisible-characters');
  if ([...value].some((ch) => ch.codePointAt(0)! > 0x7e && !invisible.test(ch) && !/\s/.test(ch))) kinds.push('look-alike-characters');
  return kinds;
}

/** What an Activity target type means, in words. */
export const TARGET_TYPE_TEXT: Record<string, string> = {
  User: 'Member',
  Group: 'Group',
  Token: 'Token',
  admin: 'Console admin',
  member: 'Member',
  role: 'App role',
  'role-mapping': 'Role mapping',
};
export const targetTypeText = (t: string): string => TARGET_TYPE_TEXT[t] ?? t;

/** "1 minute", "15 minutes". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
