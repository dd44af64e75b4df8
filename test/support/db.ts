/**
 * Test databases: one migrated database per dialect per test process, shared by
 * every test file (tests isolate themselves by creating their own org). PGlite
 * always; PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Opening a PGlite
 * costs seconds and ~450 MB, so it happens once.
 */
import pg from 'pg';
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
      const h = dialect === 'postgres' ? await openDatabase({ url: await freshSchemaUrl(process.env.TEST_DATABASE_URL!) }) : await openDatabase({ dataDir: 'memory://' });
      await migrateToLatest(h.db);
      return h;
    })();
    cache.set(dialect, handle);
  }
  return handle;
}

/**
 * A connection URL whose `search_path` is a new, empty schema of the given
 * database, so every run migrates from scratch instead of inheriting whatever
 * an earlier run (or an older branch) left in the shared `test` database.
 * Schemas of runs older than a day are dropped on the way.
 */
async function freshSchemaUrl(url: string): Promise<string> {
  const schema = `scimd_t_${Date.now()}_${process.pid}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const old = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname like 'scimd_t_%'");
    for (const { nspname } of old.rows) {
      const started = Number(nspname.split('_')[2]);
      if (Number.isFinite(started) && started < Date.now() - 86_400_000) await client.query(`drop schema if exists "${nspname}" cascade`);
    }
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
