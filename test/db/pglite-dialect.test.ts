/**
 * The hand-written PGlite dialect (src/db/pglite-dialect.ts): transactions are
 * real (commit, rollback, isolation from concurrent queries), affected-row
 * counts are reported, and errors carry PostgreSQL's SQLSTATE.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/db/errors.js';
import { testDatabase } from '../support/db.js';
import type { DatabaseHandle } from '../../src/db/connect.js';

describe('PGlite dialect', () => {
  let h: DatabaseHandle;
  const table = `dialect_probe_${Date.now()}`;
  beforeAll(async () => {
    h = await testDatabase('pglite');
    await sql`create table ${sql.table(table)} (id int primary key, v text)`.execute(h.db);
  });
  afterAll(async () => {
    await sql`drop table ${sql.table(table)}`.execute(h.db);
  });

  it('commits a transaction', async () => {
    await h.db.transaction().execute(async (trx) => {
      await sql`insert into ${sql.table(table)} values (1, 'a')`.execute(trx);
    });
    const rows = await sql<{ v: string }>`select v from ${sql.table(table)} where id = 1`.execute(h.db);
    expect(rows.rows).toEqual([{ v: 'a' }]);
  });

  it('rolls back everything when the transaction throws', async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(table)} values (2, 'b')`.execute(trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await sql`select 1 from ${sql.table(table)} where id = 2`.execute(h.db);
    expect(rows.rows).toHaveLength(0);
  });

  it('keeps queries outside a transaction from running inside it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const trx = h.db.transaction().execute(async (t) => {
      await sql`insert into ${sql.table(table)} values (3, 'c')`.execute(t);
      await gate;
      throw new Error('rollback');
    });
    // This query must wait for the transaction (one PGlite session), so it cannot see row 3.
    const outside = sql`select count(*)::int as n from ${sql.table(table)} where id = 3`.execute(h.db);
    release();
    await expect(trx).rejects.toThrow('rollback');
    expect((await outside).rows).toEqual([{ n: 0 }]);
  });

  it('reports affected rows and SQLSTATE codes', async () => {
    const res = await sql`update ${sql.table(table)} set v = 'z' where id = 1`.execute(h.db);
    expect(res.numAffectedRows).toBe(1n);
    const err = await sql`insert into ${sql.table(table)} values (1, 'dup')`.execute(h.db).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });
});
