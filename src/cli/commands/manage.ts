/**
 * Management commands over the admin API of a running server:
 * `org create`, `scim enable|disable`, `token create|list|revoke`.
 * `token create` prints only the token on stdout, so it composes in scripts.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { readOperatorToken } from '../../operator-token.js';

interface ApiError {
  message?: string;
}

/** Calls the admin API; throws with the server's message on a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const base = (process.env.SCIMD_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = readOperatorToken(resolve(process.env.SCIMD_DATA_DIR ?? './data'), process.env.SCIMD_OPERATOR_TOKEN?.trim() || undefined);
  if (!token) throw new Error('no operator token: set SCIMD_OPERATOR_TOKEN, or run from the folder whose ./data holds operator-token (or set SCIMD_DATA_DIR)');
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new Error(`cannot reach the scimd server at ${base} (start it with "npm start", or set SCIMD_URL)`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new Error(`${res.status}: ${(json as ApiError | undefined)?.message ?? text}`);
  return json as T;
}

const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));

export function registerManagementCommands(program: Command): void {
  const org = program.command('org').description('organisations');
  org
    .command('create <slug>')
    .description('create an organisation')
    .option('--name <name>', 'display name (defaults to the slug)')
    .action(async (slug: string, o: { name?: string }) => print(await api('POST', '/orgs', { slug, ...(o.name ? { name: o.name } : {}) })));

  const scim = program.command('scim').description('SCIM provisioning settings of an organisation');
  scim
    .command('enable <slug>')
    .description('enable SCIM for the organisation')
    .option('--sync-groups', 'also accept /Groups (group sync on)')
    .action(async (slug: string, o: { syncGroups?: boolean }) =>
      print(await api('PATCH', `/orgs/${encodeURIComponent(slug)}/scim`, { enabled: true, ...(o.syncGroups ? { syncGroups: true } : {}) })),
    );
  scim
    .command('disable <slug>')
    .description('disable SCIM: every SCIM call answers 403')
    .action(async (slug: string) => print(await api('PATCH', `/orgs/${encodeURIComponent(slug)}/scim`, { enabled: false })));

  const token = program.command('token').description('SCIM bearer tokens');
  token
    .command('create <slug>')
    .description('generate a token; prints only the token (shown this once)')
    .requiredOption('--name <label>', 'a name for the token, e.g. "Entra Production"')
    .option('--expires-at <iso>', 'expiry instant, e.g. 2027-01-01T00:00:00Z')
    .action(async (slug: string, o: { name: string; expiresAt?: string }) => {
      const t = await api<{ token: string }>('POST', `/orgs/${encodeURIComponent(slug)}/scim/tokens`, { name: o.name, ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}) });
      console.log(t.token);
    });
  token
    .command('list <slug>')
    .description('list tokens (never secrets)')
    .action(async (slug: string) => print(await api('GET', `/orgs/${encodeURIComponent(slug)}/scim/tokens`)));
  token
    .command('revoke <slug> <id>')
    .description('revoke a token at once')
    .action(async (slug: string, id: string) => {
      await api('DELETE', `/orgs/${encodeURIComponent(slug)}/scim/tokens/${encodeURIComponent(id)}`);
      console.log(`revoked ${id}`);
    });
}
