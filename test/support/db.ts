/**
 * Test databases: one migrated database per dialect per test process, shared by
 * every test file (tests isolate themselves by creating their own org). PGlite
 * always; PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Opening a PGlite
 * costs seconds and ~450 MB, so it happens once.
 */
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/connect.js';

export type Dialect = 'pglite' | 'postgres';

/** The dialects this run covers: `['pglite']`, plus `'postgres'` when TEST_DATABASE_URL is set. */
export function dialects(): Dialect[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

// Kept on globalThis so a module re-evaluated by the runner still finds the open handles.
const cache = ((globalThis as { __scimdTestDbs?: Map<Dialect, Promise<DatabaseHandle>> }).__scimdTestDbs ??= new Map());

/** The shared, migrated database of `dialect`. */
export function testDatabase(dialect: Dialect): Promise<DatabaseHandle> {
  let handle = cache.get(dialect);
  if (!handle) {
    handle = (async () => {
      const h = dialect === 'postgres' ? await openDatabase({ url: process.env.TEST_DATABASE_URL! }) : await openDatabase({ dataDir: 'memory://' });
      await migrateToLatest(h.db);
      return h;
    })();
    cache.set(dialect, handle);
  }
  return handle;
}
