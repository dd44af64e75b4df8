/**
 * How much CPU other processes took while a scenario ran, from /proc (Linux):
 * all busy time minus that of the bench itself, the scimd child and any
 * `postgres` process. On a 2-core machine a neighbour's test run halves the
 * figures, so the report flags scenarios that shared the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in clock ticks, and its command name. */
function processTicks(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // Fields after "(comm) ": state is index 0, utime index 11, stime index 12 (man 5 proc).
  return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
}

/** A snapshot to diff later; undefined where /proc is not readable. */
export function cpuSnapshot(serverPid) {
  const line = read('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  /** Ticks per process of ours, by pid (a process that exits between snapshots must not count negative). */
  const own = new Map();
  const add = (pid) => {
    const p = processTicks(pid);
    if (p) own.set(String(pid), p.ticks);
  };
  add(process.pid);
  if (serverPid) add(serverPid);
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && processTicks(entry)?.comm === 'postgres') add(entry);
  }
  return { total, busy: total - idle, own };
}

/** Cores' worth of CPU used by other processes between two snapshots (0 = the machine was ours). */
export function otherCores(before, after) {
  if (!before || !after) return undefined;
  const wall = (after.total - before.total) / os.cpus().length;
  if (wall <= 0) return undefined;
  let own = 0;
  for (const [pid, ticks] of after.own) own += Math.max(0, ticks - (before.own.get(pid) ?? 0));
  return Math.min(os.cpus().length, Math.max(0, (after.busy - before.busy - own) / wall));
}

/** Share of all CPUs busy over `ms` (0–1), or undefined without /proc. */
async function busyShare(ms) {
  const a = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuSnapshot();
  if (!a || !b || b.total === a.total) return undefined;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Waits until the machine has been nearly idle (< 10 % busy) for 5 s, at most
 * `maxMs`; returns the seconds waited, or undefined when it never got quiet.
 */
export async function waitIdle(maxMs, log) {
  const start = performance.now();
  let quiet = 0;
  while (performance.now() - start < maxMs) {
    const share = await busyShare(1000);
    if (share === undefined) return 0;
    quiet = share < 0.1 ? quiet + 1 : 0;
    if (quiet >= 5) return (performance.now() - start) / 1000;
    if (!quiet && Math.round((performance.now() - start) / 1000) % 30 === 0) log?.(`  waiting for an idle machine: ${(share * 100).toFixed(0)} % busy`);
  }
  return undefined;
}
