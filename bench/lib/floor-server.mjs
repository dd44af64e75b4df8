/**
 * Starts bench/floor.mjs (the bare Fastify floor for scenario 1) as a child
 * process on a free loopback port, on the same DATABASE_URL and checkout as
 * scimd, and stops it again. Its pid is what the RSS column reads for the
 * `floor` row.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FLOOR = join(dirname(fileURLToPath(import.meta.url)), '..', 'floor.mjs');
const LISTENING = /floor listening on (http:\/\/\S+)/;

/**
 * @param {{ scimdDir: string, databaseUrl: string, timeoutMs?: number }} opts
 * @returns {Promise<{ url: string, pid: number, stop(): Promise<void> }>}
 */
export async function startFloor({ scimdDir, databaseUrl, timeoutMs = 30_000 }) {
  const child = spawn(process.execPath, [FLOOR, '--scimd-dir', scimdDir, '--port', '0'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const output = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the floor did not start within ${timeoutMs / 1000} s:\n${output.join('')}`)), timeoutMs);
    const onData = (chunk) => {
      output.push(chunk);
      const m = LISTENING.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the floor exited (${signal ?? code}) before listening:\n${output.join('')}`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
