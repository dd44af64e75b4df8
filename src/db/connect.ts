/**
 * Opens the one database scimd uses: PostgreSQL through `pg` when a
 * `postgres://` URL is given, otherwise embedded PGlite in a data folder. Both
 * speak the same SQL; nothing above this module knows which one runs.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { lockDataDir } from './data-dir-lock.js';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';

/** An open database handle. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** Connections now: PostgreSQL's pg Pool counts; PGlite's one session and the queries queued behind it. */
  poolStats(): PoolStats;
  /** Closes the Kysely pool and, for PGlite, the embedded instance. */
  close(): Promise<void>;
}

/**
 * A connection pool's state, as `pg.Pool` reports it: `total` connections open,
 * `idle` ones of them, and `waiting` callers queued for one (counts, not rates).
 */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** How the PostgreSQL pool behaves (PGlite ignores these: it has no connections). */
export interface PoolOptions {
  /** Most connections this process opens (default 10). */
  poolSize?: number;
  /** Milliseconds to wait for a connection before the query fails (default 5000). */
  connectTimeoutMs?: number;
  /** Milliseconds a query may wait for its answer before it fails (`pg` query_timeout); 0 or unset: no limit. */
  queryTimeoutMs?: number;
  /** Told about an idle connection's failure (the pool has discarded it). */
  onIdleError?: (err: Error) => void;
}

/** Where to connect: `{url}` for PostgreSQL, `{dataDir}` for PGlite (`memory://` keeps it in memory). */
export type DatabaseTarget = { url: string } | { dataDir: string; loadDataDir?: Blob };

// PostgreSQL returns bigint (int8) as a string; timestamps stay Date objects.
pg.types.setTypeParser(20, (v: string) => v);

/**
 * Opens the database; does not migrate (see `migrateToLatest`). A PGlite data
 * folder is made owner-only (0700) and locked to this process.
 * @throws DataDirLockedError when another process holds the data folder; when
 * PostgreSQL is unreachable or the folder cannot be opened.
 */
export async function openDatabase(target: DatabaseTarget, options: PoolOptions = {}): Promise<DatabaseHandle> {
  if ('url' in target) {
    // JIT compiles any plan costed above jit_above_cost, which at a million users
    // includes a deep page: ~7 ms of compiling for a query that runs in less
    // (docs/benchmarks.md). scimd's queries are all short; no JIT pays off. Set as a
    // startup option (no extra statement), after any `options` the URL gives.
    const urlOptions = new URL(target.url).searchParams.get('options');
    const pool = new pg.Pool({
      connectionString: target.url,
      max: options.poolSize ?? 10,
      options: [urlOptions, '-c jit=off'].filter(Boolean).join(' '),
      // Without a bound, a request waits forever for a connection to a database that
      // does not answer; with one it fails and answers 503 (src/http/errors.ts).
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      // 0 means none (pg's own default): `scimd migrate` and the start-up migration may run long.
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
      // A peer that vanished without closing (a failover, a cut network) is noticed by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // An idle pooled connection that dies (PostgreSQL restarted, a proxy cut it) makes
    // the pool emit 'error'; unheard, that event ends the process. The pool has
    // already dropped the connection and opens a fresh one on the next checkout.
    pool.on('error', (err) => options.onIdleError?.(err));
    // A connection that dies while checked out but between queries (inside a
    // transaction, say) emits 'error' on its client, where the pool does not
    // listen: that too ended the process (found by test/faults/outage.test.ts). The
    // query that follows fails and the pool discards the client on release.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }), close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let release = () => {};
  if (!target.dataDir.startsWith('memory://')) {
    // Owner-only: the folder holds every org's users, password hashes and token hashes.
    mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(target.dataDir, 0o700);
    release = lockDataDir(target.dataDir);
  }
  try {
    const pglite = await PGlite.create(target.dataDir, target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
    const dialect = new PGliteDialect(pglite);
    const db = new Kysely<Database>({ dialect });
    return {
      db,
      kind: 'pglite',
      poolStats: () => dialect.poolStats(),
      close: async () => {
        await db.destroy();
        await pglite.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** scimd's migrator, its bookkeeping in the connection's own schema. */
async function migratorOf(db: Kysely<Database>): Promise<Migrator> {
  // Kysely looks for its bookkeeping tables in `public` unless told otherwise; name
  // the connection's own schema so a custom search_path (one schema per tenant of
  // the database, or per test run) keeps everything together.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: 'scimd_migrations',
    migrationLockTableName: 'scimd_migrations_lock',
    ...(rows[0]?.schema ? { migrationTableSchema: rows[0].schema } : {}),
  });
}

/**
 * Names of the migrations this build knows that the database has not applied
 * (empty when it is current).
 * @throws when the database cannot be reached.
 */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await (await migratorOf(db)).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Applies every pending migration in order, inside a lock so concurrent
 * instances starting against one PostgreSQL cannot race.
 * @returns the names of migrations applied by this call.
 * @throws the first migration error, after rolling that migration back.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await (await migratorOf(db)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the database answers a trivial query. */
export async function ping(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
