/**
 * The one place errors become HTTP responses. Under `/scim/v2` every error is a
 * SCIM error (RFC 7644 §3.12) with `application/scim+json`, including Fastify's
 * own (bad JSON, body too large, unsupported media type) and unknown routes;
 * under `/api` errors are `{statusCode, error, message}` JSON. Internal failures
 * answer 500 with a generic detail: driver messages and stacks stay in the log.
 * A database that cannot be reached answers 503 with `Retry-After` in either
 * shape (src/db/errors.ts isDatabaseUnavailable says which errors those are).
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../scim/errors.js';
import { SCIM_CONTENT_TYPE } from '../scim/messages.js';
import { isDatabaseUnavailable } from '../db/errors.js';

/** Seconds a client is told to wait (Retry-After) when the database is unavailable or the server is stopping. */
export const RETRY_AFTER_SECONDS = 5;

/** The 503 of a database outage; its detail never carries the driver's message (it may name hosts). */
export const databaseUnavailable = () => new ScimError(503, undefined, 'The database is unavailable; retry the request later (a write whose answer was lost either happened whole or not at all)');

/** An admin API error with a status and a message for a person. */
export class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const isScimPath = (url: string) => url.toLowerCase().startsWith('/scim/');

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Maps Fastify's own client errors (FST_ERR_*) to a SCIM error a client can act on. */
function fromFastify(err: FastifyError, maxPayloadBytes: number): ScimError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, undefined, `The request body is larger than the ${maxPayloadBytes} bytes this server accepts`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(415, undefined, 'The body must be JSON, sent with Content-Type: application/json (or application/scim+json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ScimError(400, 'invalidSyntax', 'The request body is empty; a JSON object is required');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ScimError(400, 'invalidSyntax', 'The Content-Length header does not match the body');
  }
  if (err.code === 'FST_ERR_VALIDATION' && Array.isArray(err.validation)) {
    // zod issues from the admin API's schemas: name each field and what it must be.
    const parts = err.validation.map((v) => {
      const field = String(v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      return `${field || (err.validationContext === 'querystring' ? 'query' : 'body')}: ${plainValidationMessage(String(v.message ?? 'is not valid'))}`;
    });
    return new ScimError(400, undefined, parts.join('; '));
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ScimError(err.statusCode, undefined, err.message);
  return undefined;
}

/**
 * Database refusals a client's data can cause (SQLSTATE class 22 "data
 * exception", 54000 "program limit exceeded", e.g. a value too long for an
 * index; 54001 "statement too complex") are the client's 400, not a server
 * fault. Validation catches the known cases with better messages; this is the
 * net under it.
 */
function fromDatabase(err: unknown): ScimError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (code.startsWith('22')) return new ScimError(400, 'invalidValue', 'A value in the request cannot be stored (invalid characters or format)');
  if (code === '54000') return new ScimError(400, 'invalidValue', 'A value in the request is too long to be stored');
  // 54001 "statement too complex" (stack depth): the configured filter limits keep a filter below it.
  if (code === '54001') return new ScimError(400, 'invalidFilter', 'The filter is too complex for the database; use fewer clauses or less nesting');
  return undefined;
}

/** Sends a SCIM error body. */
export function sendScimError(reply: FastifyReply, err: ScimError): FastifyReply {
  return reply.code(err.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(err.toJSON()));
}

/** Fastify error handler: SCIM errors under /scim, admin JSON elsewhere. */
export function errorHandler(maxPayloadBytes: number) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const fromDb = fromDatabase(err);
    // Log what went wrong, never the query's parameters (they hold client data and password hashes).
    if (fromDb) req.log.warn({ err: safeError(err) }, 'database refused client data');
    const unavailable = !fromDb && !(err instanceof ScimError) && !(err instanceof AdminError) && isDatabaseUnavailable(err);
    if (unavailable) req.log.warn({ err: safeError(err) }, 'database unavailable');
    const known =
      err instanceof ScimError ? err
      : err instanceof AdminError ? new ScimError(err.statusCode, undefined, err.message)
      : unavailable ? databaseUnavailable()
      : (fromDb ?? fromFastify(err, maxPayloadBytes));
    const scimErr = known ?? new ScimError(500, undefined, 'Internal server error; the request was not applied. The server log has the details.');
    if (!known) req.log.error({ err: safeError(err) }, 'unhandled error');
    if (req.scimActivity) {
      // The write's transaction rolled back, its in-transaction record with it.
      req.scimActivity.recorded = false;
      req.scimActivity.error = scimErr;
    }
    // An outage is temporary (RFC 9110 §15.6.4): say when to come back, in both APIs.
    if (scimErr.status === 503) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    if (isScimPath(req.url)) return sendScimError(reply, scimErr);
    return reply.code(scimErr.status).send({ statusCode: scimErr.status, error: REASONS[scimErr.status] ?? 'Error', message: scimErr.detail });
  };
}

/** Unknown routes: a SCIM 404 under /scim (field report B20), JSON elsewhere. */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const detail = `No endpoint ${req.method} ${req.url.split('?')[0]}`;
  if (isScimPath(req.url)) return sendScimError(reply, new ScimError(404, undefined, detail));
  return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: detail });
}

/**
 * The loggable part of an error: type, code, message, stack. Database driver
 * errors carry the failed query and its parameters, which must not reach logs.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; statusCode?: unknown };
  return { type: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}), ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}), stack: e.stack };
}

/**
 * Errors of Node's HTTP parser (headers over 16 KB → 431, malformed request
 * line or chunking → 400), which happen before any request exists: answered
 * with a SCIM error body and the connection closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431 ? 'The request headers (or the URL) are too large; send a long filter in a POST …/.search body instead'
    : status === 408 ? 'The request took too long to arrive'
    : 'The HTTP request is malformed';
  const body = JSON.stringify(new ScimError(status, undefined, detail).toJSON());
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * zod's messages say what the schema expected ("Too small: expected string to
 * have >=1 characters"); an admin reading the console wants what to do.
 */
export function plainValidationMessage(message: string): string {
  let m: RegExpMatchArray | null;
  if ((m = message.match(/^Too small: expected string to have >=(\d+) characters?$/))) return m[1] === '1' ? 'must not be empty' : `must be at least ${m[1]} characters`;
  if ((m = message.match(/^Too big: expected string to have <=(\d+) characters?$/))) return `must be at most ${m[1]} characters`;
  if ((m = message.match(/^Too small: expected number to be >=(\d+)$/))) return `must be at least ${m[1]}`;
  if ((m = message.match(/^Too big: expected number to be <=(\d+)$/))) return `must be at most ${m[1]}`;
  if ((m = message.match(/^Too big: expected array to have <=(\d+) items?$/))) return `may list at most ${m[1]} items`;
  if ((m = message.match(/^Invalid input: expected (\w+), received (\w+)$/))) return m[2] === 'undefined' ? 'is required' : `must be a ${m[1]}, not a ${m[2]}`;
  if ((m = message.match(/^Unrecognized keys?: (.+)$/))) return `unknown field ${m[1]}`;
  return message;
}
