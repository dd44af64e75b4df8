#!/usr/bin/env node
// Starts the built scimd on a fresh embedded database, creates an org with SCIM
// and group sync enabled, and replays each `*.json` suite of the given folder with
// its `replay.mjs`, printing each suite's result line. Exit status 1 when any
// suite has a failing required step.
//
// Usage: node scripts/conformance.mjs ../shared/conformance [suite-name ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '../shared/conformance');
const only = process.argv.slice(3);
const suites = readdirSync(dir).filter((f) => f.endsWith('.json') && (!only.length || only.some((o) => f.startsWith(o)))).sort();

const freePort = () => new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });
const port = await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'scimd-conformance-'));
const operator = `ci-operator-${Date.now()}-0123456789`;
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ['bin/scimd.js', 'serve'], {
  env: { ...process.env, PORT: String(port), SCIMD_DATA_DIR: dataDir, SCIMD_OPERATOR_TOKEN: operator, DATABASE_URL: '', SCIMD_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () => { server.kill('SIGTERM'); rmSync(dataDir, { recursive: true, force: true }); };

async function admin(method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

let failed = 0;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 600) throw new Error('server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin('POST', '/orgs', { slug: 'conformance', name: 'Conformance' });
  await admin('PATCH', '/orgs/conformance/scim', { enabled: true, syncGroups: true });
  const { token } = await admin('POST', '/orgs/conformance/scim/tokens', { name: 'replay' });
  for (const suite of suites) {
    console.log(`== ${suite}`);
    const code = await new Promise((ok) => {
      spawn(process.execPath, [join(dir, 'replay.mjs'), join(dir, suite), '--base', `${base}/scim/v2`, '--token', token], { stdio: 'inherit' }).on('exit', ok);
    });
    if (code !== 0) failed++;
  }
} finally {
  stop();
}
process.exit(failed ? 1 : 0);
