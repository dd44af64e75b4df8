/**
 * Prometheus metrics at `GET /metrics` (text exposition format 0.0.4, prom-client).
 *
 * Labels are bounded by the code, never by clients or tenants: `route` is the
 * Fastify route pattern (`/scim/v2/Users/:id`) or `unmatched`, `method` one of the
 * HTTP methods Node's parser accepts, `status` a status code. No metric has an org
 * id, slug or token label: a thousand orgs must not make a thousand series.
 * The list of metrics is in docs/observability.md.
 *
 * Access: `Authorization: Bearer <operator token or SCIMD_METRICS_TOKEN>`, else 401.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/connect.js';
import { operationOf } from '../activity/scim-activity.js';
import { AdminError } from './errors.js';
import { sameSecret } from '../tenants/tokens.js';
import type { AuthFailureLimiter } from './auth-failures.js';
import { PROBE_LOG_LEVEL } from './logging.js';

export interface MetricsOptions {
  operatorToken: string;
  /** A second token accepted at /metrics (SCIMD_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** The app's wrong-token limiter, shared with the SCIM and admin APIs (auth-failures.ts). */
  authFailures?: AuthFailureLimiter | undefined;
  /** The database pool's state now; without it there are no pool gauges. */
  poolStats?: (() => PoolStats) | undefined;
}

/** The route label of a request no route matched (404s): one series however many URLs are tried. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Request latency buckets, seconds: SCIM reads answer in a few ms, writes in
 * tens, a deep list page or a Bulk of 1,000 operations in seconds.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// Process metrics (CPU, memory, event-loop lag, GC) describe the process, not an
// app: one registry per process, created once, so tests that build many apps
// start one set of observers.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}


/** `success` for 1xx–3xx, a named refusal for 401/403/404/409/412/429, else `client_error`/`server_error`. */
function outcomeOf(status: number): string {
  if (status < 400) return 'success';
  const named: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 412: 'precondition_failed', 429: 'throttled' };
  return named[status] ?? (status < 500 ? 'client_error' : 'server_error');
}

/** The SCIM resource a route pattern serves: `Users`, `Groups`, `Bulk`, `Schemas`, … (the segment after /scim/v2). */
const scimResourceOf = (route: string): string => /^\/scim\/v2\/([^/]+)/i.exec(route)?.[1] ?? 'root';

/**
 * Registers the per-app metrics, their hooks and `GET /metrics`. Call on the root
 * instance before the route plugins, so its hooks see every route.
 * @returns the app's registry (tests read it directly).
 */
export function registerMetrics(app: FastifyInstance, opts: MetricsOptions): Registry {
  // Per app, not prom-client's global registry: two apps in one process (tests) count apart.
  const registry = new Registry();
  const requests = new Counter({ name: 'scimd_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'scimd_http_request_duration_seconds', help: 'Time from request arrival to the response sent, seconds', labelNames: ['method', 'route'], buckets: DURATION_BUCKETS, registers: [registry] });
  const scimOperations = new Counter({
    name: 'scimd_scim_operations_total',
    help: 'SCIM requests by resource (Users, Groups, Bulk, …), operation (create, lookup, update, delete, bulk, discovery) and outcome',
    labelNames: ['resource', 'operation', 'outcome'],
    registers: [registry],
  });
  const pool = opts.poolStats;
  if (pool) {
    const gauge = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(pick(pool())); } });
    gauge('scimd_db_pool_connections', 'Database connections open (PGlite: its one session)', (s) => s.total);
    gauge('scimd_db_pool_idle_connections', 'Open database connections not in use', (s) => s.idle);
    gauge('scimd_db_pool_waiting_requests', 'Queries waiting for a database connection', (s) => s.waiting);
  }
  const processRegistry = processMetrics();

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? UNMATCHED_ROUTE;
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    // SCIM routes only, not the SCIM catch-all (/scim/v2/*) that answers unknown SCIM URLs 404.
    if (/^\/scim\/v2\/[^*]+$/i.test(route)) {
      const { operation } = operationOf(req.method, req.url.split('?')[0]!.replace(/^\/scim\/v2/i, ''));
      scimOperations.inc({ resource: scimResourceOf(route), operation, outcome: outcomeOf(reply.statusCode) });
    }
  });

  app.get('/metrics', { schema: { hide: true }, logLevel: PROBE_LOG_LEVEL }, async (req, reply) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const presented = m?.[1];
    // Both comparisons always run, so the answer's timing does not tell which token was close.
    const operator = presented !== undefined && sameSecret(presented, opts.operatorToken);
    const scraper = presented !== undefined && opts.metricsToken !== undefined && sameSecret(presented, opts.metricsToken);
    if (!operator && !scraper) {
      // A wrong token here guesses the operator token too: it counts with the other APIs' failures.
      const throttled = presented !== undefined ? opts.authFailures?.refuse(req.ip, reply) : undefined;
      if (throttled) throw throttled;
      reply.header('WWW-Authenticate', 'Bearer realm="scimd-metrics"');
      throw new AdminError(401, 'Send Authorization: Bearer <SCIMD_METRICS_TOKEN or the operator token>');
    }
    const text = (await registry.metrics()) + (await processRegistry.metrics());
    return reply.type(registry.contentType).send(text);
  });
  return registry;
}
