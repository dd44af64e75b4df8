/**
 * `createApp(deps)`: wires the HTTP routes; no I/O, no environment, no listen,
 * so tests drive it in-process with `app.inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
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
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the console: <package>/dist/console, from src/ and from dist/ alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../dist/console/', import.meta.url));

export interface AppDeps {
  db: Kysely<Database>;
  operatorToken: string;
  publicUrl?: string | undefined;
  maxPayloadBytes?: number;
  maxPageSize?: number;
  bulkMaxOperations?: number;
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
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | { level: string };
}

/** Builds the Fastify app. Call `app.ready()` (or `listen`) before use. */
export function createApp(deps: AppDeps): FastifyInstance {
  const limits = {
    maxPayloadBytes: deps.maxPayloadBytes ?? 1_048_576,
    maxPageSize: deps.maxPageSize ?? 1000,
    bulkMaxOperations: deps.bulkMaxOperations ?? 1000,
  };
  const onError = errorHandler(limits.maxPayloadBytes);
  const app = Fastify({
    logger: deps.logger ?? false,
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

  registerJsonBodyParser(app);

  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler);
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
  app.get('/readyz', async (_req, reply) => {
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
  app.get('/healthz', async () => ({ status: 'ok' }));
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
  app.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const activity = new ActivityBuffer(deps.db, (err, rows) => app.log.error({ err: safeError(err), rows }, 'could not record SCIM activity'));
  // A stopping server writes what it queued.
  app.addHook('onClose', () => activity.flush());
  const tokenCache = deps.cacheTokens ? new TokenCache() : undefined;
  // Without the cache (a shared PostgreSQL), user reads confirm the token in their own statement.
  const principalHints = tokenCache ? undefined : new PrincipalHints();
  app.register(scimPlugin, { prefix: '/scim/v2', db: deps.db, publicUrl: deps.publicUrl, limits, activity, tokenCache, principalHints });
  app.register(adminPlugin, {
    prefix: '/api/v1',
    db: deps.db,
    operatorToken: deps.operatorToken,
    publicUrl: deps.publicUrl,
    activity,
    tokenCache,
    sessionPolicy: { idleMs: (deps.sessionIdleMinutes ?? 60) * 60_000, maxMs: (deps.sessionMaxHours ?? 12) * 3_600_000 },
  });
  if (deps.consoleDir !== false) registerConsole(app, deps.consoleDir ?? DEFAULT_CONSOLE_DIR);
  return app;
}

