/**
 * The operator credential: `SCIMD_OPERATOR_TOKEN` when set; otherwise generated
 * at first start and kept in `<data dir>/operator-token` (mode 0600), so the CLI
 * on the same machine can read it and a restart keeps it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPERATOR_TOKEN_FILE = 'operator-token';

/**
 * Returns the operator token and where it came from.
 * @throws when the data folder cannot be written.
 */
export function loadOrCreateOperatorToken(dataDir: string, fromEnv: string | undefined): { token: string; source: 'env' | 'file' | 'generated'; path?: string } {
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const path = join(dataDir, OPERATOR_TOKEN_FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, source: 'file', path };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = `scimd_op_${randomBytes(32).toString('base64url')}`;
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, source: 'generated', path };
}

/** Reads the operator token for the CLI: env first, then the data folder's file. */
export function readOperatorToken(dataDir: string, fromEnv: string | undefined): string | undefined {
  if (fromEnv) return fromEnv;
  const path = join(dataDir, OPERATOR_TOKEN_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
