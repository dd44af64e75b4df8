/**
 * One process per embedded data folder. PGlite has no lock of its own, and two
 * processes on one folder each believe they own it: acknowledged writes of one
 * were lost when the other restarted (fresh-user report). The lock is a file
 * holding the owner's pid, created exclusively; a lock whose process is gone is
 * taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'scimd.lock';

/** Thrown when another live process holds the folder. */
export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock for this process.
 * @returns a release function (idempotent).
 * @throws DataDirLockedError naming the pid that holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new DataDirLockedError(
          `the embedded database in ${dataDir} is in use by process ${holder} (another scimd serve or migrate). ` +
            'Stop it first; the embedded database has one owner process. Use DATABASE_URL=postgres://… to run several instances.',
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirLockedError(`could not take the lock ${path}`);
}
