/**
 * `createApp(deps)`: wires the HTTP routes; no I/O, no environment, no listen,
 * so tests drive it in-process with `app.inject()`.
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { pendingMigrations } from './db/connect.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { adminPlugin } from './http/admin/plugin.js';
import { clientErrorHandler, errorHandler, notFoundHandler, safeError } from './http/errors.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { scimPlugin } from './http/scim/plugin.js';
import { ActivityBuffer } from './activity/scim-activity.js';
import { PrincipalHints, TokenCache } from './tenants/tokens.js';
import { registerConsole } from './http/console.js';
import { registerSecurityHeaders, swaggerUiCsp } from './http/security-headers.js';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMIT, DEFAULT_AUTH_FAILURE_WINDOW_SECONDS, type AuthFailureLimits } from './http/auth-failures.js';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import type { PoolStats } from './db/connect.js';
import { loggerOptions, PROBE_LOG_LEVEL, registerRequestLogging, requestIdOf } from './http/logging.js';
import { registerMetrics } from './http/metrics.js';
import type { ServiceLimits } from './scim/discovery.js';
import { DEFAULT_FILTER_LIMITS } from './scim/filter/parse.js';
import { DEFAULT_REQUEST_LIMITS } from './scim/limits.js';

/** Where `npm run build` puts the console: <package>/dist/console, from src/ and from dist/ alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../dist/console/', import.meta.url));

export interface AppDeps {
  db: Kysely<Database>;
  operatorToken: string;
  publicUrl?: string | undefined;
  maxPayloadBytes?: number;
  maxPageSize?: number;
  bulkMaxOperations?: number;
  /** Longest filter, characters (default MAX_FILTER_LENGTH, 4096). */
  maxFilterLength?: number;
  /** Deepest filter nesting of `(`, `not (`, `[` (default MAX_FILTER_DEPTH, 50). */
  maxFilterDepth?: number;
  /** Most comparison clauses in one filter (default MAX_FILTER_CLAUSES, 500). */
  maxFilterClauses?: number;
  /** Most operations in one PATCH request (default MAX_PATCH_OPERATIONS, 1000). */
  maxPatchOperations?: number;
  /** Most group member values in one request (default MAX_MEMBERS_PER_REQUEST, 10,000). */
  maxMembersPerRequest?: number;
  /** Console sessions end after this many idle minutes (default 60)… */
  sessionIdleMinutes?: number;
  /** …and this many hours after sign-in (default 12). */
  sessionMaxHours?: number;
  /**
   * Trust X-Forwarded-For/-Proto/-Host from a reverse proxy (Fastify's
   * `trustProxy`: true, or the proxies' addresses/CIDRs). Decides the client
   * IP that sign-in throttling counts and whether a request was HTTPS.
   */
  trustProxy?: boolean | string[];
  /** The built admin console served at /console (default DEFAULT_CONSOLE_DIR); false serves none. */
  consoleDir?: string | false;
  /**
   * Remember verified SCIM tokens in memory (TokenCache). Only for a database
   * this process alone writes: embedded PGlite, never a shared PostgreSQL.
   */
  cacheTokens?: boolean;
  /**
   * Wrong bearer tokens one client address may present per window before it
   * gets 429 (default 20 per 60 s; SCIMD_AUTH_FAILURE_LIMIT, SCIMD_AUTH_FAILURE_WINDOW_SECONDS).
   */
  authFailures?: AuthFailureLimits;
  /**
   * Logging: false for none (tests), true for `info`, or a pino level and an
   * optional destination (default stdout). Lines are JSON (src/http/logging.ts).
   */
  logger?: boolean | { level: string; stream?: DestinationStream };
  /** A bearer token accepted at /metrics besides the operator token (SCIMD_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** The database pool's state (DatabaseHandle.poolStats) for the /metrics pool gauges; none without it. */
  poolStats?: (() => PoolStats) | undefined;
  /**
   * Sees every route as it is registered, those on the root instance included
   * (a hook added after createApp misses them); tests enumerate the routes with it.
   */
  onRoute?: (route: RouteOptions) => void;
}

/** Builds the Fastify app. Call `app.ready()` (or `listen`) before use. */
export function createApp(deps: AppDeps): FastifyInstance {
  const limits: ServiceLimits = {
    maxPayloadBytes: deps.maxPayloadBytes ?? 1_048_576,
    maxPageSize: deps.maxPageSize ?? 1000,
    bulkMaxOperations: deps.bulkMaxOperations ?? 1000,
    filter: {
      maxLength: deps.maxFilterLength ?? DEFAULT_FILTER_LIMITS.maxLength,
      maxDepth: deps.maxFilterDepth ?? DEFAULT_FILTER_LIMITS.maxDepth,
      maxClauses: deps.maxFilterClauses ?? DEFAULT_FILTER_LIMITS.maxClauses,
    },
    maxPatchOperations: deps.maxPatchOperations ?? DEFAULT_REQUEST_LIMITS.maxPatchOperations,
    maxMembersPerRequest: deps.maxMembersPerRequest ?? DEFAULT_REQUEST_LIMITS.maxMembersPerRequest,
  };
  const onError = errorHandler(limits.maxPayloadBytes);
  const logger = deps.logger === true ? { level: 'info' } : deps.logger;
  const app = Fastify({
    logger: logger ? loggerOptions(logger.level, logger.stream) : false,
    // A caller's sane X-Request-Id is kept (one id across proxy, IdP and scimd), else a UUID.
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: limits.maxPayloadBytes,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    trustProxy: deps.trustProxy ?? false,
    // Errors Fastify raises before routing (a malformed percent-encoding in the URL)
    // and the HTTP parser's own (431, broken chunking) answer in the SCIM error shape too.
    frameworkErrors: onError,
    clientErrorHandler: clientErrorHandler,
    // Graceful shutdown: once close() starts, the listener refuses new connections and a
    // request on a connection accepted before is still served, with `Connection: close`
    // (Fastify adds it). Fastify's default would answer such a request 503, and a request
    // the client sent before SIGTERM would fail (test/faults/shutdown.test.ts).
    return503OnClosing: false,
  });

  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  registerJsonBodyParser(app);
  registerRequestLogging(app);
  // One count per address across the SCIM API, the admin API and /metrics: a guesser cannot multiply its tries by alternating them.
  const authFailures = new AuthFailureLimiter(deps.authFailures ?? { limit: DEFAULT_AUTH_FAILURE_LIMIT, windowMs: DEFAULT_AUTH_FAILURE_WINDOW_SECONDS * 1000 });
  registerMetrics(app, { operatorToken: deps.operatorToken, metricsToken: deps.metricsToken, poolStats: deps.poolStats, authFailures });

  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler);
  registerSecurityHeaders(app, deps.publicUrl);
  // A response that leaves after close() began (a request that was running at SIGTERM)
  // closes its kept-alive connection too, so the client's next request goes to a
  // listener that is open (another instance) instead of waiting on this one.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('Connection', 'close');
  });

  // Readiness (a load balancer's check): the database answers and has every migration this build knows.
  app.get('/readyz', { logLevel: PROBE_LOG_LEVEL }, async (_req, reply) => {
    try {
      const pending = await pendingMigrations(deps.db);
      if (pending.length) return reply.code(503).header('Retry-After', '5').send({ status: 'migrations pending', pending });
      return reply.send({ status: 'ready' });
    } catch {
      return reply.code(503).header('Retry-After', '5').send({ status: 'database unavailable' });
    }
  });
  // Liveness: the process answers. It must not queue behind database work (a busy
  // embedded database kept it waiting seconds); whether the database answers is /readyz's question.
  app.get('/healthz', { logLevel: PROBE_LOG_LEVEL }, async () => ({ status: 'ok' }));
  // OpenAPI 3.1 generated from the admin routes' zod schemas (the same ones that validate requests).
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'scimd admin API', version: '1', description: 'Organisations, SCIM settings, tokens, roles, members, groups and activity. See docs/admin-api.md.' },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'scimd_session' } } },
      security: [{ operator: [] }, { session: [] }],
    },
    transform: (arg) => (arg.url.startsWith('/api/v1') ? jsonSchemaTransform(arg) : { schema: { ...arg.schema, hide: true }, url: arg.url }),
    // Fills components.schemas with the schemas named by `.meta({id})`, which the paths $ref.
    transformObject: jsonSchemaTransformObject,
  });
  app.register(swaggerUi, { routePrefix: '/api/v1/docs', staticCSP: true, transformStaticCSP: swaggerUiCsp });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const activity = new ActivityBuffer(deps.db, (err, rows) => app.log.error({ err: safeError(err), rows }, 'could not record SCIM activity'));
  // A stopping server writes what it queued.
  app.addHook('onClose', () => activity.flush());
  const tokenCache = deps.cacheTokens ? new TokenCache() : undefined;
  // Without the cache (a shared PostgreSQL), user reads confirm the token in their own statement.
  const principalHints = tokenCache ? undefined : new PrincipalHints();
  app.register(scimPlugin, { prefix: '/scim/v2', db: deps.db, publicUrl: deps.publicUrl, limits, activity, tokenCache, principalHints, authFailures });
  app.register(adminPlugin, {
    prefix: '/api/v1',
    db: deps.db,
    operatorToken: deps.operatorToken,
    publicUrl: deps.publicUrl,
    activity,
    tokenCache,
    authFailures,
    sessionPolicy: { idleMs: (deps.sessionIdleMinutes ?? 60) * 60_000, maxMs: (deps.sessionMaxHours ?? 12) * 3_600_000 },
  });
  // As a plugin, so its routes are added after helmet's, whose onRoute hook reads their `helmet` option.
  if (deps.consoleDir !== false) app.register(async (scope) => registerConsole(scope, deps.consoleDir || DEFAULT_CONSOLE_DIR));
  return app;
}

