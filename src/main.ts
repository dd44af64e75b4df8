/**
 * The process entry for `scimd serve`: load config → open the database →
 * migrate → createApp → listen → stop cleanly on SIGINT/SIGTERM.
 */
import { createApp } from './app.js';
import { loadConfig, type Config } from './config/config.js';
import { migrateToLatest, openDatabase } from './db/connect.js';
import { loadOrCreateOperatorToken } from './operator-token.js';
import { schedulePruning } from './activity/retention.js';
import { scheduleAnalyze } from './db/maintenance.js';
import { safeError } from './http/errors.js';

/**
 * Starts the server; resolves once it listens. `close()` stops it gracefully:
 * new connections are refused, requests on connections already accepted are
 * served (with `Connection: close`), queued activity rows are written, then
 * the database closes (PGlite cleanly, so the next start needs no recovery).
 * @throws ConfigError, database errors.
 */
export async function serve(config: Readonly<Config> = loadConfig()): Promise<{ close(): Promise<void>; url: string }> {
  let log: (err: Error) => void = (err) => console.error(`database connection lost: ${err.message}`);
  const pool = { poolSize: config.dbPoolSize, connectTimeoutMs: config.dbConnectTimeoutMs, onIdleError: (err: Error) => log(err) };
  let handle;
  if (config.databaseUrl) {
    // Migrations run on a connection of their own without the query timeout: a new
    // index on a large table may take longer than any request should.
    const migrating = await openDatabase({ url: config.databaseUrl }, { ...pool, poolSize: 1 });
    try {
      await migrateToLatest(migrating.db);
    } finally {
      await migrating.close();
    }
    handle = await openDatabase({ url: config.databaseUrl }, { ...pool, queryTimeoutMs: config.dbQueryTimeoutMs });
  } else {
    handle = await openDatabase({ dataDir: config.dataDir });
    await migrateToLatest(handle.db);
  }
  const operator = loadOrCreateOperatorToken(config.dataDir, config.operatorToken);
  const app = createApp({
    db: handle.db,
    operatorToken: operator.token,
    publicUrl: config.publicUrl,
    maxPayloadBytes: config.maxPayloadBytes,
    maxPageSize: config.maxPageSize,
    bulkMaxOperations: config.bulkMaxOperations,
    maxFilterLength: config.maxFilterLength,
    maxFilterDepth: config.maxFilterDepth,
    maxFilterClauses: config.maxFilterClauses,
    maxPatchOperations: config.maxPatchOperations,
    maxMembersPerRequest: config.maxMembersPerRequest,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionMaxHours: config.sessionMaxHours,
    trustProxy: config.trustProxy,
    authFailures: { limit: config.authFailureLimit, windowMs: config.authFailureWindowSeconds * 1000 },
    // The embedded database's folder is locked to this process, so nothing else can revoke a token behind its back.
    cacheTokens: handle.kind === 'pglite',
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    metricsToken: config.metricsToken,
    poolStats: handle.poolStats,
  });
  log = (err) => app.log.warn({ err: safeError(err) }, 'an idle database connection failed; the pool replaced it');
  const address = await app.listen({ port: config.port, host: config.host });
  const where = handle.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  console.log(`scimd listening on ${address} (database: ${where})`);
  console.log(`SCIM base URL: ${config.publicUrl ?? address}/scim/v2`);
  console.log(`Admin console: ${config.publicUrl ?? address}/console   (admin API docs: /api/v1/docs)`);
  if (operator.source === 'generated') console.log(`operator token generated and written to ${operator.path} (mode 0600)`);
  else if (operator.source === 'file') console.log(`operator token: ${operator.path}`);
  else console.log('operator token: from SCIMD_OPERATOR_TOKEN');
  const stopPruning = schedulePruning(handle.db, (msg) => app.log.info(msg));
  const stopAnalyze = scheduleAnalyze(handle, (msg) => app.log.warn(msg));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopPruning();
      stopAnalyze();
      await app.close();
      await handle.close();
    })());
  return { close, url: address };
}
