/**
 * Per-org resource counts (`scim_resource_counts`), so an unfiltered list's
 * `totalResults` (RFC 7644 §3.4.2) is a sum of a few rows instead of a
 * `count(*)` over every user of the org (a million-user org would pay ~100 ms a
 * page for it).
 *
 * Statement-level triggers with transition tables keep the counts in the same
 * transaction as the rows they count, whatever inserted or deleted them (SCIM,
 * Bulk, a cascade, a bulk SQL load), so the count can never drift from the
 * table. Each transaction adds to one shard row per org and type, chosen by its
 * backend: concurrent creates in one org then update different rows instead of
 * queueing on one hot row, and a transaction never holds two shards of one
 * counter, so two writers cannot deadlock on them. Readers sum the shards.
 *
 * No foreign key to `orgs`: a cascaded delete of an org's users fires the trigger
 * after the org row is gone.
 */
import { sql, type Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/** Shards per counter; a reader sums at most this many rows. */
export const COUNT_SHARDS = 32;

const countFunction = (name: string, resourceType: 'User' | 'Group', sign: '+' | '-') => sql.raw(`
  create function ${name}() returns trigger language plpgsql as $body$
  begin
    insert into scim_resource_counts (org_id, resource_type, shard, n)
      select org_id, '${resourceType}', pg_backend_pid() % ${COUNT_SHARDS}, ${sign}count(*) from changed group by org_id
      on conflict (org_id, resource_type, shard) do update set n = scim_resource_counts.n + excluded.n;
    return null;
  end
  $body$`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table scim_resource_counts (
      org_id uuid not null,
      resource_type text not null check (resource_type in ('User', 'Group')),
      shard smallint not null,
      n bigint not null,
      primary key (org_id, resource_type, shard)
    );
    insert into scim_resource_counts (org_id, resource_type, shard, n)
      select org_id, 'User', 0, count(*) from scim_users group by org_id;
    insert into scim_resource_counts (org_id, resource_type, shard, n)
      select org_id, 'Group', 0, count(*) from scim_groups group by org_id
  `);
  await countFunction('scim_users_counted_in', 'User', '+').execute(db);
  await countFunction('scim_users_counted_out', 'User', '-').execute(db);
  await countFunction('scim_groups_counted_in', 'Group', '+').execute(db);
  await countFunction('scim_groups_counted_out', 'Group', '-').execute(db);
  await runStatements(db, `
    create trigger scim_users_count_insert after insert on scim_users
      referencing new table as changed for each statement execute function scim_users_counted_in();
    create trigger scim_users_count_delete after delete on scim_users
      referencing old table as changed for each statement execute function scim_users_counted_out();
    create trigger scim_groups_count_insert after insert on scim_groups
      referencing new table as changed for each statement execute function scim_groups_counted_in();
    create trigger scim_groups_count_delete after delete on scim_groups
      referencing old table as changed for each statement execute function scim_groups_counted_out()
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop trigger scim_groups_count_delete on scim_groups;
    drop trigger scim_groups_count_insert on scim_groups;
    drop trigger scim_users_count_delete on scim_users;
    drop trigger scim_users_count_insert on scim_users;
    drop function scim_groups_counted_out();
    drop function scim_groups_counted_in();
    drop function scim_users_counted_out();
    drop function scim_users_counted_in();
    drop table scim_resource_counts
  `);
}
