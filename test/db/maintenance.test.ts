import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { analyzeEmbedded, maintainEmbedded } from '../../src/db/maintenance.js';
import { dialects, testDatabase } from '../support/db.js';

describe('embedded planner statistics', () => {
  it('ANALYZE gives PGlite the statistics autovacuum would', async () => {
    const h = await testDatabase('pglite');
    const org = await h.db.insertInto('orgs').values({ slug: `an-${randomBytes(4).toString('hex')}`, name: 'an' }).returning('id').executeTakeFirstOrThrow();
    await h.db.insertInto('scim_groups').values([1, 2, 3].map((i) => ({ org_id: org.id, display_name: `g${i}`, external_id: null, doc: JSON.stringify({ displayName: `g${i}` }) }))).execute();
    await analyzeEmbedded(h);
    const r = await sql<{ reltuples: number }>`select reltuples::float8 as reltuples from pg_class where relname = 'scim_groups'`.execute(h.db);
    // -1 means "never analyzed"; after ANALYZE it is the row count estimate.
    expect(r.rows[0]!.reltuples).toBeGreaterThanOrEqual(3);
  });
});

describe('embedded autovacuum stand-in', () => {
  it('vacuums and analyzes a table that grew by a fifth, and leaves it alone until it grows again', async () => {
    const h = await testDatabase('pglite');
    await maintainEmbedded(h); // whatever earlier tests left is now up to date
    expect(await maintainEmbedded(h)).toEqual([]);
    const org = await h.db.insertInto('orgs').values({ slug: `av-${randomBytes(4).toString('hex')}`, name: 'av' }).returning('id').executeTakeFirstOrThrow();
    const before = await sql<{ n: number }>`select count(*)::int as n from scim_users`.execute(h.db);
    const add = Math.max(3000, Math.ceil(before.rows[0]!.n * 0.4));
    await sql`insert into scim_users (org_id, user_name, doc, active)
      select ${org.id}::uuid, 'av' || g || '@x.test', jsonb_build_object('userName', 'av' || g || '@x.test', 'title', repeat('t', 200)), true
      from generate_series(1, ${add}) g`.execute(h.db);
    const due = await maintainEmbedded(h);
    expect(due).toContain('scim_users');
    const stats = await sql<{ reltuples: number; n: number }>`select c.reltuples::float8 as reltuples, (select count(*)::int from scim_users) as n
      from pg_class c where c.relname = 'scim_users' and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())`.execute(h.db);
    // VACUUM (ANALYZE) counted every row, so the planner knows the table's size.
    expect(stats.rows[0]!.reltuples).toBe(stats.rows[0]!.n);
    expect(await maintainEmbedded(h)).toEqual([]);
  });
});

describe.each(dialects())('room for HOT updates on %s (migration 0008)', (dialect) => {
  it('keeps users\' and groups\' new pages a fifth empty', async () => {
    const h = await testDatabase(dialect);
    const r = await sql<{ relname: string; reloptions: string[] | null }>`select relname, reloptions from pg_class
      where relname in ('scim_users', 'scim_groups') and relnamespace = (select oid from pg_namespace where nspname = current_schema()) order by relname`.execute(h.db);
    expect(r.rows).toEqual([
      { relname: 'scim_groups', reloptions: ['fillfactor=80'] },
      { relname: 'scim_users', reloptions: ['fillfactor=80'] },
    ]);
  });
});
