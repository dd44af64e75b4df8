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
