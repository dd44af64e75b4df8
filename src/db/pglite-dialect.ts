/**
 * A Kysely dialect for PGlite (embedded PostgreSQL in WebAssembly), written on
 * Kysely's documented `Driver`/`DatabaseConnection` interfaces because the
 * community PGlite dialects pin PGlite ≤ 0.4 (their peer ranges) and Kysely's own
 * PGlite dialect ships only in 0.29, which needs Node 22.
 *
 * PGlite is one backend session, so the driver hands out one connection at a
 * time: a transaction holds it until commit/rollback, and every other query waits
 * its turn. That is what makes Kysely transactions real on PGlite.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiled.sql, [...compiled.parameters]);
    const isWrite = /^\s*(insert|update|delete|merge)/i.test(compiled.sql);
    return {
      rows: result.rows,
      ...(isWrite && result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect: streaming queries are not supported');
  }
}

/**
 * A FIFO lock: PGlite has one session, so one connection may be out at a time.
 * It counts who holds and who waits, the embedded counterpart of a pg Pool's
 * `totalCount`/`idleCount`/`waitingCount` (the /metrics pool gauges).
 */
class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  /** Callers queued behind the holder. */
  waiting = 0;
  /** 1 while a connection is out, else 0. */
  held = 0;

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    this.waiting++;
    try {
      await previous;
    } finally {
      this.waiting--;
    }
    this.held = 1;
    return () => {
      this.held = 0;
      release();
    };
  }
}

class PGliteDriver implements Driver {
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();
  constructor(
    private readonly pglite: PGlite,
    private readonly lock: ConnectionLock,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // PGlite answers through promises alone, so a chain of transactions (a Bulk of a
    // thousand creates) never gave the event loop a turn: no connection was accepted,
    // no timer ran and SIGTERM was not heard until it ended (test/faults/shutdown.test.ts).
    // One macrotask turn per transaction lets them in.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const release = await this.lock.acquire();
    const conn = new PGliteConnection(this.pglite);
    this.releases.set(conn, release);
    return conn;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await conn.executeQuery(CompiledQuery.raw(`begin${level}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    this.releases.get(conn)?.();
    this.releases.delete(conn);
  }

  async destroy(): Promise<void> {}
}

/**
 * The dialect: `new Kysely({ dialect: new PGliteDialect(pglite) })`. Closing the
 * PGlite instance stays the caller's job (it may outlive the Kysely instance).
 */
export class PGliteDialect implements Dialect {
  private readonly lock = new ConnectionLock();
  constructor(private readonly pglite: PGlite) {}

  /** The one session as a pool of one: `{total: 1, idle: 0|1, waiting}` (queries queued behind it). */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: 1, idle: 1 - this.lock.held, waiting: this.lock.waiting };
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.lock);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
