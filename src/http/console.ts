/**
 * The admin console (web/, built by `npm run build` into dist/console) served at
 * `/console`:
 *
 * - a file of the build answers as itself: `assets/*` (content-hashed names)
 *   cached for a year, everything else revalidated;
 * - any other path under `/console` answers `index.html`, so the single-page
 *   app's own routes (`/console/orgs/acme/members`, the set-password link
 *   `/console/set-password#token=…`) survive a reload; a missing `assets/` file
 *   stays a 404, so a stale page fails loudly instead of parsing HTML as script.
 *
 * Only files listed from the build folder are ever read (the request path is a
 * key into that list, never joined onto the disk path), so no `..` can escape
 * it. The list is taken on the first request and kept; a rebuild is picked up
 * by restarting scimd. Every answer carries the console's strict
 * Content-Security-Policy (security-headers.ts): this origin only, no inline
 * script or style; the console makes no request anywhere else.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CONSOLE_HELMET } from './security-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Built {
  files: Map<string, string>;
}

async function listFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    files.set(relative(dir, full).split(sep).join('/'), full);
  }
  return files;
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>scimd console not built</title>
<p>The scimd console has not been built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and restart scimd.</p></html>`;

/** Registers `GET /console` and `GET /console/*` serving the build in `dir`, and `GET /` redirecting there. */
export function registerConsole(app: FastifyInstance, dir: string): void {
  let built: Promise<Built | null> | undefined;
  const load = () =>
    (built ??= listFiles(dir).then(
      (files) => (files.has('index.html') ? { files } : null),
      () => null,
    ));
  const cache = new Map<string, Buffer>();
  const read = async (full: string) => {
    let body = cache.get(full);
    if (!body) cache.set(full, (body = await readFile(full)));
    return body;
  };

  const handler = async (path: string, reply: FastifyReply) => {
    const b = await load();
    if (!b) {
      built = undefined; // look again next time: the build may have finished since
      return reply.code(503).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(NOT_BUILT);
    }
    const file = b.files.get(path);
    if (file && path !== 'index.html') {
      const immutable = path.startsWith('assets/');
      return reply
        .type(TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream')
        .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await read(file));
    }
    if (path.startsWith('assets/')) {
      return reply.code(404).type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send(`No console file /console/${path}: reload the page`);
    }
    return reply.type(TYPES['.html']!).header('Cache-Control', 'no-cache').send(await read(b.files.get('index.html')!));
  };

  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));
  app.get('/console', { schema: { hide: true }, helmet: CONSOLE_HELMET }, (_req, reply) => handler('index.html', reply));
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true }, helmet: CONSOLE_HELMET }, (req, reply) => handler(req.params['*'] ?? '', reply));
}
