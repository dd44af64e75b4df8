/**
 * Leave a fifth of each new page of `scim_users` and `scim_groups` free, so an
 * update can put the new row version on the same page and, when no indexed
 * column changed, skip every index (a HOT update, PostgreSQL docs "Heap-Only
 * Tuples"). Most SCIM writes change no indexed column: `active`, a title, a
 * group membership's version bump. Full pages made each such update add an entry
 * to all five user indexes, which also left a deep page's index walk twice as
 * long after a sync had touched every user. Existing pages keep their layout
 * until they are rewritten.
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    alter table scim_users set (fillfactor = 80);
    alter table scim_groups set (fillfactor = 80)
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    alter table scim_users reset (fillfactor);
    alter table scim_groups reset (fillfactor)
  `);
}
