/**
 * The first schema: organisations, SCIM settings and tokens, role mappings,
 * users, groups and memberships. Migrations are append-only: never edit one that
 * has shipped, add the next file instead.
 */
import { sql, type Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table orgs (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique,
      name text not null,
      created_at timestamptz not null default now()
    );
    create table scim_provisioning_configs (
      org_id uuid primary key references orgs(id) on delete cascade,
      enabled boolean not null default false,
      sync_groups boolean not null default false,
      default_role text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create table scim_tokens (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      name text not null,
      token_prefix text not null,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    );
    create index scim_tokens_org on scim_tokens (org_id, created_at);
    create table role_mappings (
      org_id uuid not null references orgs(id) on delete cascade,
      idp_role_value text not null,
      role text not null,
      created_at timestamptz not null default now(),
      primary key (org_id, idp_role_value)
    );
    create table scim_users (
      id uuid primary key default gen_random_uuid(),
      seq bigint generated always as identity,
      org_id uuid not null references orgs(id) on delete cascade,
      user_name text not null,
      external_id text,
      active boolean not null default true,
      display_name text,
      email text,
      doc jsonb not null,
      password_hash text,
      version integer not null default 1,
      app_role text,
      app_role_source jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- userName is unique per org and compared case-insensitively (RFC 7643 §4.1, PRODUCT.md).
    create unique index scim_users_user_name on scim_users (org_id, lower(user_name));
    create index scim_users_external_id on scim_users (org_id, external_id);
    create index scim_users_email on scim_users (org_id, lower(email));
    create index scim_users_seq on scim_users (org_id, seq);
    create table scim_groups (
      id uuid primary key default gen_random_uuid(),
      seq bigint generated always as identity,
      org_id uuid not null references orgs(id) on delete cascade,
      display_name text not null,
      external_id text,
      doc jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index scim_groups_display_name on scim_groups (org_id, lower(display_name));
    create index scim_groups_external_id on scim_groups (org_id, external_id);
    create index scim_groups_seq on scim_groups (org_id, seq);
    create table scim_group_members (
      org_id uuid not null references orgs(id) on delete cascade,
      group_id uuid not null references scim_groups(id) on delete cascade,
      user_id uuid not null references scim_users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (group_id, user_id)
    );
    create index scim_group_members_user on scim_group_members (user_id);
  `);
}
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table scim_group_members, scim_groups, scim_users, role_mappings, scim_tokens, scim_provisioning_configs, orgs`.execute(db);
}
