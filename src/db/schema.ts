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

export interface RoleMappingsTable {
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

export interface Database {
  orgs: OrgsTable;
  scim_provisioning_configs: ScimProvisioningConfigsTable;
  scim_tokens: ScimTokensTable;
  role_mappings: RoleMappingsTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
}

/** The transaction's time at millisecond precision: what `meta` timestamps show is exactly what is stored and filtered. */
export const nowMs = (): RawBuilder<Date> => sql<Date>`date_trunc('milliseconds', now())`;
