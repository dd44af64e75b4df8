/**
 * The log scan (issue 6, "Secrets"): the real server (`node bin/scimd.js serve`,
 * built, at the most verbose level, trace) runs a full workload — orgs, several
 * SCIM tokens, a regenerated and a revoked token, SCIM writes carrying `password`
 * (create, PATCH by path and by value, PUT, Bulk), wrong tokens, a console admin
 * who signs in, changes something and signs out, an invitation's set-password
 * link, /metrics — and then every byte it wrote to stdout and stderr is searched
 * for every secret it handed out or was given, raw, base64, base64url and
 * URL-encoded. None may appear. On embedded PGlite, and on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { ensureBuilt } from '../faults/support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

interface Server {
  child: ChildProcess;
  origin: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** SIGTERM, then the exit; SIGKILL after 30 s. */
  stop: () => Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/scimd.js'), 'serve'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c));
  const output = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /scimd listening on (http:\/\/\S+)/.exec(output());
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`scimd exited (${code}) before listening:\n${output()}`));
    });
  });
  return {
    child,
    origin,
    output,
    stop: async () => {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}

interface Call {
  token?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
  contentType?: string;
}

/**
 * Drives the workload against `origin`; returns every secret that passed through
 * the server and how many requests were made.
 */
async function workload(origin: string, operatorToken: string, metricsToken: string): Promise<{ secrets: Map<string, string>; requests: number; orgIds: string[] }> {
  const secrets = new Map<string, string>([['operator token', operatorToken], ['metrics token', metricsToken]]);
  let requests = 0;
  const http = async (method: string, path: string, c: Call = {}) => {
    // Probes and scrapes log below info (src/http/logging.ts PROBE_LOG_LEVEL): no lines to count.
    if (!/^\/(metrics|healthz|readyz)\b/.test(path)) requests++;
    const headers: Record<string, string> = {};
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.cookie) headers.cookie = `scimd_session=${c.cookie}`;
    if (c.csrf) headers['x-csrf-token'] = c.csrf;
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? (path.startsWith('/scim') ? 'application/scim+json' : 'application/json');
    const res = await fetch(`${origin}${path}`, { method, headers, ...(c.body !== undefined ? { body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body) } : {}) });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, setCookie: res.headers.getSetCookie() };
  };
  const op = (method: string, path: string, body?: unknown) => http(method, `/api/v1${path}`, { token: operatorToken, body });
  const expectStatus = (r: { status: number; json: unknown }, status: number, what: string) => expect(r.status, `${what}: ${JSON.stringify(r.json)}`).toBe(status);
  const password = (label: string) => {
    const p = `Pw-${label}-${randomBytes(9).toString('base64url')}`;
    secrets.set(`password (${label})`, p);
    return p;
  };

  // Operator: two orgs, SCIM on, tokens issued, one regenerated, one revoked.
  const orgs = [`acme-${randomBytes(3).toString('hex')}`, `globex-${randomBytes(3).toString('hex')}`];
  const orgIds: string[] = [];
  const tokens: Record<string, { id: string; token: string }[]> = {};
  for (const slug of orgs) {
    const created = await op('POST', '/orgs', { slug, name: slug });
    expectStatus(created, 201, 'create org');
    orgIds.push(created.json.id);
    expectStatus(await op('PATCH', `/orgs/${slug}/scim`, { enabled: true, syncGroups: true }), 200, 'enable SCIM');
    tokens[slug] = [];
    for (const name of ['Entra production', 'Okta staging']) {
      const t = await op('POST', `/orgs/${slug}/scim/tokens`, { name });
      expectStatus(t, 201, 'issue token');
      tokens[slug].push({ id: t.json.id, token: t.json.token });
      secrets.set(`SCIM token ${slug}/${name}`, t.json.token);
    }
    expectStatus(await op('GET', `/orgs/${slug}/scim/tokens`), 200, 'list tokens');
  }
  const [a, b] = orgs as [string, string];
  const regenerated = await op('POST', `/orgs/${a}/scim/tokens/${tokens[a]![1]!.id}/regenerate`);
  expectStatus(regenerated, 201, 'regenerate');
  secrets.set('regenerated SCIM token', regenerated.json.token);
  expectStatus(await op('DELETE', `/orgs/${b}/scim/tokens/${tokens[b]![1]!.id}`), 204, 'revoke');

  // SCIM traffic with passwords, as org A's IdP.
  const idp = tokens[a]![0]!.token;
  const scim = (method: string, path: string, body?: unknown, token = idp) => http(method, `/scim/v2${path}`, { token, body });
  const user = await scim('POST', '/Users', { schemas: [USER], userName: `ada-${randomBytes(3).toString('hex')}@example.com`, password: password('create'), active: true });
  expectStatus(user, 201, 'SCIM create');
  const id = user.json.id as string;
  expectStatus(await scim('GET', `/Users/${id}`), 200, 'SCIM get');
  expectStatus(await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: password('patch-path') }] }), 200, 'PATCH password by path');
  expectStatus(await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { password: password('patch-value') } }] }), 200, 'PATCH password by value');
  expectStatus(await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: user.json.userName, password: password('put'), active: true }), 200, 'PUT');
  expectStatus(await scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${user.json.userName}"` }), 200, '.search');
  expectStatus(await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.json.userName}"`)}`), 200, 'filter');
  const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineers', members: [{ value: id }] });
  expectStatus(group, 201, 'group');
  const bulk = await scim('POST', '/Bulk', {
    schemas: [BULK],
    Operations: [
      { method: 'POST', bulkId: 'u1', path: '/Users', data: { schemas: [USER], userName: `bulk-${randomBytes(3).toString('hex')}`, password: password('bulk-create') } },
      { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: password('bulk-patch') }] } },
      { method: 'PUT', path: `/Users/${id}`, data: { schemas: [USER], userName: user.json.userName, password: password('bulk-put') } },
    ],
  });
  expectStatus(bulk, 200, 'bulk');
  expect(bulk.json.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '200', '200']);
  // A body the server cannot parse is not logged either, password and all.
  expectStatus(await scim('POST', '/Users', `{"schemas":["${USER}"],"userName":"broken","password":"${password('malformed')}"`), 400, 'malformed JSON');
  expectStatus(await scim('DELETE', `/Users/${id}`), 204, 'delete');
  // As org B with its live token, and refusals: random tokens, a regenerated-away token, a revoked one.
  expectStatus(await scim('GET', '/Users', undefined, tokens[b]![0]!.token), 200, 'org B');
  for (let i = 0; i < 3; i++) {
    const wrong = `scimd_${randomBytes(32).toString('base64url')}`;
    secrets.set(`wrong token ${i}`, wrong);
    expectStatus(await scim('GET', '/Users', undefined, wrong), 401, 'wrong token');
  }
  expectStatus(await scim('GET', '/Users', undefined, tokens[a]![1]!.token), 401, 'regenerated-away token');
  expectStatus(await scim('GET', '/Users', undefined, tokens[b]![1]!.token), 401, 'revoked token');
  expectStatus(await scim('GET', '/Users', undefined, regenerated.json.token), 200, 'regenerated token');
  const wrongOperator = `${operatorToken.slice(0, -4)}Zz9Q`;
  secrets.set('wrong operator token', wrongOperator);
  expectStatus(await http('GET', '/api/v1/orgs', { token: wrongOperator }), 401, 'wrong operator token');

  // A console admin: created with a password, a wrong sign-in, a sign-in, a change, sign-out.
  const email = `owner-${randomBytes(3).toString('hex')}@example.com`;
  const adminPassword = password('admin');
  expectStatus(await op('POST', `/orgs/${a}/admins`, { email, password: adminPassword }), 201, 'create admin');
  expectStatus(await http('POST', '/api/v1/session', { body: { email, password: password('wrong-sign-in') } }), 401, 'wrong password');
  const signIn = async (who: string, pw: string) => {
    const s = await http('POST', '/api/v1/session', { body: { email: who, password: pw } });
    expectStatus(s, 200, 'sign in');
    const raw = s.setCookie.map((c) => /^scimd_session=([^;]*)/.exec(c)?.[1]).find(Boolean)!;
    secrets.set(`session cookie of ${who}`, raw);
    secrets.set(`session cookie of ${who}, decoded`, decodeURIComponent(raw));
    secrets.set(`CSRF token of ${who}`, s.json.csrfToken);
    return { cookie: raw, csrf: s.json.csrfToken as string };
  };
  const session = await signIn(email, adminPassword);
  expectStatus(await http('GET', '/api/v1/session', { cookie: session.cookie }), 200, 'session');
  const fromConsole = await http('POST', `/api/v1/orgs/${a}/scim/tokens`, { ...session, body: { name: 'from the console' } });
  expectStatus(fromConsole, 201, 'token from the console');
  secrets.set('token issued in the console', fromConsole.json.token);
  expectStatus(await http('POST', `/api/v1/orgs/${a}/scim/tokens`, { cookie: session.cookie, body: { name: 'no csrf' } }), 403, 'change without CSRF');
  const invited = await http('POST', `/api/v1/orgs/${a}/admins`, { ...session, body: { email: `invitee-${email}` } });
  expectStatus(invited, 201, 'invite');
  const setPasswordToken = decodeURIComponent(/#token=(.+)$/.exec(invited.json.setPasswordUrl)![1]!);
  secrets.set('set-password token', setPasswordToken);
  expectStatus(await http('DELETE', '/api/v1/session', session), 204, 'sign out');
  expectStatus(await http('GET', '/api/v1/session', { cookie: session.cookie }), 401, 'signed-out cookie');
  // The invitee sets a password with the link's token and signs in.
  const inviteePassword = password('invitee');
  expectStatus(await http('POST', '/api/v1/password', { body: { token: setPasswordToken, password: inviteePassword } }), 200, 'set password');
  expectStatus(await http('POST', '/api/v1/password', { body: { token: setPasswordToken, password: password('reused-link') } }), 401, 'reused link');
  const second = await signIn(`invitee-${email}`, inviteePassword);
  expectStatus(await http('DELETE', '/api/v1/session', second), 204, 'sign out');

  // Metrics: the scraper's token, the operator's, a wrong one.
  expectStatus(await http('GET', '/metrics', { token: metricsToken }), 200, 'metrics');
  expectStatus(await http('GET', '/metrics', { token: operatorToken }), 200, 'metrics (operator)');
  expectStatus(await http('GET', '/metrics', { token: idp }), 401, 'metrics with a SCIM token');
  return { secrets, requests, orgIds };
}

/** The forms a secret could take in a log line. */
const encodingsOf = (secret: string): Record<string, string> => ({
  raw: secret,
  base64: Buffer.from(secret).toString('base64'),
  base64url: Buffer.from(secret).toString('base64url'),
  'URL-encoded': encodeURIComponent(secret),
  'Bearer, base64': Buffer.from(`Bearer ${secret}`).toString('base64'),
});

describe.each(dialects())('log scan of a full run of the real server (%s)', (dialect) => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('writes no issued token, password, session cookie, CSRF token or the operator token, in any encoding, at trace level', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scimd-logscan-'));
    const metricsToken = `metrics-${randomBytes(24).toString('base64url')}`;
    let schema: string | undefined;
    const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', SCIMD_DATA_DIR: dataDir, SCIMD_LOG_LEVEL: 'trace', SCIMD_METRICS_TOKEN: metricsToken };
    if (dialect === 'postgres') {
      schema = `scimd_logscan_${Date.now()}_${process.pid}`;
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`create schema "${schema}"`);
      await client.end();
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = url.toString();
    }
    let server: Server | undefined;
    try {
      server = await startServer(env);
      // No SCIMD_OPERATOR_TOKEN: the server generates one and writes it to the data folder.
      const operatorToken = readFileSync(join(dataDir, 'operator-token'), 'utf8').trim();
      const { secrets, requests, orgIds } = await workload(server.origin, operatorToken, metricsToken);
      expect(await server.stop()).toBe(0);
      const output = server.output();

      expect(secrets.size).toBeGreaterThanOrEqual(25);
      const found: string[] = [];
      for (const [what, secret] of secrets) {
        expect(secret.length, what).toBeGreaterThanOrEqual(16);
        for (const [form, encoded] of Object.entries(encodingsOf(secret))) if (output.includes(encoded)) found.push(`${what} (${form})`);
      }
      expect(found).toEqual([]);

      // The run was logged, verbosely: a completion line per request, headers (redacted) at trace.
      const records = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
      expect(records.filter((r) => r.msg === 'request completed').length).toBe(requests);
      expect(records.filter((r) => r.msg === 'request headers').length).toBe(requests);
      expect(records.some((r) => r.headers?.authorization === '[redacted]')).toBe(true);
      expect(records.some((r) => r.headers?.cookie === '[redacted]')).toBe(true);
      expect(records.some((r) => r.headers?.['set-cookie'] === '[redacted]')).toBe(true);
      for (const orgId of orgIds) expect(records.some((r) => r.orgId === orgId && r.msg === 'request completed')).toBe(true);
    } finally {
      if (server && server.child.exitCode === null && server.child.signalCode === null) await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    }
  }, 300_000);
});
