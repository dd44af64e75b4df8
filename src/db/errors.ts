/** Recognising PostgreSQL errors by SQLSTATE, the same on `pg` and PGlite. */

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLSTATE 23505: a unique index refused the row. */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';

/** SQLSTATE 23503: a foreign key refused the row (e.g. a member deleted concurrently). */
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === '23503';

/** SQLSTATE 40001 / 40P01: a serialization failure or deadlock; the transaction may be retried. */
export const isRetryableConflict = (err: unknown): boolean => ['40001', '40P01'].includes(sqlState(err) ?? '');

/**
 * Network-level failures: the database could not be reached or the connection
 * died. Node's socket errors, and the messages `pg`/`pg-pool` raise without a
 * code (a pool that waited `connectionTimeoutMillis`, a connection that ended).
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNREACHABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|Connection ended unexpectedly)/;

/**
 * True when `err` says the database is unavailable rather than that the request
 * was wrong: SQLSTATE class 08 (connection exception), 57P01–57P03 (the server
 * is shutting down, crashed or starting), 53300 (too many connections), 57014
 * (query cancelled, e.g. statement_timeout), a socket error, or a connection
 * `pg` reports ended or timed out. Follows `cause` chains. Such a request was
 * not applied, or its transaction is decided by PostgreSQL's commit alone, so
 * the client should retry later (503 with Retry-After, RFC 9110 §15.6.4).
 * Source: PostgreSQL Appendix A "Error codes".
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = sqlState(e);
    if (code && (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code) || UNREACHABLE_CODES.has(code))) return true;
    if (e instanceof Error && UNREACHABLE_MESSAGES.test(e.message)) return true;
    // Node's connect to a name with several addresses fails with an AggregateError of each attempt.
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
