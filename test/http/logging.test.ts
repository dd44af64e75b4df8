/**
 * The request log (src/http/logging.ts), captured from an in-process app: JSON
 * lines with a request id that follows X-Request-Id both ways, the org on SCIM
 * and admin lines, no query string or body, credentials redacted even at debug,
 * and a 5xx logged with its stack while a 4xx is one info line.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loggerOptions, REDACTED, requestIdOf } from '../../src/http/logging.js';
import { testApp, testOrg, type TestApp } from '../support/app.js';
import { dialects } from '../support/db.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A pino destination that keeps every line. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream, records: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('requestIdOf (pure)', () => {
  const of = (value: string | string[] | undefined) => requestIdOf({ headers: value === undefined ? {} : { 'x-request-id': value } } as never);
  it('keeps a sane id of 1–128 characters of [A-Za-z0-9._-]', () => {
    for (const ok of ['a', 'abc-123', 'Root=1-67891233-abcdef012345678912345678'.replace(/=/g, '.'), 'x'.repeat(128), 'a.b_c-D9']) expect(of(ok)).toBe(ok);
  });
  it('replaces a missing, empty, long, or unsafe id with a fresh UUID', () => {
    const bad = [undefined, '', 'x'.repeat(129), 'a b', 'a\tb', 'id"}', '{"level":60}', 'ü', 'a/b', 'a,b', 'a, b', '../etc'];
    const ids = bad.map(of);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(bad.length);
  });
});

describe('redaction (pure)', () => {
  it('censors credential headers and secret-named fields up to two levels down', () => {
    const { lines, stream, records } = capture();
    const log = pino(loggerOptions('trace'), stream);
    log.info({ headers: { authorization: 'Bearer s1', cookie: 'scimd_session=s2', 'set-cookie': ['scimd_session=s3'], 'x-csrf-token': 's4', 'proxy-authorization': 'Basic s0', 'user-agent': 'Okta' } }, 'h');
    log.info({ password: 's5', user: { password: 's6', token: 's7' }, a: { b: { secret: 's8', csrfToken: 's9' } } }, 'f');
    const [h, f] = records();
    expect(h!.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, 'x-csrf-token': REDACTED, 'proxy-authorization': REDACTED, 'user-agent': 'Okta' });
    expect(f).toMatchObject({ password: REDACTED, user: { password: REDACTED, token: REDACTED }, a: { b: { secret: REDACTED, csrfToken: REDACTED } } });
    for (let i = 0; i <= 9; i++) expect(lines.join('\n')).not.toContain(`s${i}`);
  });
});

describe.each(dialects())('request logs (%s)', (dialect) => {
  let app: FastifyInstance;
  let t: TestApp;
  const log = capture();
  beforeAll(async () => {
    // debug: the level that also logs headers, so redaction is what keeps credentials out.
    t = await testApp(dialect, { consoleDir: false, logger: { level: 'debug', stream: log.stream } }, (a) =>
      a.get('/test-only/boom', async () => {
        throw new Error('boom at the test route');
      }),
    );
    app = t.app;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    log.lines.length = 0;
  });
  const linesOf = (reqId: string) => log.records().filter((r) => r.reqId === reqId);

  it('writes JSON lines; every request line has a reqId, echoed in X-Request-Id, a caller’s sane id kept', async () => {
    const generated = await app.inject({ url: '/scim/v2/ServiceProviderConfig' });
    const id = generated.headers['x-request-id'] as string;
    expect(id).toMatch(UUID);
    const kept = await app.inject({ url: '/scim/v2/ServiceProviderConfig', headers: { 'x-request-id': 'okta-req.42_A' } });
    expect(kept.headers['x-request-id']).toBe('okta-req.42_A');
    const replaced = await app.inject({ url: '/scim/v2/ServiceProviderConfig', headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(replaced.headers['x-request-id']).toMatch(UUID);
    // Refusals carry it too: a 401 and an unknown URL.
    const refused = await app.inject({ url: '/scim/v2/Users', headers: { 'x-request-id': 'refused-1' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['x-request-id']).toBe('refused-1');
    expect((await app.inject({ url: '/no/such/thing', headers: { 'x-request-id': 'nf-1' } })).headers['x-request-id']).toBe('nf-1');

    const records = log.records();
    expect(records.length).toBeGreaterThanOrEqual(10);
    for (const r of records) {
      expect(typeof r.reqId, JSON.stringify(r)).toBe('string');
      expect(typeof r.level).toBe('number');
      expect(typeof r.time).toBe('number');
    }
    for (const reqId of [id, 'okta-req.42_A', 'refused-1', 'nf-1']) {
      const msgs = linesOf(reqId).map((r) => r.msg);
      expect(msgs).toContain('incoming request');
      expect(msgs).toContain('request completed');
    }
    expect(linesOf('x'.repeat(129))).toEqual([]);
    // Probes and scrapes echo the id but log nothing below warn: every few seconds they would drown the log.
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      const probe = await app.inject({ url, headers: { 'x-request-id': `probe${url.replace('/', '-')}` } });
      expect(probe.headers['x-request-id']).toBe(`probe${url.replace('/', '-')}`);
      expect(linesOf(`probe${url.replace('/', '-')}`), url).toEqual([]);
    }
    expect(linesOf('refused-1').find((r) => r.msg === 'request completed')).toMatchObject({ level: 30, res: { statusCode: 401 } });
  });

  it('names the org on every SCIM line after authentication, never its token, and drops the query string', async () => {
    const a = await testOrg(t);
    const b = await testOrg(t);
    const email = `pii-${randomBytes(4).toString('hex')}@example.com`;
    for (const [org, reqId] of [[a, 'scim-a'], [b, 'scim-b']] as const) {
      const res = await org.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, undefined, { 'x-request-id': reqId });
      expect(res.status).toBe(200);
      const lines = linesOf(reqId);
      const incoming = lines.find((r) => r.msg === 'incoming request')!;
      expect(incoming.req).toEqual({ method: 'GET', url: '/scim/v2/Users', route: '/scim/v2/Users', remoteAddress: '127.0.0.1' });
      const afterAuth = lines.slice(lines.findIndex((r) => r.msg === 'request headers') + 1);
      expect(afterAuth.map((r) => r.msg).sort()).toEqual(['request completed', 'response headers']);
      for (const r of afterAuth) expect(r.orgId).toBe(org.orgId);
    }
    const text = log.lines.join('\n');
    expect(text).not.toContain(email);
    expect(text).not.toContain(encodeURIComponent(email));
    expect(text).not.toContain('filter');
    for (const org of [a, b]) expect(text).not.toContain(org.token);
    expect(text).toContain(`"authorization":"${REDACTED}"`);
  });

  it('names the org of an admin route by its slug, and an org admin’s session by orgId; cookie, CSRF token and password stay out', async () => {
    const org = await testOrg(t);
    const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
    const password = `Correct-Horse-${randomBytes(6).toString('hex')}`;
    expect((await t.admin('POST', `/orgs/${org.slug}/admins`, { email, password })).status).toBe(201);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: `${password}-wrong` } });
    expect(wrong.statusCode).toBe(401);
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, headers: { 'x-request-id': 'sign-in' } });
    expect(signIn.statusCode).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === 'scimd_session')!.value;
    const csrf = signIn.json().csrfToken as string;
    const change = await app.inject({ method: 'POST', url: `/api/v1/orgs/${org.slug}/scim/tokens`, payload: { name: 'from the console' }, cookies: { scimd_session: cookie }, headers: { 'x-csrf-token': csrf, 'x-request-id': 'console-change' } });
    expect(change.statusCode).toBe(201);
    const issued = change.json().token as string;
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { scimd_session: cookie }, headers: { 'x-csrf-token': csrf } })).statusCode).toBe(204);

    const lines = linesOf('console-change');
    expect(lines.find((r) => r.msg === 'request completed')).toMatchObject({ org: org.slug, orgId: org.orgId, res: { statusCode: 201 } });
    expect(lines.find((r) => r.msg === 'request headers')!.headers).toMatchObject({ cookie: REDACTED, 'x-csrf-token': REDACTED });
    expect(linesOf('sign-in').find((r) => r.msg === 'response headers')!.headers['set-cookie']).toBe(REDACTED);
    const text = log.lines.join('\n');
    for (const secret of [password, cookie, csrf, issued]) expect(text).not.toContain(secret);
  });

  it('never logs a request body: a SCIM create and PATCH with password values leave no trace of them', async () => {
    const org = await testOrg(t);
    const userName = `body-${randomBytes(4).toString('hex')}`;
    const passwords = [`Pw-create-${randomBytes(6).toString('hex')}`, `Pw-patch-${randomBytes(6).toString('hex')}`, `Pw-value-${randomBytes(6).toString('hex')}`];
    const created = await org.scim('POST', '/Users', { schemas: [USER], userName, password: passwords[0] });
    expect(created.status).toBe(201);
    expect((await org.scim('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: passwords[1] }] })).status).toBe(200);
    expect((await org.scim('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { password: passwords[2] } }] })).status).toBe(200);
    // A body the server refuses is not logged either.
    expect((await org.scim('POST', '/Users', `{"userName": "${userName}-broken", "password": "${passwords[0]}"`)).status).toBe(400);
    const text = log.lines.join('\n');
    expect(log.records().filter((r) => r.msg === 'request completed' && r.orgId === org.orgId)).toHaveLength(4);
    for (const secret of [...passwords, userName]) expect(text).not.toContain(secret);
  });

  it('logs a 5xx at error with the stack, a 4xx as its info completion line only', async () => {
    const boom = await app.inject({ url: '/test-only/boom', headers: { 'x-request-id': 'boom-1' } });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('boom at the test route');
    const err = linesOf('boom-1').find((r) => r.level === 50)!;
    expect(err.msg).toBe('unhandled error');
    expect(err.err.message).toBe('boom at the test route');
    expect(err.err.stack).toMatch(/Error: boom at the test route\n\s+at /);
    expect(linesOf('boom-1').find((r) => r.msg === 'request completed')!.res.statusCode).toBe(500);

    const org = await testOrg(t);
    expect((await org.scim('POST', '/Users', { schemas: [USER] }, { 'x-request-id': 'bad-1' })).status).toBe(400);
    const bad = linesOf('bad-1');
    expect(bad.filter((r) => r.level >= 40)).toEqual([]);
    expect(bad.find((r) => r.msg === 'request completed')).toMatchObject({ level: 30, res: { statusCode: 400 }, orgId: org.orgId });
  });
});
