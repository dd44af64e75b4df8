#!/usr/bin/env node
/**
 * scimd load benchmark (`npm run bench`, `npm run bench -- --quick`).
 *
 * Starts the built server (`node bin/scimd.js serve`, embedded PGlite in a fresh
 * temp folder, or PostgreSQL with --database-url / DATABASE_URL), creates an
 * org with SCIM and group sync on through the admin API, seeds users and groups
 * through the SCIM API, then drives each scenario with autocannon over loopback
 * and prints one table. `--base URL --token T` targets any running SCIM server
 * instead. `--fixture big|orgs` (PostgreSQL) runs on a scale fixture seeded by
 * bulk SQL and kept in the database for later runs (bench/lib/fixtures.mjs).
 * The `floor` row runs scenario 1 against bench/floor.mjs. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { cleanup, HttpError, provisionOrg, scimClient, seed } from './lib/scim-client.mjs';
import { newStats, SCENARIO_NAMES, scenarios } from './lib/scenarios.mjs';
import { percentile, ratioLine, ratios, shapeTable, table } from './lib/report.mjs';
import { cpuSnapshot, otherCores, waitIdle } from './lib/cpu.mjs';
import { peakRssMb, rssMb, startScimd } from './lib/server.mjs';
import { startFloor } from './lib/floor-server.mjs';
import { FIXTURES, fixtureSpec, openFixture, vacuumAnalyze } from './lib/fixtures.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');

/** 1000000 → 1,000,000 */
const n = (x) => x.toLocaleString('en-US');

const HELP = `Usage: npm run bench [-- options]

  --quick                 small data set and short runs (2,000 users, 3 s per scenario; < 60 s in all)
  --database-url URL      run scimd on PostgreSQL (default: $DATABASE_URL, else embedded PGlite in a temp folder)
  --base URL --token T    benchmark a running SCIM server (URL is its SCIM base, e.g. http://host/scim/v2)
  --fixture big|orgs      PostgreSQL only: a scale fixture seeded by bulk SQL instead of the SCIM API
                            big:  1 org × ${n(FIXTURES.big.users)} users, groups of ${n(FIXTURES.big.bigGroup)} and ${n(FIXTURES.big.smallGroup)} members
                            orgs: ${n(FIXTURES.orgs.orgs)} orgs × ${n(FIXTURES.orgs.users)} users, each with its own token and ${FIXTURES.orgs.groups} groups of ${FIXTURES.orgs.groupSize}
                          seeded once (about a minute for big, longer for orgs), recorded in the table
                          bench_fixtures of that database under its name and size (big-1000000,
                          orgs-1000x1000) and reused by later runs on the same database; --users
                          (users per org) and --orgs make a smaller fixture of another name
  --orgs N                orgs of --fixture orgs               (${n(FIXTURES.orgs.orgs)})
  --reseed                delete the fixture (its orgs, by SQL) and seed it again
  --users N               users to seed                      (quick 2000, full 20000)
  --group-size N          members of the big group           (quick 1000, full 10000)
  --small-group-size N    members of group 1, for group-members-small (quick 0, full 1000)
  --groups N              groups to seed, the big one included (quick 20, full 200; 0: no group scenarios)
  --duration S            seconds of load per scenario       (quick 3, full 10)
  --warmup S              unmeasured load before each scenario (quick 0.25, full 2)
  --connections N         concurrent connections             (10)
  --seed-concurrency N    requests in flight while seeding   (8)
  --only a,b              run only these scenarios
  --keep                  leave the seeded users and groups in place (--base / PostgreSQL)
  --cleanup               delete them even on a throwaway PGlite server
  --out FILE              JSON results file (default bench/results/<timestamp>.json)
  --wait-idle             before starting, wait (≤ 10 min) until the machine has been idle for 5 s
  --scimd-dir DIR         start the built scimd of another checkout (its bin/ and dist/; default: this repo)
  --server-pid N          with --base: pid of the target server process, for the RSS column and the other-CPU note
  --boolean-active        patch-active sends JSON false/true instead of Entra's strings "False"/"True" (servers that refuse the strings)
`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      base: { type: 'string' },
      token: { type: 'string' },
      users: { type: 'string' },
      fixture: { type: 'string' },
      orgs: { type: 'string' },
      reseed: { type: 'boolean', default: false },
      'small-group-size': { type: 'string' },
      'group-size': { type: 'string' },
      groups: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'seed-concurrency': { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: false },
      out: { type: 'string' },
      'scimd-dir': { type: 'string' },
      'wait-idle': { type: 'boolean', default: false },
      'server-pid': { type: 'string' },
      'boolean-active': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const num = (name, fallback, { min = 0, integer = true } = {}) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const quick = values.quick;
  const o = {
    quick,
    base: values.base?.replace(/\/+$/, ''),
    token: values.token,
    databaseUrl: values.base ? undefined : (values['database-url'] ?? process.env.DATABASE_URL) || undefined,
    users: num('users', quick ? 2000 : 20_000, { min: 1 }),
    groupSize: num('group-size', Math.min(quick ? 1000 : 10_000, Math.floor(num('users', quick ? 2000 : 20_000, { min: 1 }) / 2))),
    smallGroupSize: num('small-group-size', quick ? 0 : 1000),
    fixture: values.fixture,
    fixtureSizes: { users: values.users === undefined ? undefined : num('users', 0, { min: 1 }), orgs: values.orgs === undefined ? undefined : num('orgs', 0, { min: 1 }) },
    reseed: values.reseed,
    groups: num('groups', quick ? 20 : 200),
    duration: num('duration', quick ? 3 : 10, { min: 0.5, integer: false }),
    warmup: num('warmup', quick ? 0.25 : 2, { integer: false }),
    connections: num('connections', 10, { min: 1 }),
    seedConcurrency: num('seed-concurrency', 8, { min: 1 }),
    only: values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    keep: values.keep,
    cleanup: values.cleanup,
    out: values.out,
    waitIdle: values['wait-idle'],
    scimdDir: resolve(values['scimd-dir'] ?? repoRoot),
    serverPid: values['server-pid'] === undefined ? undefined : num('server-pid', undefined, { min: 1 }),
    booleanActive: values['boolean-active'],
  };
  for (const name of o.only ?? []) if (!SCENARIO_NAMES.includes(name)) throw new Error(`unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
  if (o.base && !o.token) throw new Error('--base needs --token (a SCIM bearer token of the target server)');
  if (o.token && !o.base) throw new Error('--token goes with --base');
  if (o.serverPid && !o.base) throw new Error('--server-pid goes with --base');
  if (o.groupSize > o.users && !o.fixture) throw new Error(`--group-size (${o.groupSize}) cannot exceed --users (${o.users})`);
  if (o.fixture) {
    o.fixtureSpec = fixtureSpec(o.fixture, o.fixtureSizes);
    if (o.base) throw new Error('--fixture seeds by SQL into the database of a scimd this harness starts: it does not go with --base');
    if (!o.databaseUrl) throw new Error('--fixture needs PostgreSQL (--database-url URL or DATABASE_URL): the fixtures are seeded by bulk SQL, which the embedded PGlite run does not support');
  }
  if (o.fixtureSizes.orgs !== undefined && o.fixture !== 'orgs') throw new Error('--orgs goes with --fixture orgs');
  if (o.reseed && !o.fixture) throw new Error('--reseed goes with --fixture');
  return o;
}

/** The checkout's commit (with "+dirty" when src/ has uncommitted changes), or undefined outside git. */
function gitCommit(dir) {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

const log = (msg) => process.stderr.write(`${msg}\n`);

/** Per-shape figures of `mixed`: share of requests (%), errors and exact p50/p99 (ms) of the 2xx answers. */
function shapeSummary(shapes) {
  const total = Object.values(shapes).reduce((a, s) => a + s.requests, 0);
  return Object.fromEntries(
    Object.entries(shapes).map(([name, s]) => {
      const sorted = s.latencies.sort((a, b) => a - b);
      return [name, { requests: s.requests, sharePct: total ? (100 * s.requests) / total : 0, non2xx: s.non2xx, unexpected: s.unexpected, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }];
    }),
  );
}

/** One autocannon run; latencies of 2xx answers are kept exactly (autocannon's histogram rounds to whole ms). */
async function load({ origin, token, connections, duration, requests }) {
  const latencies = [];
  const instance = autocannon({
    url: origin,
    connections,
    duration,
    timeout: 30,
    headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' },
    requests,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return { result, latencies };
}

async function main() {
  const o = options();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench-${runId}-`;
  const startedAt = new Date();
  let t0 = performance.now();

  let server;
  let scimBase;
  let token;
  let targetKind;
  const serverLog = [];
  let scimForCleanup;
  let groupsForCleanup = false;
  let fixture;
  const stop = async () => server?.stop();
  process.once('SIGINT', () => {
    log('interrupted: stopping scimd');
    stop().finally(() => process.exit(130));
  });

  if (o.waitIdle) {
    const waited = await waitIdle(600_000, log);
    log(waited === undefined ? 'the machine did not get idle within 10 min; running anyway' : `machine idle after ${waited.toFixed(0)} s`);
    t0 = performance.now();
  }

  try {
    if (o.base) {
      scimBase = o.base;
      token = o.token;
      targetKind = 'external';
      log(`target: ${scimBase} (external server; seeding through SCIM)`);
    } else {
      const operatorToken = randomBytes(24).toString('hex');
      targetKind = o.databaseUrl ? 'postgres' : 'pglite';
      log(`starting scimd (${targetKind === 'pglite' ? 'embedded PGlite, fresh temp folder' : 'PostgreSQL via DATABASE_URL'}) …`);
      server = await startScimd({
        repoRoot: o.scimdDir,
        operatorToken,
        databaseUrl: o.databaseUrl,
        // Pino writes JSON lines (warn and above at SCIMD_LOG_LEVEL=warn); other lines are start-up notices.
        onLog: (line) => {
          if (line.startsWith('{')) serverLog.push(line);
          if (serverLog.length <= 20) log(`  [scimd] ${line.slice(0, 300)}`);
        },
      });
      log(`  listening on ${server.url} after ${(server.startMs / 1000).toFixed(1)} s (pid ${server.pid})`);
      scimBase = `${server.url}/scim/v2`;
      if (o.fixture) {
        fixture = await openFixture({ spec: o.fixtureSpec, databaseUrl: o.databaseUrl, serverUrl: server.url, operatorToken, reseed: o.reseed, concurrency: o.seedConcurrency, commit: gitCommit(o.scimdDir), log });
        token = fixture.orgs[0].token;
        const healed = await fixture.heal();
        if (healed.deleted || healed.reactivated || healed.membersRemoved) log('  (an earlier run had left changes in the fixture; undone above)');
        log(`  VACUUM ANALYZE of scim_users, scim_groups, scim_group_members (what autovacuum would have done since the last run): ${(await fixture.vacuum()).toFixed(1)} s`);
      } else token = await provisionOrg(server.url, operatorToken, `bench-${runId}`);
    }
    // The process whose RSS is reported and whose CPU is not counted as "other processes".
    const serverPid = server?.pid ?? o.serverPid;
    const scim = scimClient(scimBase, token);
    scimForCleanup = scim;
    const baseUrl = new URL(scimBase);
    const origin = baseUrl.origin;
    const basePath = baseUrl.pathname.replace(/\/+$/, '');

    let groups = o.groups;
    groupsForCleanup = groups > 0;
    if (groups > 0) {
      try {
        await scim.get('/Groups?count=0');
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        log(`  /Groups answered ${err.status}: group scenarios skipped`);
        groups = 0;
        groupsForCleanup = false;
      }
    }

    let seeded;
    let seedOtherCores;
    let rssAfterSeed;
    let orgsForMixed;
    if (fixture) {
      // Scenarios 1–7 run in org 0 of the fixture; `mixed` across all its orgs.
      const org0 = fixture.orgs[0];
      const [big, small] = org0.groups;
      const hasSmall = o.fixture === 'big' && small && small.hi > small.lo;
      groups = org0.groups.length;
      groupsForCleanup = false;
      o.users = org0.userIds.length;
      o.groupSize = big.hi - big.lo;
      seeded = { userNames: org0.userNames, userIds: org0.userIds, groupNames: org0.groups.map((g) => g.displayName), bigGroup: big, smallGroup: hasSmall ? small : undefined };
      orgsForMixed = fixture.orgs;
      rssAfterSeed = rssMb(serverPid);
    } else {
      log(`seeding ${o.users} users${groups ? `, ${groups} groups, one of ${o.groupSize} members` : ''}${groups > 1 && o.smallGroupSize ? `, one of ${o.smallGroupSize}` : ''} through the SCIM API (${o.seedConcurrency} in flight) …`);
      const seedCpu = cpuSnapshot(serverPid);
      seeded = await seed(scim, { prefix, users: o.users, groupSize: groups ? o.groupSize : 0, groups, concurrency: o.seedConcurrency, log, smallGroupSize: o.smallGroupSize });
      rssAfterSeed = rssMb(serverPid);
      seedOtherCores = otherCores(seedCpu, cpuSnapshot(serverPid));
      log(
        `  users: ${seeded.usersSeconds.toFixed(1)} s (${Math.round(o.users / seeded.usersSeconds)}/s)` +
          (groups ? `, groups + memberships: ${seeded.groupsSeconds.toFixed(1)} s` : '') +
          (rssAfterSeed ? `; server RSS ${rssAfterSeed} MB` : ''),
      );
      orgsForMixed = [{ token, userIds: seeded.userIds, userNames: seeded.userNames, groups: seeded.groups }];
      if (targetKind === 'postgres') {
        // What autovacuum would have done after the seed (the embedded database's scimd does it itself).
        const db = new pg.Client({ connectionString: o.databaseUrl });
        await db.connect();
        try {
          log(`  VACUUM ANALYZE of the SCIM tables, as autovacuum would after a seed: ${(await vacuumAnalyze(db)).toFixed(1)} s`);
        } finally {
          await db.end();
        }
      }
    }

    const all = scenarios({
      basePath,
      userNames: seeded.userNames,
      userIds: seeded.userIds,
      groupNames: seeded.groupNames,
      bigGroup: seeded.bigGroup,
      smallGroup: seeded.smallGroup,
      groupSize: o.groupSize,
      orgs: orgsForMixed,
      prefix,
      get: scim.get,
      log,
      booleanActive: o.booleanActive,
    });
    const canFloor = server && targetKind === 'postgres';
    const chosen = (o.only ? all.filter((s) => o.only.includes(s.name)) : all.filter((s) => s.defaultOn !== false)).filter((s) => {
      if (s.floor && !canFloor) {
        log(`  floor skipped: it runs only on a scimd this harness starts on PostgreSQL${targetKind === 'pglite' ? ' (this run is on PGlite)' : ''}`);
        return false;
      }
      return true;
    });

    const rows = [];
    for (const s of chosen) {
      const prepared = (await s.prepare?.()) ?? {};
      let floor;
      let target = { origin, pid: serverPid };
      if (s.floor) {
        floor = await startFloor({ scimdDir: o.scimdDir, databaseUrl: o.databaseUrl });
        target = { origin: new URL(floor.url).origin, pid: floor.pid };
      }
      const stats = newStats();
      let result;
      let latencies;
      let others;
      try {
        if (o.warmup > 0) await load({ origin: target.origin, token, connections: s.connections ?? o.connections, duration: o.warmup, requests: s.make(newStats()) });
        const cpuBefore = cpuSnapshot(target.pid);
        // The server's RSS every 100 ms while the scenario runs (its peak, not only its value after).
        prepared.rssBeforeMb = rssMb(target.pid);
        let rssMax = prepared.rssBeforeMb ?? 0;
        const sampler = target.pid ? setInterval(() => (rssMax = Math.max(rssMax, rssMb(target.pid) ?? 0)), 100) : undefined;
        try {
          ({ result, latencies } = await load({ origin: target.origin, token, connections: s.connections ?? o.connections, duration: o.duration, requests: s.make(stats) }));
        } finally {
          clearInterval(sampler);
        }
        prepared.rssMaxMb = target.pid ? rssMax : undefined;
        others = otherCores(cpuBefore, cpuSnapshot(target.pid));
      } finally {
        if (floor) {
          prepared.rssMb = rssMb(floor.pid);
          prepared.peakRssMb = peakRssMb(floor.pid);
          await floor.stop();
        }
      }
      const total = result.requests.total;
      const row = {
        name: s.name,
        what: s.what,
        watchRss: s.watchRss,
        ...prepared,
        reqPerSec: total / result.duration,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        errors: result.non2xx + result.errors,
        rssMb: floor ? prepared.rssMb : rssMb(serverPid),
        peakRssMb: floor ? prepared.peakRssMb : peakRssMb(serverPid),
        requests: total,
        durationS: result.duration,
        non2xx: result.non2xx,
        socketErrors: result.errors - result.timeouts,
        timeouts: result.timeouts,
        statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
        maxMs: latencies.at(-1),
        otherCpuCores: others,
        unexpected: stats.unexpected,
        errorSamples: stats.samples,
        unexpectedSamples: stats.unexpectedSamples,
        ...(s.mixed ? { shapes: shapeSummary(stats.shapes) } : {}),
      };
      rows.push(row);
      log(`  ${s.name.padEnd(14)} ${row.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${row.p50Ms?.toFixed(1) ?? '-'} ms  p99 ${row.p99Ms?.toFixed(1) ?? '-'} ms  errors ${row.errors}`);
    }

    const r = ratios(rows);
    const commit = server ? gitCommit(o.scimdDir) : undefined;
    const scimd = `scimd${commit ? ` ${commit}` : ''}`;
    const target =
      targetKind === 'external' ? `external server ${scimBase}` : targetKind === 'pglite' ? `${scimd} on embedded PGlite` : `${scimd} on PostgreSQL`;
    const data = fixture
      ? `fixture ${fixture.name} (${fixture.spec.describe}; seeded by bulk SQL${fixture.reused ? ` on ${fixture.seededAt.slice(0, 10)}, reused` : ` in ${fixture.seed.total} s`}); scenarios 1–7 in org 0${rows.some((x) => x.name === 'mixed') ? `, mixed across ${fixture.orgs.length} orgs` : ''}; `
      : `${o.users} users, ` + (groups ? `big group ${o.groupSize} members${seeded.smallGroup ? `, small group ${seeded.smallGroup.hi - seeded.smallGroup.lo}` : ''}, ${groups} groups; ` : '') + 'seeded via SCIM API; ';
    const header =
      `scimd benchmark — ${o.fixture ? `fixture ${o.fixture}` : o.quick ? 'quick' : 'full'}, ${target}; ${data}` +
      `${o.connections} connections, ${o.duration} s per scenario; ${os.cpus().length} CPUs, Node ${process.versions.node}` +
      (o.booleanActive ? '; patch-active with JSON booleans' : '');
    const out = [header, '', table(rows), '', ratioLine(r)];
    const mixedRow = rows.find((x) => x.shapes);
    if (mixedRow) out.push('', shapeTable(mixedRow.shapes));
    const notes = [];
    for (const row of rows) {
      for (const e of row.errorSamples) notes.push(`${row.name}: ${e.status} for ${e.request}: ${e.body.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (row.watchRss && row.rssMaxMb !== undefined) notes.push(`${row.name}: server RSS ${row.rssBeforeMb} MB before, peak ${row.rssMaxMb} MB during (growth ${row.rssMaxMb - row.rssBeforeMb} MB), ${row.requests} reads`);
      if (row.otherCpuCores > 0.2) notes.push(`${row.name}: other processes used ${row.otherCpuCores.toFixed(2)} cores meanwhile, so its figures are low`);
      if (row.unexpected) notes.push(`${row.name}: ${row.unexpected} 2xx answers were not what the scenario expects, e.g. ${row.unexpectedSamples[0]?.request}: ${row.unexpectedSamples[0]?.body.slice(0, 160)}`);
      for (const [shape, x] of Object.entries(row.shapes ?? {})) {
        if (x.non2xx || x.unexpected) notes.push(`${row.name}/${shape}: ${x.non2xx} non-2xx, ${x.unexpected} wrong 2xx answers of ${x.requests}`);
      }
    }
    if (serverLog.length) notes.push(`scimd logged ${serverLog.length} warning/error lines; first: ${serverLog[0].slice(0, 300)}`);
    if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
    console.log(`\n${out.join('\n')}\n`);

    const results = {
      startedAt: startedAt.toISOString(),
      mode: o.quick ? 'quick' : 'full',
      target: { kind: targetKind, scimBase: targetKind === 'external' ? scimBase : undefined, scimdDir: server ? o.scimdDir : undefined, scimdCommit: commit },
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.versions.node, platform: `${os.platform()} ${os.release()}` },
      settings: { users: o.users, groupSize: groups ? o.groupSize : 0, smallGroupSize: seeded.smallGroup ? seeded.smallGroup.hi - seeded.smallGroup.lo : 0, groups, connections: o.connections, durationS: o.duration, warmupS: o.warmup, seedConcurrency: o.seedConcurrency, booleanActive: o.booleanActive },
      seed: fixture
        ? { method: 'bulk SQL fixture (bench/lib/fixtures.mjs): orgs/tokens by admin API, groups and user 0 by SCIM API, other users and memberships by INSERT … SELECT, then VACUUM ANALYZE', fixture: fixture.name, describe: fixture.spec.describe, reused: fixture.reused, seededAt: fixture.seededAt, seconds: fixture.seed ?? fixture.recordedSeed, orgs: fixture.orgs.length, serverRssMb: rssAfterSeed, serverStartSeconds: server.startMs / 1000 }
        : { method: 'SCIM API (POST /Users, POST /Groups, PATCH members in batches of 100)', usersSeconds: seeded.usersSeconds, usersPerSec: o.users / seeded.usersSeconds, groupsSeconds: seeded.groupsSeconds, otherCpuCores: seedOtherCores, serverRssMb: rssAfterSeed, serverStartSeconds: server ? server.startMs / 1000 : undefined },
      scenarios: rows,
      ratios: r,
      serverLog: serverLog.slice(0, 50),
      table: out.join('\n'),
    };
    const file = o.out ? resolve(o.out) : join(benchDir, 'results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results: ${relative(process.cwd(), file) || file}`);
    // A scimd this run started must answer every request right: a non-2xx or a wrong 2xx answer fails
    // the run (CI runs --quick), while the figures themselves never do.
    const wrong = targetKind === 'external' ? [] : rows.filter((x) => x.non2xx || x.unexpected);
    if (wrong.length) {
      log(`FAILED: wrong answers in ${wrong.map((x) => `${x.name} (${x.non2xx} non-2xx, ${x.unexpected} wrong 2xx)`).join(', ')}; see the notes above`);
      process.exitCode = 1;
    }
  } finally {
    // Runs after a failure too, so a half-seeded external server or shared database is tidied.
    const persistent = targetKind !== undefined && targetKind !== 'pglite';
    if (fixture) {
      // The fixture stays for the next run, as it was seeded: what this run changed is undone through SCIM.
      if (!o.keep) {
        log('restoring the fixture (users this run created, deactivated users, added members) …');
        try {
          const h = await fixture.heal();
          log(`  done in ${h.seconds.toFixed(1)} s`);
        } catch (err) {
          log(`  restoring failed (the next run tries again): ${err.message}`);
        }
      }
      await fixture.close();
    } else if (scimForCleanup && ((persistent && !o.keep) || o.cleanup)) {
      log('removing the users and groups this run created …');
      try {
        const c = await cleanup(scimForCleanup, { prefix, withGroups: groupsForCleanup, concurrency: o.seedConcurrency, log });
        log(`  deleted ${c.users} users and ${c.groups} groups in ${c.seconds.toFixed(1)} s`);
      } catch (err) {
        log(`  cleanup failed (delete the users and groups named ${prefix}* by hand): ${err.message}`);
      }
    }
    await stop();
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
