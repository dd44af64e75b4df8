/**
 * The activity log is read newest first by time (`at`, then `id`), no longer by
 * `id` alone: the rows of reads are written in batches after their answer
 * (src/activity/scim-activity.ts ActivityBuffer), so an id no longer tells
 * which of a read and a write came first, while `at` (the process clock at
 * microsecond resolution for every row: activityTime()) does. The indexes follow the new order.
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create index activity_org_at on activity (org_id, at desc, id desc);
    create index activity_org_target_at on activity (org_id, target_id, at desc, id desc);
    create index activity_org_failures_at on activity (org_id, at desc, id desc) where status >= 400;
    drop index activity_org_id;
    drop index activity_org_target;
    drop index activity_org_failures
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create index activity_org_id on activity (org_id, id desc);
    create index activity_org_target on activity (org_id, target_id, id desc);
    create index activity_org_failures on activity (org_id, id desc) where status >= 400;
    drop index activity_org_failures_at;
    drop index activity_org_target_at;
    drop index activity_org_at
  `);
}
