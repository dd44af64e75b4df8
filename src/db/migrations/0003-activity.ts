/**
 * The activity log: one row per SCIM request (written in the same transaction
 * as the change it made) and per admin action. `id` is the cursor for paging.
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table activity (
      id bigint generated always as identity primary key,
      org_id uuid references orgs(id) on delete cascade,
      at timestamptz not null default now(),
      source text not null,
      actor text,
      token_id uuid,
      method text,
      path text,
      operation text not null,
      target_type text,
      target_id text,
      target_name text,
      status integer not null,
      scim_type text,
      detail text,
      duration_ms integer,
      diff jsonb
    );
    create index activity_org_id on activity (org_id, id desc);
    create index activity_org_target on activity (org_id, target_id, id desc);
    create index activity_org_failures on activity (org_id, id desc) where status >= 400;
    create index activity_at on activity (at);
    alter table scim_provisioning_configs add column activity_retention_days integer not null default 30;
    alter table scim_provisioning_configs add column last_request_at timestamptz
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop table activity;
    alter table scim_provisioning_configs drop column activity_retention_days;
    alter table scim_provisioning_configs drop column last_request_at
  `);
}
