/**
 * How scimd serves the console's files (src/http/console.ts), without a browser:
 * a build folder made here, cache headers, the SPA fallback, a missing build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { CONSOLE_CSP } from '../../src/http/security-headers.js';
import { OPERATOR_TOKEN } from '../support/app.js';
import { testDatabase } from '../support/db.js';

describe('Serving the console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-console-'));
  let app: FastifyInstance;
  let unbuilt: FastifyInstance;
  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    const { db } = await testDatabase('pglite');
    app = createApp({ db, operatorToken: OPERATOR_TOKEN, consoleDir: dir });
    unbuilt = createApp({ db, operatorToken: OPERATOR_TOKEN, consoleDir: join(dir, 'nothing-here') });
    await Promise.all([app.ready(), unbuilt.ready()]);
  });
  afterAll(async () => {
    await Promise.all([app.close(), unbuilt.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at /console and at any client route, revalidated, with the CSP', async () => {
    for (const url of ['/console', '/console/', '/console/orgs/acme/members', '/console/set-password']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable, other files revalidated, and HEAD too', async () => {
    const js = await app.inject({ url: '/console/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log(1)');
    const svg = await app.inject({ url: '/console/favicon.svg' });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ method: 'HEAD', url: '/console/assets/index-abc123.js' })).statusCode).toBe(200);
  });

  it('answers 404 for a missing asset instead of the page, and never reads outside the build', async () => {
    const r = await app.inject({ url: '/console/assets/gone.js' });
    expect(r.statusCode).toBe(404);
    for (const url of ['/console/../package.json', '/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('"name"');
    }
  });

  it('redirects / to the console', async () => {
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe('/console/');
  });

  it('says how to build it when the build is missing', async () => {
    const r = await unbuilt.inject({ url: '/console/orgs/x/scim' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build');
  });

  it('leaves the API and SCIM routes alone', async () => {
    expect((await app.inject({ url: '/api/v1/orgs' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/scim/v2/Users' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/consolex' })).statusCode).toBe(404);
  });
});
