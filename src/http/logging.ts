/**
 * scimd's structured logs: one JSON object a line (pino, through Fastify), each
 * request's lines carrying `reqId`, and after authentication the org they act for.
 * What must never reach a log line: bearer tokens, session cookies, CSRF tokens,
 * passwords, request bodies (SCIM bodies carry PII and `password` values under keys
 * no redaction list can predict, e.g. a PATCH `{path: "password", value}`), and
 * query strings (a `filter` names people). See docs/observability.md.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';

/** The header a request id arrives in and is echoed back in (the de-facto name load balancers and IdPs use). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller's request id may be: a token safe to put in a log line and a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Fastify `genReqId`: the incoming `X-Request-Id` when it is 1–128 characters of
 * `[A-Za-z0-9._-]` (a proxy's or an IdP's id, so one id follows a request across
 * systems), else a random UUID (also for a repeated header, which Node joins with ", ").
 */
export function requestIdOf(req: IncomingMessage): string {
  const presented = req.headers[REQUEST_ID_HEADER];
  return typeof presented === 'string' && SANE_REQUEST_ID.test(presented) ? presented : randomUUID();
}

/**
 * The log level of /healthz, /readyz and /metrics: a balancer or Prometheus calls
 * them every few seconds, and their request lines would drown the log.
 */
export const PROBE_LOG_LEVEL = 'warn';

/** Written instead of a redacted value. */
export const REDACTED = '[redacted]';

/**
 * pino `redact` paths: the credentials in headers (logged only at debug, below)
 * and any field named like a secret, at the top level and two levels down (an
 * error's or a body's fields). Defence in depth: nothing in scimd logs a body.
 */
export const REDACT_PATHS = [
  ...['headers', 'req.headers'].flatMap((h) => [`${h}.authorization`, `${h}["proxy-authorization"]`, `${h}.cookie`, `${h}["set-cookie"]`, `${h}["x-csrf-token"]`]),
  ...['password', 'token', 'secret', 'csrfToken'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/** The request as its log lines show it: no query string (filters name people), no headers, no body. */
function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url : '';
  return {
    method: req.method,
    url: url.split('?')[0],
    // The route's pattern (/scim/v2/Users/:id), to group lines by endpoint; absent for an unknown URL.
    route: req.routeOptions?.url,
    remoteAddress: req.ip,
  };
}

/**
 * Fastify `logger` options for a level (pino's names, `trace`…`fatal`) and an
 * optional destination (a test's capture stream; stdout by default).
 */
export function loggerOptions(level: string, stream?: DestinationStream): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: serializeRequest as never,
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
    ...(stream ? { stream } : {}),
  };
}

/**
 * Adds fields to every later log line of this request, the completion line
 * included (Fastify writes that through `reply.log`, a separate reference).
 */
export function bindLogFields(req: FastifyRequest, reply: FastifyReply, fields: Record<string, string>): void {
  const child = req.log.child(fields);
  req.log = child;
  reply.log = child;
}

/** True when the logger writes debug lines (level debug or trace). */
const debugEnabled = (log: FastifyBaseLogger) => log.level === 'debug' || log.level === 'trace';

const ADMIN_ORG_ROUTE = /^\/api\/v1\/orgs\/:slug(?:\/|$)/i;

/**
 * Request-scoped logging hooks: echoes the request id in `X-Request-Id` (support
 * asks a customer for it), names the org of an admin route (`org`: the slug in the
 * path; `orgId` once an org admin's session is known; SCIM requests get `orgId` in
 * the SCIM plugin's authentication) and, at debug, logs headers with credentials redacted.
 */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    const route = req.routeOptions.url;
    const slug = (req.params as { slug?: unknown } | undefined)?.slug;
    if (route && ADMIN_ORG_ROUTE.test(route) && typeof slug === 'string') bindLogFields(req, reply, { org: slug });
    if (debugEnabled(req.log)) req.log.debug({ headers: req.headers }, 'request headers');
  });
  app.addHook('preHandler', async (req, reply) => {
    const principal = (req as { principal?: { kind: string; orgId?: string } }).principal;
    if (principal?.kind === 'admin' && principal.orgId) bindLogFields(req, reply, { orgId: principal.orgId });
  });
  // onResponse, not onSend: plugins' onSend hooks (the session cookie's) have set every header by then.
  app.addHook('onResponse', async (req, reply) => {
    if (debugEnabled(req.log)) req.log.debug({ headers: reply.getHeaders() }, 'response headers');
  });
}
