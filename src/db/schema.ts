/**
 * The database's tables as Kysely types. Column names are snake_case; every
 * tenant-owned table carries `org_id`, and every query filters on it first.
 */
import { sql, type ColumnType, type Generated, type JSONColumnType, type RawBuilder } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrgsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Generated<Date>;
}

export interface ScimProvisioningConfigsTable {
  org_id: string;
  enabled: boolean;
  sync_groups: boolean;
  default_role: string | null;
  /** Days activity rows are kept (pruned after). */
  activity_retention_days: Generated<number>;
  /** When the org's IdP last sent an authenticated SCIM request. */
  last_request_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface ScimTokensTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  /** The token's public prefix (`scimd_` + 8 chars), shown to admins for recognition. */
  token_prefix: string;
  /** Hex SHA-256 of the whole token; the secret itself is never stored. */
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** An org's app roles (defaults admin, member, viewer); names are unique per org regardless of case. */
export interface OrgRolesTable {
  org_id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface RoleMappingsTable {
  id: Generated<string>;
  org_id: string;
  /** Normalised (trimmed, lower-cased) IdP role value. */
  idp_role_value: string;
  role: string;
  created_at: Generated<Date>;
}

/** Why a user has its app role: the PRODUCT.md role-resolution steps, recorded. */
export interface RoleSource {
  /** `mapping` (step 3), `default` (step 4), `none` (step 5) or `manual` (an admin set it). */
  kind: 'mapping' | 'default' | 'none' | 'manual';
  /** The `value` of the roles entry taken as primary, as received. */
  received?: string | null;
  /** Why that entry was taken: `primary` or `first`. */
  chosenBy?: 'primary' | 'first';
  /** The normalised label that was matched against the mappings. */
  normalized?: string | null;
  /** `manual` only: who set the role (`operator` or an admin's email) and when (ISO 8601). */
  setBy?: string;
  setAt?: string;
}

export interface ScimUsersTable {
  id: Generated<string>;
  /** Insertion order: a stable, indexed order for paging. */
  seq: Generated<string>;
  org_id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  display_name: string | null;
  /** The primary (else first) email value, extracted for search and sort. */
  email: string | null;
  /** The canonical SCIM document without id, meta, groups and password. */
  doc: JSONColumnType<Record<string, unknown>>;
  password_hash: string | null;
  version: Generated<number>;
  app_role: string | null;
  app_role_source: JSONColumnType<RoleSource> | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ScimGroupsTable {
  id: Generated<string>;
  seq: Generated<string>;
  org_id: string;
  display_name: string;
  external_id: string | null;
  /** The canonical SCIM document without id, meta and members. */
  doc: JSONColumnType<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ScimGroupMembersTable {
  org_id: string;
  group_id: string;
  user_id: string;
  created_at: Generated<Date>;
}

/** What a row of the activity log records; see src/activity/. */
export interface ActivityTable {
  id: Generated<string>;
  org_id: string | null;
  at: Generated<Date>;
  /** `scim` (an IdP request) or `admin` (a console/API action). */
  source: 'scim' | 'admin';
  /** The token name (scim) or the admin's email / `operator` (admin). */
  actor: string | null;
  token_id: string | null;
  method: string | null;
  path: string | null;
  /** create, update, deactivate, reactivate, delete, membership_add, membership_remove, lookup, … or the admin action name. */
  operation: string;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  status: number;
  scim_type: string | null;
  detail: string | null;
  duration_ms: number | null;
  diff: JSONColumnType<ActivityDiff> | null;
}

/** A compact before/after record of what a request changed; secrets never appear. */
export interface ActivityDiff {
  /** Changed attributes: `{path, before, after}`; values are the SCIM values (password excluded). */
  changes?: { path: string; before: unknown; after: unknown }[];
  membersAdded?: string[];
  membersRemoved?: string[];
  /** Set when the member lists above were cut to keep the row small. */
  membersTruncated?: { added: number; removed: number };
  /** Free-form details of admin actions (never secrets). */
  details?: Record<string, unknown>;
}

/** An org admin's console account (not a provisioned SCIM user); see src/accounts/. */
export interface ConsoleAdminsTable {
  id: Generated<string>;
  org_id: string;
  /** Lower-cased; unique across scimd (sign-in is by email). */
  email: string;
  /** argon2id PHC string; null until a password is set. */
  password_hash: string | null;
  password_set_at: Date | null;
  created_at: Generated<Date>;
}

/** One-time set-password links: only the SHA-256 of the secret is stored. */
export interface PasswordSetTokensTable {
  id: Generated<string>;
  admin_id: string;
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}

/** Console sessions; `id` is the SHA-256 (hex) of the cookie's secret. */
export interface ConsoleSessionsTable {
  id: string;
  admin_id: string;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  /** Absolute expiry, fixed at sign-in. */
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/** Failed sign-ins, counted for throttling (per email and per IP). */
export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  ip: string;
  at: Timestamp;
}

/**
 * Per-org counts of users and groups, kept by triggers (migration 0006); the
 * count of a type is the sum of its shards' `n` (a shard may be negative).
 */
export interface ScimResourceCountsTable {
  org_id: string;
  resource_type: 'User' | 'Group';
  shard: number;
  /** bigint: pg returns it as a string. */
  n: string;
}

export interface Database {
  scim_resource_counts: ScimResourceCountsTable;
  activity: ActivityTable;
  orgs: OrgsTable;
  scim_provisioning_configs: ScimProvisioningConfigsTable;
  scim_tokens: ScimTokensTable;
  role_mappings: RoleMappingsTable;
  org_roles: OrgRolesTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  console_admins: ConsoleAdminsTable;
  password_set_tokens: PasswordSetTokensTable;
  console_sessions: ConsoleSessionsTable;
  login_attempts: LoginAttemptsTable;
}

/** The transaction's time at millisecond precision: what `meta` timestamps show is exactly what is stored and filtered. */
export const nowMs = (): RawBuilder<Date> => sql<Date>`date_trunc('milliseconds', now())`;
