/**
 * Starts the built scimd (`node bin/scimd.js serve`) as a child process on a
 * free loopback port, with a fresh data folder (embedded PGlite) or a
 * DATABASE_URL, and stops it again. The child's pid is what the RSS column reads.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LISTENING = /scimd listening on (http:\/\/\S+)/;

/**
 * @param {{ repoRoot: string, operatorToken: string, databaseUrl?: string, startTimeoutMs?: number, onLog?: (line: string) => void }} opts
 * @returns {Promise<{ url: string, pid: number, dataDir: string | undefined, startMs: number, stop(): Promise<void> }>}
 */
export async function startScimd(opts) {
  const bin = join(opts.repoRoot, 'bin', 'scimd.js');
  if (!existsSync(join(opts.repoRoot, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (the benchmark runs the built server)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'scimd-bench-'));
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SCIMD_DATA_DIR: dataDir,
    SCIMD_OPERATOR_TOKEN: opts.operatorToken,
    SCIMD_LOG_LEVEL: 'warn',
  };
  delete env.SCIMD_PUBLIC_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;

  const started = performance.now();
  // scimd runs as `npm start` runs it (package.json): a 2 MB young generation keeps the
  // server's RSS ~50 MB lower at the same throughput (docs/benchmarks.md, goals).
  // BENCH_SCIMD_NODE_ARGS passes more flags, such as --cpu-prof, to the server only
  // (NODE_OPTIONS refuses them); a later flag wins.
  const nodeArgs = ['--max-semi-space-size=2', ...(process.env.BENCH_SCIMD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve'], { cwd: opts.repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const tail = [];
  const onLine = (line) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > 50) tail.shift();
    opts.onLog?.(line);
  };

  const listening = new Promise((resolve, reject) => {
    let buffered = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error(`scimd did not start within ${(opts.startTimeoutMs ?? 120_000) / 1000} s:\n${tail.join('\n')}`)), opts.startTimeoutMs ?? 120_000);
    const consume = (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trimEnd();
        buffered = buffered.slice(nl + 1);
        const m = LISTENING.exec(line);
        if (m && !found) {
          found = true;
          clearTimeout(timer);
          resolve(m[1]);
        } else onLine(line);
      }
    };
    child.stdout.setEncoding('utf8').on('data', consume);
    child.stderr.setEncoding('utf8').on('data', consume);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!found) reject(new Error(`scimd exited (${signal ?? code}) before listening:\n${tail.join('\n')}`));
    });
  });

  let url;
  try {
    url = await listening;
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopping;
  return {
    url,
    pid: child.pid,
    dataDir: opts.databaseUrl ? undefined : dataDir,
    startMs: performance.now() - started,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(killer);
        }
        rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** A `Vm…:  N kB` field of /proc/<pid>/status in MB, or undefined where unreadable (no pid, not Linux). */
function procStatusMb(pid, field) {
  if (!pid) return undefined;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB (VmRSS). */
export const rssMb = (pid) => procStatusMb(pid, 'VmRSS');

/** Peak resident set size of a process so far in MB (VmHWM). */
export const peakRssMb = (pid) => procStatusMb(pid, 'VmHWM');
