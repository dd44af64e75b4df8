/**
 * Which errors mean "the database is unavailable" (503 + Retry-After), and that
 * every API answers them so: a pure classification table, then an app whose
 * database refuses connections (a PostgreSQL URL on a closed port), driven
 * in-process. No database is involved, so this runs once, not per dialect.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../src/app.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect.js';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { TOKEN_PREFIX } from '../../src/tenants/tokens.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['ECONNREFUSED', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['ECONNRESET', withCode('ECONNRESET', 'read ECONNRESET')],
    ['ETIMEDOUT', withCode('ETIMEDOUT')],
    ['EPIPE', withCode('EPIPE')],
    ['ENOTFOUND (DNS)', withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db')],
    ['57P01 admin_shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash_shutdown', withCode('57P02')],
    ['57P03 cannot_connect_now', withCode('57P03', 'the database system is starting up')],
    ['08006 connection_failure', withCode('08006')],
    ['08003 connection_does_not_exist', withCode('08003')],
    ['53300 too_many_connections', withCode('53300', 'sorry, too many clients already')],
    ['57014 query_canceled (statement_timeout)', withCode('57014', 'canceling statement due to statement timeout')],
    ['pg: connection ended', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: checkout timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: query_timeout', new Error('Query read timeout')],
    ['pg: broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['pool ended (shutdown)', new Error('Cannot use a pool after calling end on the pool')],
    ['wrapped in cause', new Error('transaction failed', { cause: withCode('ECONNRESET') })],
    ['AggregateError of connect attempts', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''), { code: 'ECONNREFUSED' })],
    ['AggregateError without its own code', new AggregateError([withCode('ECONNREFUSED')], '')],
  ])('%s is an outage', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['23505 unique_violation', withCode('23505')],
    ['22P02 invalid_text_representation', withCode('22P02')],
    ['40001 serialization_failure', withCode('40001')],
    ['42P01 undefined_table', withCode('42P01')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('%s is not', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('an unreachable database answers 503 with Retry-After on every API', () => {
  let handle: DatabaseHandle;
  let app: FastifyInstance;
  beforeAll(async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    handle = await openDatabase({ url: `postgres://scimd@127.0.0.1:${port}/scimd` }, { connectTimeoutMs: 1000 });
    app = createApp({ db: handle.db, operatorToken: 'unavailable-operator-token-0123', consoleDir: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await handle?.close();
  });

  const scimBody = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: expect.stringMatching(/^The database is unavailable/) };
  it.each([
    ['GET', '/scim/v2/Users', undefined],
    ['GET', '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646', undefined],
    ['POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen' }],
    ['PATCH', '/scim/v2/Groups/2819c223-7f76-453a-919d-413861904646', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: 'x' }] }] }],
    ['POST', '/scim/v2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'DELETE', path: '/Users/x' }] }],
  ])('SCIM %s %s', async (method, url, body) => {
    const res = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${TOKEN_PREFIX}${'a'.repeat(43)}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(JSON.parse(res.body)).toEqual(scimBody);
  });

  it.each([
    ['GET', '/api/v1/orgs', 'operator'],
    ['POST', '/api/v1/orgs', 'operator'],
    ['GET', '/api/v1/orgs/acme/scim/tokens', 'operator'],
    ['GET', '/api/v1/session', 'cookie'],
    ['POST', '/api/v1/session', 'none'],
  ])('admin %s %s (%s)', async (method, url, auth) => {
    const headers: Record<string, string> =
      auth === 'operator' ? { authorization: 'Bearer unavailable-operator-token-0123' } : auth === 'cookie' ? { cookie: 'scimd_session=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' } : {};
    const payload = method === 'POST' ? (url.endsWith('/session') ? { email: 'a@example.test', password: 'correct horse battery staple' } : { slug: 'acme', name: 'Acme' }) : undefined;
    const res = await app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body)).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/^The database is unavailable/) });
  });

  it('/readyz answers 503 and /healthz 200', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
