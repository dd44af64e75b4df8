/**
 * Better Auth with its SCIM plugin (@better-auth/scim) as a benchmark peer, on
 * SQLite through better-sqlite3 (a file in a fresh temp folder, WAL journal,
 * the default synchronous=FULL, so commits are durable), served by Node's
 * http server through Better Auth's Node handler. Written from the packages'
 * public documentation: one code-defined SCIM connection with one static bearer
 * credential; the schema is created at start with Better Auth's programmatic
 * migrations.
 *
 *   node bench/peers/setup.mjs better-auth    # once: installs the pinned packages outside the repo
 *   node bench/peers/better-auth.mjs [--port N] [--token T]
 *
 * SCIM base: http://127.0.0.1:<port>/api/auth/scim/v2 (Better Auth's default
 * base path /api/auth). Rate limiting and telemetry are off: the benchmark
 * sends thousands of requests a second from one address.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announce, peerImport, peerOptions, peerVersion, stopOnSignal } from './common.mjs';

const o = peerOptions('better-auth', 'Serves SCIM at http://127.0.0.1:<port>/api/auth/scim/v2 on SQLite in a temp folder; prints the base URL and the bearer token.');

const { betterAuth } = await peerImport(o.dir, 'better-auth');
const { toNodeHandler } = await peerImport(o.dir, 'better-auth/node');
const { getMigrations } = await peerImport(o.dir, 'better-auth/db/migration');
const { scim } = await peerImport(o.dir, '@better-auth/scim');
const Database = (await peerImport(o.dir, 'better-sqlite3')).main;

const dataDir = mkdtempSync(join(tmpdir(), 'scimd-peer-better-auth-'));
const sqlite = new Database(join(dataDir, 'auth.db'));
sqlite.pragma('journal_mode = WAL');

let handler = (_req, res) => {
  res.statusCode = 503;
  res.end('starting');
};
const server = createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 65_000;
await new Promise((resolve) => server.listen(o.port, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const auth = betterAuth({
  baseURL: origin,
  secret: randomBytes(32).toString('hex'),
  database: sqlite,
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'warn' },
  plugins: [
    scim({
      connections: [{ id: 'benchmark', credentials: [{ type: 'bearer', id: 'benchmark-token', token: o.token }] }],
    }),
  ],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
handler = toNodeHandler(auth);

announce({
  peer: 'better-auth',
  base: `${origin}/api/auth/scim/v2`,
  token: o.token,
  versions: Object.fromEntries(['better-auth', '@better-auth/scim', 'better-sqlite3'].map((n) => [n, peerVersion(o.dir, n)])),
  store: `SQLite ${sqlite.prepare('select sqlite_version() as v').get().v} (better-sqlite3), WAL, synchronous=FULL, ${join(dataDir, 'auth.db')}`,
});
stopOnSignal(server, () => {
  sqlite.close();
  rmSync(dataDir, { recursive: true, force: true });
});
