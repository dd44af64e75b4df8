#!/usr/bin/env node
// Builds the admin console (web/ → dist/console) with Vite, unless the build is
// newer than every source file of web/ and the lock file (so `npm start`, which
// runs the whole build each time, does not wait for an unchanged console).
// `--force` builds regardless.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist/console/index.html');
const force = process.argv.includes('--force');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = s.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

const sources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'].map((p) => join(root, p)).filter(existsSync);
if (!force && existsSync(out) && statSync(out).mtimeMs >= Math.max(...sources.map(newest))) {
  process.exit(0);
}
const { build } = await import('vite');
await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: process.env.npm_config_loglevel === 'silent' ? 'error' : 'warn' });
console.log('console built into dist/console');
