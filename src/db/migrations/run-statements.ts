import { sql, type Kysely } from 'kysely';

/**
 * Runs a `;`-separated DDL script one statement at a time, because PGlite (like
 * any extended-protocol client) refuses several commands in one prepared
 * statement. Lines starting with `--` are comments. Statements must not contain
 * `;` inside literals.
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements) await sql.raw(statement).execute(db);
}
