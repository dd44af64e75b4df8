/**
 * Resource timestamps at millisecond precision. `meta.created`/`lastModified` are
 * answered with milliseconds (ISO 8601 from JavaScript); storing microseconds made
 * `meta.lastModified gt "<the value the server returned>"` match the same
 * resource again on PostgreSQL, so a client syncing "modified since" looped.
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    update scim_users set created_at = date_trunc('milliseconds', created_at), updated_at = date_trunc('milliseconds', updated_at);
    update scim_groups set created_at = date_trunc('milliseconds', created_at), updated_at = date_trunc('milliseconds', updated_at);
    alter table scim_users alter column created_at set default date_trunc('milliseconds', now());
    alter table scim_users alter column updated_at set default date_trunc('milliseconds', now());
    alter table scim_groups alter column created_at set default date_trunc('milliseconds', now());
    alter table scim_groups alter column updated_at set default date_trunc('milliseconds', now())
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    alter table scim_users alter column created_at set default now();
    alter table scim_users alter column updated_at set default now();
    alter table scim_groups alter column created_at set default now();
    alter table scim_groups alter column updated_at set default now()
  `);
}
