/**
 * Fault tests run the real server: `node bin/scimd.js serve` from the built
 * dist/, as an operator would, so SIGKILL, SIGTERM and a lost database hit a
 * real process with real sockets. This module builds dist/ when src/ is newer,
 * starts and stops such processes, makes fresh PostgreSQL schemas, and calls
 * the HTTP APIs with `fetch`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OPERATOR_TOKEN = 'faults-operator-token-0123456789';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ into dist/ (tsc only; the console is not needed here) when any source is newer than the build. */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = Math.min(statSync(join(ROOT, 'dist/cli/index.js')).mtimeMs, statSync(join(ROOT, 'dist/main.js')).mtimeMs);
  } catch {
    /* not built yet */
  }
  if (newestMtime(join(ROOT, 'src')) > built) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** A running `scimd serve`. */
export interface Scimd {
  proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `scimd serve` on a free port with the operator token, logging only warnings.
 * `env` adds to (and may override) those; the target is SCIMD_DATA_DIR or DATABASE_URL.
 * @throws when it exits or does not listen within `timeoutMs`.
 */
export async function startScimd(env: Record<string, string>, timeoutMs = 60_000): Promise<Scimd> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/scimd.js'), 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', SCIMD_OPERATOR_TOKEN: OPERATOR_TOKEN, SCIMD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scimd did not listen within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /scimd listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`scimd exited (${code}) before listening:\n${out}`));
    });
  });
  return { proc, origin, output: () => out, exited };
}

/** Sends SIGTERM and waits for the exit code. */
export async function stopScimd(s: Scimd): Promise<number | string> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
  return s.exited;
}

/**
 * A URL of TEST_DATABASE_URL's database whose search_path is a new, empty schema
 * (named like test/support/db.ts's, so its day-old cleanup drops it too).
 */
export async function freshPostgresUrl(label: string): Promise<{ url: string; schema: string }> {
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `scimd_t_${Date.now()}_${process.pid}_${label}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url: u.toString(), schema };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP call; the body is parsed when it is JSON. Rejects when the connection fails. */
export async function call(origin: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Answer> {
  const scim = path.startsWith('/scim/');
  const res = await fetch(origin + path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': scim ? 'application/scim+json' : 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Creates an org with SCIM (and group sync) on and one token, through the operator API. */
export async function newOrg(origin: string, slug: string): Promise<{ slug: string; id: string; token: string; tokenId: string }> {
  const org = await call(origin, 'POST', '/api/v1/orgs', { token: OPERATOR_TOKEN, body: { slug, name: slug } });
  if (org.status !== 201) throw new Error(`org create answered ${org.status}: ${JSON.stringify(org.body)}`);
  const scim = await call(origin, 'PATCH', `/api/v1/orgs/${slug}/scim`, { token: OPERATOR_TOKEN, body: { enabled: true, syncGroups: true } });
  if (scim.status !== 200) throw new Error(`scim settings answered ${scim.status}: ${JSON.stringify(scim.body)}`);
  const tok = await call(origin, 'POST', `/api/v1/orgs/${slug}/scim/tokens`, { token: OPERATOR_TOKEN, body: { name: 'faults' } });
  if (tok.status !== 201) throw new Error(`token create answered ${tok.status}: ${JSON.stringify(tok.body)}`);
  return { slug, id: org.body.id, token: tok.body.token, tokenId: tok.body.id };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pino's JSON log lines the server printed so far. */
export function logLines(s: Scimd): { msg?: string; req?: { method?: string; url?: string }; reqId?: string; res?: { statusCode?: number } }[] {
  return s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return {};
      }
    });
}

/** Waits until the server has logged `count` incoming requests matching `method` and `url` (needs SCIMD_LOG_LEVEL=info). */
export async function receivedRequests(s: Scimd, method: string, url: RegExp, count: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = logLines(s)
      .filter((l) => l.msg === 'incoming request' && l.req?.method === method && url.test(l.req?.url ?? ''))
      .map((l) => l.reqId!);
    if (ids.length >= count) return ids;
    if (Date.now() > deadline) throw new Error(`the server logged ${ids.length} of ${count} ${method} ${url} requests:\n${s.output().slice(-2000)}`);
    await sleep(20);
  }
}

/** True when the server has logged the completion of request `reqId`. */
export const completed = (s: Scimd, reqId: string) => logLines(s).some((l) => l.msg === 'request completed' && l.reqId === reqId);
