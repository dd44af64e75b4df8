/**
 * Database outage (issue 6, "Faults"), PostgreSQL only (the embedded database
 * cannot be lost apart from its process): a TCP proxy in this test sits between
 * a real `scimd serve` and PostgreSQL. Mid-load the proxy cuts every connection
 * and refuses new ones; then it lets them through again. During the outage
 * every SCIM and admin request answers 503 with Retry-After in its API's error
 * shape within a bounded time (never 500, never a hang), /readyz fails and
 * /healthz does not; afterwards the same process serves again by itself, and
 * every create acknowledged before, during or after the outage is there whole.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { call, ensureBuilt, freshPostgresUrl, newOrg, OPERATOR_TOKEN, sleep, startScimd, stopScimd, type Answer, type Scimd } from './support.js';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** SCIMD_DB_CONNECT_TIMEOUT_SECONDS for this test: the longest a request may wait for a connection. */
const CONNECT_TIMEOUT_S = 2;

/** A TCP proxy that can drop every connection and refuse new ones, then recover. */
class CuttableProxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  up = true;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.up) return void client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Cuts every open connection and refuses new ones. */
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.up = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

// Runs whenever the PostgreSQL dialect does (TEST_DATABASE_URL set, as in CI).
describe.runIf(dialects().includes('postgres'))('database outage on postgres', () => {
  let proxy: CuttableProxy;
  let server: Scimd;
  beforeAll(async () => {
    ensureBuilt();
    const { url } = await freshPostgresUrl('outage');
    const u = new URL(url);
    proxy = new CuttableProxy({ host: u.hostname, port: Number(u.port || 5432) });
    await proxy.start();
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    server = await startScimd({
      DATABASE_URL: u.toString(),
      SCIMD_DATA_DIR: mkdtempSync(join(tmpdir(), 'scimd-outage-')),
      SCIMD_DB_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_S),
      SCIMD_DB_QUERY_TIMEOUT_SECONDS: '5',
    });
  });
  afterAll(async () => {
    if (server) await stopScimd(server);
    await proxy?.close();
  });

  it('answers 503 + Retry-After while PostgreSQL is gone, fails /readyz only, and resumes by itself', { timeout: 120_000 }, async ({ onTestFailed }) => {
    onTestFailed(() => console.log(`scimd output:\n${server.output()}`));
    const org = await newOrg(server.origin, `outage-${Date.now().toString(36)}`);
    const scim = (method: string, path: string, body?: unknown) => call(server.origin, method, `/scim/v2${path}`, { token: org.token, body });
    const pid = server.proc.pid;

    type Outcome = { phase: 'before' | 'during' | 'after'; path: string; ms: number; res?: Answer; err?: unknown; userName?: string };
    const outcomes: Outcome[] = [];
    let phase: Outcome['phase'] = 'before';
    let stop = false;
    let k = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const which = (k++ + w) % 4;
        const started = performance.now();
        const p = phase;
        const userName = which === 0 || which === 3 ? `outage-${k}-${w}@example.test` : undefined;
        const path = which === 1 ? '/scim/v2/Users?count=5' : which === 2 ? `/api/v1/orgs/${org.slug}/scim/tokens` : '/scim/v2/Users';
        try {
          const res =
            which === 2 ? await call(server.origin, 'GET', path, { token: OPERATOR_TOKEN })
            : userName ? await scim('POST', '/Users', { schemas: [USER], userName, displayName: 'Outage', name: { givenName: 'Out', familyName: 'Age' } })
            : await call(server.origin, 'GET', path, { token: org.token });
          outcomes.push({ phase: p, path, ms: performance.now() - started, res, ...(userName ? { userName } : {}) });
        } catch (err) {
          outcomes.push({ phase: p, path, ms: performance.now() - started, err, ...(userName ? { userName } : {}) });
        }
        await sleep(10);
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    await sleep(1500);

    phase = 'during';
    proxy.cut();
    await sleep(CONNECT_TIMEOUT_S * 1000 + 2000);
    const ready = await call(server.origin, 'GET', '/readyz');
    const health = await call(server.origin, 'GET', '/healthz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(health.status).toBe(200);

    proxy.restore();
    const restoredAt = performance.now();
    phase = 'after';
    // Resumes without a restart: the pool drops the dead connections and opens new ones.
    let resumedAfterMs = Infinity;
    while (performance.now() - restoredAt < 15_000) {
      const r = await scim('GET', '/Users?count=1');
      if (r.status === 200) {
        resumedAfterMs = performance.now() - restoredAt;
        break;
      }
      await sleep(100);
    }
    await sleep(1000);
    stop = true;
    await load;
    expect(resumedAfterMs).toBeLessThan(5_000);
    expect(server.proc.pid).toBe(pid);
    expect(server.proc.exitCode).toBeNull();
    expect((await call(server.origin, 'GET', '/readyz')).status).toBe(200);

    const during = outcomes.filter((o) => o.phase === 'during');
    const unavailable = during.filter((o) => o.res?.status === 503);
    console.log(
      `outage: ${outcomes.length} requests (${during.length} during the outage, ${unavailable.length} answered 503), resumed ${Math.round(resumedAfterMs)} ms after the database returned, ` +
        `slowest answer during the outage ${Math.round(Math.max(...during.map((o) => o.ms)))} ms`,
    );
    // Every request got an answer (no dropped connection), in bounded time, and no 500.
    expect(outcomes.filter((o) => o.err).map((o) => String(o.err))).toEqual([]);
    expect(during.length).toBeGreaterThan(10);
    expect(unavailable.length).toBeGreaterThan(5);
    for (const o of outcomes) {
      expect([200, 201, 503], `${o.path}: ${JSON.stringify(o.res!.body)}`).toContain(o.res!.status);
      expect(o.ms).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 3000);
      if (o.res!.status !== 503) continue;
      expect(o.res!.headers.get('retry-after')).toBe('5');
      if (o.path.startsWith('/scim/')) {
        expect(o.res!.headers.get('content-type')).toMatch(/^application\/scim\+json/);
        expect(o.res!.body).toEqual({ schemas: [ERROR_SCHEMA], status: '503', detail: expect.stringMatching(/database is unavailable/) });
      } else {
        expect(o.res!.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database is unavailable/) });
      }
    }
    // After the outage everything answers normally again.
    const afterResume = outcomes.filter((o) => o.phase === 'after' && o.ms > 0).slice(-6);
    expect(afterResume.every((o) => o.res!.status < 300)).toBe(true);

    // Writes: every acknowledged create is there; a create answered 503 happened whole or not at all.
    for (const o of outcomes.filter((x) => x.userName)) {
      const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${o.userName}"`)}`);
      expect(found.status).toBe(200);
      if (o.res!.status === 201) expect(found.body.totalResults, `acknowledged ${o.userName}`).toBe(1);
      else expect(found.body.totalResults).toBeLessThanOrEqual(1);
      if (found.body.totalResults === 1) expect(found.body.Resources[0]).toMatchObject({ userName: o.userName, displayName: 'Outage', name: { givenName: 'Out', familyName: 'Age' } });
    }
  });
});
