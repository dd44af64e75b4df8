/**
 * Side-by-side run: scimd and each peer SCIM server under the same scenarios,
 * one after the other on this machine, with bench/run.mjs (a peer through
 * `--base URL --token T`). Prints each target's table, then one comparison
 * table, and writes everything to bench/results/peers-<timestamp>.json.
 *
 *   npm run bench:peers                            # scimd (PGlite), scimmy, better-auth; 500 users, 10 connections, 10 s each
 *   npm run bench:peers -- --peers scimmy --no-scimd -- --duration 3 --warmup 1
 *
 * Options before a lone `--` are this script's; everything after it goes to
 * every bench/run.mjs run (e.g. --duration, --warmup, --only, --groups,
 * --database-url for scimd). Peers that are not installed are installed first
 * (bench/peers/setup.mjs: pinned versions, outside the repo).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensure, PEERS, peerDir } from './setup.mjs';

const peersDir = dirname(fileURLToPath(import.meta.url));
const benchDir = resolve(peersDir, '..');

/**
 * Per-peer request-shape adjustments, each a documented bench/run.mjs option
 * (docs/benchmarks.md#peers). Everything else is the same request for every target.
 */
const BENCH_ARGS = {
  // scimmy validates PATCH values against the schema: "False" for the boolean `active` is a 400.
  scimmy: ['--boolean-active'],
  'better-auth': [],
};

const HELP = `Usage: node bench/peers/run.mjs [options] [-- bench/run.mjs options]

  --peers a,b        peers to run (default: ${Object.keys(PEERS).join(',')})
  --no-scimd         do not run scimd itself
  --users N          users to seed on every target (500)
  --connections N    concurrent connections (10)
  --out FILE         combined JSON (default bench/results/peers-<timestamp>.json)
`;

const log = (m) => process.stderr.write(`${m}\n`);

function options() {
  const argv = process.argv.slice(2);
  const cut = argv.indexOf('--');
  const own = cut < 0 ? argv : argv.slice(0, cut);
  const rest = cut < 0 ? [] : argv.slice(cut + 1);
  const { values } = parseArgs({
    args: own,
    options: {
      peers: { type: 'string' },
      'no-scimd': { type: 'boolean', default: false },
      users: { type: 'string', default: '500' },
      connections: { type: 'string', default: '10' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const peers = values.peers ? values.peers.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(PEERS);
  for (const p of peers) if (!PEERS[p]) throw new Error(`unknown peer "${p}"; known: ${Object.keys(PEERS).join(', ')}`);
  for (const a of ['--base', '--token', '--server-pid', '--out']) if (rest.includes(a)) throw new Error(`${a} is set by this script; do not pass it after --`);
  return { peers, scimd: !values['no-scimd'], users: values.users, connections: values.connections, out: values.out, rest };
}

/** Runs bench/run.mjs with `args`, its output passed through; resolves with its JSON results. */
function bench(args, jsonFile) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(benchDir, 'run.mjs'), ...args, '--out', jsonFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench/run.mjs exited with ${signal ?? code}`));
      try {
        resolvePromise(JSON.parse(readFileSync(jsonFile, 'utf8')));
      } catch (err) {
        reject(new Error(`bench/run.mjs wrote no readable results (${err.message})`));
      }
    });
  });
}

/** Starts a peer wrapper; resolves once it printed its base URL and token. */
function startPeer(peer, token) {
  const child = spawn(process.execPath, [join(peersDir, PEERS[peer].wrapper), '--token', token, '--dir', peerDir(peer)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const tail = [];
  const info = {};
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${peer} did not start within 120 s:\n${tail.join('\n')}`)), 120_000);
    let buffered = '';
    const consume = (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trimEnd();
        buffered = buffered.slice(nl + 1);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        let m;
        if ((m = /^SCIM base URL: (\S+)/.exec(line))) info.base = m[1];
        else if ((m = /^bearer token: (\S+)/.exec(line))) info.token = m[1];
        else if (line.startsWith(`${peer} peer: `)) info.description = line.slice(peer.length + 7);
        else log(`  [${peer}] ${line.slice(0, 300)}`);
        if (info.base && info.token) {
          clearTimeout(timer);
          resolveReady(info);
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', consume);
    child.stderr.setEncoding('utf8').on('data', consume);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${peer} exited (${signal ?? code}) before it was ready:\n${tail.join('\n')}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  return { pid: child.pid, ready, stop };
}

const fmt = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(d));

/** One Markdown table: a row per scenario, req/s and p99 ms per target. */
function comparison(runs) {
  const ok = runs.filter((r) => r.results);
  const names = [];
  for (const r of ok) for (const s of r.results.scenarios) if (!names.includes(s.name)) names.push(s.name);
  const header = ['scenario', ...ok.flatMap((r) => [`${r.name} req/s`, `${r.name} p99 ms`])];
  const rows = names.map((n) => [
    n,
    ...ok.flatMap((r) => {
      const s = r.results.scenarios.find((x) => x.name === n);
      if (!s) return ['-', '-'];
      const mark = s.errors || s.unexpected ? '!' : '';
      return [`${fmt(s.reqPerSec)}${mark}`, fmt(s.p99Ms, 1)];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

async function main() {
  const o = options();
  const startedAt = new Date();
  const installed = ensure(o.peers, log);
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const common = ['--users', o.users, '--connections', o.connections, ...o.rest];
  const tmp = mkdtempSync(join(tmpdir(), 'scimd-bench-peers-'));
  const runs = [];
  let current;
  process.once('SIGINT', () => {
    log('interrupted');
    Promise.resolve(current?.stop()).finally(() => process.exit(130));
  });
  try {
    if (o.scimd) {
      log(`\n=== scimd ===`);
      const run = { name: 'scimd', benchArgs: common };
      try {
        run.results = await bench(common, join(tmp, 'scimd.json'));
        run.description = run.results.target.kind === 'postgres' ? 'scimd on PostgreSQL' : 'scimd on embedded PGlite';
        if (run.results.target.scimdCommit) run.description += ` (${run.results.target.scimdCommit})`;
      } catch (err) {
        run.error = err.message;
        log(`scimd failed: ${err.message}`);
      }
      runs.push(run);
    }
    for (const peer of o.peers) {
      log(`\n=== ${peer} ===`);
      const args = [...common, ...BENCH_ARGS[peer], '--keep'];
      const run = { name: peer, benchArgs: args };
      const server = startPeer(peer, randomBytes(24).toString('hex'));
      current = server;
      try {
        const info = await server.ready;
        run.description = info.description;
        log(`  ${peer}: ${info.description ?? ''}; ${info.base} (pid ${server.pid})`);
        run.results = await bench(['--base', info.base, '--token', info.token, '--server-pid', String(server.pid), ...args], join(tmp, `${peer}.json`));
      } catch (err) {
        run.error = err.message;
        log(`${peer} failed: ${err.message}`);
      } finally {
        await server.stop();
        current = undefined;
      }
      runs.push(run);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const out = [`side by side: ${o.users} users, ${o.connections} connections${o.rest.length ? `, ${o.rest.join(' ')}` : ''}`, ''];
  for (const r of runs) {
    out.push(`## ${r.name}${r.description ? `: ${r.description}` : ''}`, '');
    if (r.error) out.push(`failed: ${r.error}`, '');
    else {
      out.push(r.results.table, '');
      if (BENCH_ARGS[r.name]?.length) out.push(`(bench options for this peer: ${BENCH_ARGS[r.name].join(' ')})`, '');
    }
  }
  out.push('## Comparison', '', comparison(runs), '');
  out.push('"!" marks a scenario that had errors or wrong answers (see that target\'s notes).');
  const withBooleans = runs.filter((r) => r.results?.settings.booleanActive).map((r) => r.name);
  if (withBooleans.length) out.push(`patch-active sent JSON booleans to ${withBooleans.join(', ')} ("False"/"True" strings to the others).`);
  const busy = runs.filter((r) => r.results?.scenarios.some((s) => s.otherCpuCores > 0.2)).map((r) => r.name);
  if (busy.length) out.push(`Other processes took CPU during some scenarios of: ${busy.join(', ')} (see their notes); compare with care.`);
  console.log(`\n${out.join('\n')}\n`);

  const file = o.out ? resolve(o.out) : join(benchDir, 'results', `peers-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), users: o.users, connections: o.connections, passedThrough: o.rest, runs, table: out.join('\n') }, null, 2)}\n`);
  log(`results: ${relative(process.cwd(), file) || file}`);
  if (runs.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench:peers failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
