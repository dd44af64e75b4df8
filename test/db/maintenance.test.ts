import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { analyzeEmbedded } from '../../src/db/maintenance.js';
import { testDatabase } from '../support/db.js';

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
