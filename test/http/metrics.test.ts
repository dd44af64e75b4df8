/**
 * GET /metrics (src/http/metrics.ts): the exposition parses, counters count
 * exactly the requests made, unknown URLs and many orgs do not multiply series,
 * no org id/slug/token appears anywhere, pool gauges follow the pool, and the
 * endpoint answers only the operator token or SCIMD_METRICS_TOKEN.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { OPERATOR_TOKEN, testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects, testDatabase } from '../support/db.js';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

/** One sample line: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the text exposition format 0.0.4: `# HELP`/`# TYPE` comments and
 * sample lines. Throws on any other line, so a malformed exposition fails the test.
 * Special values are matched without case, as Prometheus reads them (Go's
 * ParseFloat): prom-client writes an empty event-loop histogram's mean as `Nan`.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') types.set(comment[2]!, comment[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/i.exec(line);
    if (!m) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string>): number =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value ?? 0;

/** Distinct label sets of a metric (for a histogram, without `le`). */
const seriesOf = (samples: Sample[], name: string): Set<string> =>
  new Set(samples.filter((s) => s.name === name).map((s) => JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'le').sort())));

describe('SCIMD_METRICS_TOKEN (pure)', () => {
  it('is optional, at least 16 characters, and never echoed in the configuration error', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ SCIMD_METRICS_TOKEN: '  scraper-token-0123456789 ' }).metricsToken).toBe('scraper-token-0123456789');
    expect(() => loadConfig({ SCIMD_METRICS_TOKEN: 'short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ SCIMD_METRICS_TOKEN: 'short-secret' });
    } catch (err) {
      expect((err as Error).message).toContain('SCIMD_METRICS_TOKEN=<hidden>: must be at least 16 characters');
      expect((err as Error).message).not.toContain('short-secret');
    }
  });
});

describe.each(dialects())('/metrics (%s)', (dialect) => {
  let handle: DatabaseHandle;
  let app: FastifyInstance;
  let t: TestApp;
  beforeAll(async () => {
    handle = await testDatabase(dialect);
    t = await testApp(dialect, { metricsToken: METRICS_TOKEN, poolStats: handle.poolStats, consoleDir: false });
    app = t.app;
  });
  afterAll(() => app.close());

  const scrape = async (token = METRICS_TOKEN) => {
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    return { ...parseExposition(res.body), text: res.body, contentType: res.headers['content-type'] };
  };

  it('answers 401 without a token or with a wrong one, 200 to the operator token and to SCIMD_METRICS_TOKEN', async () => {
    const none = await app.inject({ url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="scimd-metrics"');
    expect(none.body).not.toContain('scimd_http_requests_total');
    for (const wrong of [METRICS_TOKEN.slice(0, -1) + 'X', METRICS_TOKEN.slice(0, -1), `${METRICS_TOKEN}0`, 'scimd_not-a-token', OPERATOR_TOKEN.toUpperCase()]) {
      const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${wrong}` } });
      expect(res.statusCode, wrong).toBe(401);
    }
    // A SCIM token is not a metrics credential.
    const org = await testOrg(t);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${org.token}` } })).statusCode).toBe(401);
    expect((await scrape(OPERATOR_TOKEN)).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await scrape(METRICS_TOKEN)).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('parses as exposition format 0.0.4 with the HTTP, SCIM, pool and process families typed', async () => {
    await app.inject({ url: '/healthz' });
    const { samples, types } = await scrape();
    expect(types.get('scimd_http_requests_total')).toBe('counter');
    expect(types.get('scimd_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('scimd_scim_operations_total')).toBe('counter');
    expect(types.get('scimd_db_pool_connections')).toBe('gauge');
    expect(types.get('scimd_db_pool_idle_connections')).toBe('gauge');
    expect(types.get('scimd_db_pool_waiting_requests')).toBe('gauge');
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    // Every sample belongs to a typed family (a histogram's _bucket/_sum/_count to its base name).
    for (const s of samples) expect(types.has(s.name) || types.has(s.name.replace(/_(bucket|sum|count|total|created)$/, '')), s.name).toBe(true);
    expect(value(samples, 'scimd_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBeGreaterThanOrEqual(1);
  });

  it('counts exactly the requests made, by route pattern and status, with their latencies', async () => {
    const org = await testOrg(t);
    const before = (await scrape()).samples;
    for (let i = 0; i < 7; i++) expect((await org.scim('GET', '/Users?count=1')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await org.scim('GET', `/Users/${crypto.randomUUID()}`)).status).toBe(404);
    for (let i = 0; i < 2; i++) expect((await app.inject({ url: '/scim/v2/Users', headers: { authorization: 'Bearer scimd_wrong' } })).statusCode).toBe(401);
    const created = await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `m-${randomBytes(4).toString('hex')}` });
    expect(created.status).toBe(201);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('scimd_http_requests_total', { method: 'GET', route: '/scim/v2/Users', status: '200' })).toBe(7);
    expect(delta('scimd_http_requests_total', { method: 'GET', route: '/scim/v2/Users/:id', status: '404' })).toBe(3);
    expect(delta('scimd_http_requests_total', { method: 'GET', route: '/scim/v2/Users', status: '401' })).toBe(2);
    expect(delta('scimd_http_requests_total', { method: 'POST', route: '/scim/v2/Users', status: '201' })).toBe(1);
    expect(delta('scimd_http_request_duration_seconds_count', { method: 'GET', route: '/scim/v2/Users' })).toBe(9);
    expect(delta('scimd_http_request_duration_seconds_bucket', { method: 'GET', route: '/scim/v2/Users', le: '+Inf' })).toBe(9);
    expect(delta('scimd_http_request_duration_seconds_sum', { method: 'GET', route: '/scim/v2/Users' })).toBeGreaterThan(0);
    expect(delta('scimd_scim_operations_total', { resource: 'Users', operation: 'lookup', outcome: 'success' })).toBe(7);
    expect(delta('scimd_scim_operations_total', { resource: 'Users', operation: 'lookup', outcome: 'not_found' })).toBe(3);
    expect(delta('scimd_scim_operations_total', { resource: 'Users', operation: 'lookup', outcome: 'unauthorized' })).toBe(2);
    expect(delta('scimd_scim_operations_total', { resource: 'Users', operation: 'create', outcome: 'success' })).toBe(1);
  });

  it('1,000 requests for random unknown URLs add one series, labelled "unmatched", and none of the URLs', async () => {
    const before = (await scrape()).samples;
    const paths: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const path = `/${randomBytes(6).toString('hex')}/${i}?q=${randomBytes(3).toString('hex')}`;
      paths.push(path);
      expect((await app.inject({ url: path })).statusCode).toBe(404);
    }
    const { samples, text } = await scrape();
    for (const name of ['scimd_http_requests_total', 'scimd_http_request_duration_seconds_count']) {
      const added = [...seriesOf(samples, name)].filter((s) => !seriesOf(before, name).has(s));
      expect(added.length, name).toBeLessThanOrEqual(1);
    }
    expect(value(samples, 'scimd_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) - value(before, 'scimd_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1000);
    for (const p of paths.slice(0, 50)) expect(text).not.toContain(p.split('/')[1]);
  });

  it('has no org label: three orgs doing the same traffic make the same series, and no id, slug or token name appears', async () => {
    const orgs: (TestOrg & { tokenName: string; named: string; tokenId: string })[] = [];
    for (let i = 0; i < 3; i++) {
      const org = await testOrg(t);
      const named = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: `Entra ${org.slug} production` });
      expect(named.status).toBe(201);
      orgs.push({ ...org, tokenName: `Entra ${org.slug} production`, named: named.body.token as string, tokenId: named.body.id as string });
    }
    const traffic = async (org: (typeof orgs)[number]) => {
      const u = await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${org.slug}@example.com` });
      expect(u.status).toBe(201);
      expect((await org.scim('GET', `/Users/${u.body.id}`)).status).toBe(200);
      expect((await org.scim('PATCH', `/Users/${u.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200);
      expect((await org.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${org.slug}@example.com"`)}`)).status).toBe(200);
      expect((await app.inject({ url: '/scim/v2/Groups', headers: { authorization: `Bearer ${org.named}` } })).statusCode).toBe(200);
      expect((await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).status).toBe(200);
      expect((await org.scim('DELETE', `/Users/${u.body.id}`)).status).toBe(204);
    };
    await traffic(orgs[0]!);
    const afterOne = (await scrape()).samples;
    await traffic(orgs[1]!);
    await traffic(orgs[2]!);
    const { samples, text } = await scrape();
    for (const name of ['scimd_http_requests_total', 'scimd_http_request_duration_seconds_count', 'scimd_scim_operations_total']) {
      expect([...seriesOf(samples, name)].sort(), name).toEqual([...seriesOf(afterOne, name)].sort());
    }
    for (const o of orgs) {
      for (const secretOrName of [o.orgId, o.slug, o.token, o.named, o.tokenName, o.tokenId]) expect(text).not.toContain(secretOrName);
    }
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const forbidden of ['org', 'orgId', 'org_id', 'slug', 'token', 'tokenName']) expect(labelNames.has(forbidden)).toBe(false);
  });

  it('reports the pool: connections open, idle and waiting, and counts a query queued behind busy connections', async () => {
    const gauges = async () => {
      const { samples } = await scrape();
      return { total: value(samples, 'scimd_db_pool_connections', {}), idle: value(samples, 'scimd_db_pool_idle_connections', {}), waiting: value(samples, 'scimd_db_pool_waiting_requests', {}) };
    };
    const quiet = await gauges();
    expect(quiet.total).toBeGreaterThanOrEqual(1);
    expect(quiet.idle).toBe(quiet.total);
    expect(quiet.waiting).toBe(0);
    // Hold every connection the pool can open (PGlite: its one session; pg: max 10), then queue one more query.
    const size = dialect === 'pglite' ? 1 : 10;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding = 0;
    const holders = Array.from({ length: size }, () =>
      handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        holding++;
        await gate;
      }),
    );
    while (holding < size) await new Promise((r) => setTimeout(r, 5));
    const queued = sql`select 1`.execute(handle.db);
    await new Promise((r) => setTimeout(r, 20));
    const busy = await gauges();
    release();
    await Promise.all([...holders, queued]);
    expect(busy).toEqual({ total: size, idle: 0, waiting: 1 });
    const after = await gauges();
    expect(after.waiting).toBe(0);
    expect(after.idle).toBe(after.total);
  });
});
