/**
 * Graceful shutdown (issue 6, "Faults"): SIGTERM to a real `scimd serve` while
 * a large Bulk, single creates and reads are in flight. Every request already
 * running finishes with its normal answer, with `Connection: close` on a
 * kept-alive connection; a new connection is refused; the process exits 0; the activity rows it had queued
 * are written; and on PGlite the database was shut down cleanly (pg_control
 * says so), so the next start needs no crash recovery. A drain longer than
 * SCIMD_SHUTDOWN_GRACE_SECONDS ends in a forced exit 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { dialects } from '../support/db.js';
import { call, completed, ensureBuilt, freshPostgresUrl, newOrg, receivedRequests, sleep, startScimd, stopScimd, type Scimd } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK_OPS = 1000;

/**
 * PostgreSQL's cluster state from `global/pg_control` (ControlFileData.state, a
 * uint32 after the 8-byte system identifier and two uint32 versions):
 * 1 = DB_SHUTDOWNED (clean), 6 = DB_IN_PRODUCTION (open, or crashed: recovery at next start).
 */
function clusterState(dataDir: string): number {
  return readFileSync(join(dataDir, 'global/pg_control')).readUInt32LE(16);
}

/** One HTTP/1.1 request through `agent`; resolves with status, headers, body and whether the socket was reused. */
function send(origin: string, agent: Agent | false, method: string, path: string, token: string, body?: unknown) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any; reused: boolean }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${origin}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe.each(dialects())('graceful shutdown on %s', (dialect) => {
  let env: Record<string, string>;
  let dataDir: string;
  let dbTarget: { url: string } | { dataDir: string };
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'scimd-shutdown-'));
    if (dialect === 'pglite') {
      env = { SCIMD_DATA_DIR: dataDir };
      dbTarget = { dataDir };
    } else {
      const { url } = await freshPostgresUrl('shutdown');
      env = { DATABASE_URL: url, SCIMD_DATA_DIR: dataDir };
      dbTarget = { url };
    }
  });
  const started: Scimd[] = [];
  const start = async (extra: Record<string, string>) => {
    const s = await startScimd({ ...env, ...extra });
    started.push(s);
    return s;
  };
  afterEach(() => {
    // A failed test must not leave its server holding the data folder.
    for (const s of started.splice(0)) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('SIGTERM: in-flight requests finish, new ones are refused cleanly, queued activity is written, exit 0', { timeout: 300_000 }, async ({ onTestFailed }) => {
    let server: Scimd = await start({ SCIMD_LOG_LEVEL: 'info' });
    onTestFailed(() => console.log(`scimd output:\n${server.output()}`));
    const org = await newOrg(server.origin, `stop-${Date.now().toString(36)}`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Open the kept-alive connection before the load.
    expect((await send(server.origin, agent, 'GET', '/scim/v2/ServiceProviderConfig', org.token)).status).toBe(200);

    const singles = Array.from({ length: 10 }, (_, i) =>
      call(server.origin, 'POST', '/scim/v2/Users', { token: org.token, body: { schemas: [USER], userName: `single-${i}@example.test` }, headers: { connection: 'close' } }),
    );
    // Reads are logged through the in-memory ActivityBuffer: their rows may still be queued at SIGTERM.
    const reads = Array.from({ length: 10 }, () => call(server.origin, 'GET', '/scim/v2/Users?count=1', { token: org.token, headers: { connection: 'close' } }));
    await receivedRequests(server, 'POST', /^\/scim\/v2\/Users$/, 10);
    await receivedRequests(server, 'GET', /^\/scim\/v2\/Users$/, 10);
    const bulk = send(server.origin, agent, 'POST', '/scim/v2/Bulk', org.token, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: BULK_OPS }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER], userName: `bulk-${i}@example.test`, displayName: `Bulk ${i}` } })),
    });
    // SIGTERM once the server holds all of these (its log says so) and the Bulk is running.
    const [bulkId] = await receivedRequests(server, 'POST', /^\/scim\/v2\/Bulk$/, 1);
    expect(completed(server, bulkId!)).toBe(false);
    const termAt = performance.now();
    server.proc.kill('SIGTERM');
    await sleep(200);

    // A new connection after SIGTERM: the listener is closed. (ECONNRESET when the
    // kernel had queued the connection while the event loop was busy, and closing
    // the listener reset it unserved: refused just the same.)
    const fresh = await send(server.origin, false, 'GET', '/scim/v2/Users', org.token).then(
      (r) => `answered ${r.status}`,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(fresh);

    // Everything in flight finishes with its normal answer.
    const b = await bulk;
    expect(b.status).toBe(200);
    expect(b.body.Operations).toHaveLength(BULK_OPS);
    expect(b.body.Operations.filter((o: { status: string }) => o.status !== '201')).toEqual([]);
    expect((await Promise.all(singles)).map((r) => r.status)).toEqual(Array(10).fill(201));
    expect((await Promise.all(reads)).map((r) => r.status)).toEqual(Array(10).fill(200));
    // The Bulk began before SIGTERM and ended after it: its answer closes the kept-alive
    // connection, so the client's next request needs a new one, which is refused.
    expect(b.headers.connection).toBe('close');
    const next = await send(server.origin, agent, 'GET', '/scim/v2/Users', org.token).then(
      (r) => `answered ${r.status}`,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(next);
    agent.destroy();

    expect(await server.exited).toBe(0);
    const drainMs = performance.now() - termAt;
    console.log(`shutdown on ${dialect}: drained and exited in ${Math.round(drainMs)} ms`);
    expect(drainMs).toBeLessThan(25_000);
    expect(server.output()).toMatch(/SIGTERM received[\s\S]*scimd: stopped/);
    if (dialect === 'pglite') expect(clusterState(dataDir)).toBe(1); // shut down cleanly: no recovery at the next start

    // Every write and every queued activity row is in the database.
    const handle = await openDatabase(dbTarget);
    try {
      const users = await handle.db.selectFrom('scim_users').select('user_name').where('org_id', '=', org.id).execute();
      expect(users.length).toBe(BULK_OPS + 10);
      const lookups = await handle.db.selectFrom('activity').select('path').where('org_id', '=', org.id).where('operation', '=', 'lookup').execute();
      // The 10 reads (ServiceProviderConfig is `discovery`); refused connections never reached a route.
      expect(lookups.length).toBe(10);
    } finally {
      await handle.close();
    }

    // And it starts again on the same data.
    server = await start({});
    expect((await call(server.origin, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "bulk-0@example.test"')}`, { token: org.token })).body.totalResults).toBe(1);
    expect(await stopScimd(server)).toBe(0);
  });

  it('a drain longer than SCIMD_SHUTDOWN_GRACE_SECONDS ends in a forced exit 1', { timeout: 300_000 }, async () => {
    const server = await start({ SCIMD_SHUTDOWN_GRACE_SECONDS: '0.3', SCIMD_LOG_LEVEL: 'info' });
    const org = await newOrg(server.origin, `grace-${Date.now().toString(36)}`);
    const bulk = call(server.origin, 'POST', '/scim/v2/Bulk', {
      token: org.token,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `g${i}`, data: { schemas: [USER], userName: `grace-${i}@example.test` } })),
      },
    }).catch((err: unknown) => err);
    const [bulkId] = await receivedRequests(server, 'POST', /^\/scim\/v2\/Bulk$/, 1);
    expect(completed(server, bulkId!)).toBe(false);
    const termAt = performance.now();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(performance.now() - termAt).toBeLessThan(5_000);
    expect(server.output()).toMatch(/shutdown grace period over/);
    expect(await bulk).toBeInstanceOf(Error); // cut off: it was still running
  });
});
