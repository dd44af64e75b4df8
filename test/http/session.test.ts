/**
 * Console sign-in (docs/admin-api.md "Sessions and CSRF"): the session cookie
 * and its attributes, sign-out, idle and absolute expiry enforced by the
 * server, CSRF on every state-changing call, login throttling, and the rule
 * that an org admin reaches only their own org, proved for every route under
 * `/api/v1/orgs/:slug` (including routes added after this test was written).
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import {
  browser,
  consoleApp,
  newAdmin,
  newOrg,
  PASSWORD,
  randomEmail,
  randomIp,
  sessionCookieOf,
  signIn,
  type ConsoleApp,
  type Method,
} from '../support/console.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const minutes = (n: number) => n * 60_000;
/** Routes anyone may call: they carry their own proof (password, set-password token). */
const PUBLIC = new Set(['POST /api/v1/session', 'POST /api/v1/password']);

describe.each(dialects())('Console sessions on %s', (dialect) => {
  let c: ConsoleApp;
  beforeAll(async () => {
    c = await consoleApp(dialect);
  });
  afterAll(() => c.app.close());
  const db = async () => (await testDatabase(dialect)).db;
  const sessionRow = async (cookie: string) => (await db()).selectFrom('console_sessions').selectAll().where('id', '=', sha256(cookie)).executeTakeFirst();

  describe('sign-in and sign-out', () => {
    it('POST /session answers the admin, its org and a CSRF token, and sets an httpOnly, SameSite=Lax, Secure cookie', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const before = Date.now();
      const b = await signIn(c, a.email);
      expect(b.signIn.status).toBe(200);
      expect(b.signIn.body).toEqual({
        admin: { id: a.id, email: a.email, org: { id: org.id, slug: org.slug, name: org.name } },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
      });
      const expiresAt = Date.parse(b.signIn.body.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 12 * 3_600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 12 * 3_600_000 + 1000);
      const cookie = sessionCookieOf(b.signIn.res)!;
      expect(cookie).toMatchObject({ name: 'scimd_session', path: '/', httpOnly: true, sameSite: 'Lax', secure: true });
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Math.abs(cookie.expires!.getTime() - expiresAt)).toBeLessThan(1000);
      const raw = String(b.signIn.headers['set-cookie']);
      expect(raw).toMatch(/HttpOnly/);
      expect(raw).toMatch(/SameSite=Lax/);
      expect(raw).toMatch(/Secure/);

      const me = await b.call('GET', '/session');
      expect(me).toMatchObject({ status: 200, body: b.signIn.body });
    });

    it('stores the session id only as a hash, with the CSRF token, client address and user agent', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const ip = randomIp();
      const r = await c.call('POST', '/session', { email: a.email, password: PASSWORD }, { 'user-agent': 'vitest-browser/1.0' }, ip);
      expect(r.status).toBe(200);
      const cookie = sessionCookieOf(r.res)!.value;
      const rows = await (await db()).selectFrom('console_sessions').selectAll().where('admin_id', '=', a.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: sha256(cookie), admin_id: a.id, csrf_token: r.body.csrfToken, ip, user_agent: 'vitest-browser/1.0' });
      expect(JSON.stringify(rows)).not.toContain(cookie);
      expect(rows[0]!.expires_at.getTime()).toBe(Date.parse(r.body.expiresAt));
    });

    it('signs in with the email in any case and surrounding spaces', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const b = await signIn(c, `  ${a.email.toUpperCase()} `);
      expect(b.signIn.body.admin.email).toBe(a.email);
    });

    it('a wrong password, an unknown email and an account without a password get the same 401 and no cookie', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const pending = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail('pending') });
      expect(pending.status).toBe(201);
      const answers = [
        await c.call('POST', '/session', { email: a.email, password: 'not the password at all' }),
        await c.call('POST', '/session', { email: randomEmail('nobody'), password: PASSWORD }),
        await c.call('POST', '/session', { email: pending.body.email, password: PASSWORD }),
      ];
      for (const r of answers) {
        expect(r.status).toBe(401);
        expect(r.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password' });
        expect(sessionCookieOf(r.res)).toBeUndefined();
      }
      expect(await (await db()).selectFrom('console_sessions').select('id').where('admin_id', '=', a.id).execute()).toEqual([]);
    });

    it('takes similar time for an unknown email and a wrong password (a dummy hash is verified)', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const time = async (email: string) => {
        const start = performance.now();
        const r = await c.call('POST', '/session', { email, password: 'wrong password 123' });
        expect(r.status).toBe(401);
        return performance.now() - start;
      };
      // The fastest of several runs: other load on the machine only ever adds time.
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await time(a.email));
        unknown.push(await time(randomEmail('ghost')));
      }
      const [k, u] = [Math.min(...known), Math.min(...unknown)];
      // Without the dummy verification an unknown email answers in a few milliseconds, an order of magnitude faster.
      expect(u).toBeGreaterThan(k * 0.4);
      expect(u).toBeLessThan(k * 2.5);
    });

    it('answers 400 for a malformed sign-in body', async () => {
      for (const body of [{}, { email: 'a@example.com' }, { password: PASSWORD }, { email: '', password: PASSWORD }, { email: 'a@example.com', password: '' }, { email: 'a@example.com', password: PASSWORD, remember: true }]) {
        const r = await c.call('POST', '/session', body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
      }
    });

    it('refuses a cross-site form post: only application/json is read, and nothing is counted or signed in', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const form = `email=${encodeURIComponent(a.email)}&password=${encodeURIComponent(PASSWORD)}`;
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', form],
        ['text/plain', JSON.stringify({ email: a.email, password: PASSWORD })],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${a.email}\r\n--x--\r\n`],
        ['application/scim+json', JSON.stringify({ email: a.email, password: PASSWORD })],
      ] as const) {
        const res = await c.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': type }, payload, remoteAddress: randomIp() });
        expect({ type, status: res.statusCode }).toEqual({ type, status: 415 });
        expect(sessionCookieOf(res)).toBeUndefined();
      }
      const noType = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: JSON.stringify({ email: a.email, password: PASSWORD }) });
      expect(noType.statusCode).toBe(415);
      expect(await (await db()).selectFrom('console_sessions').select('id').where('admin_id', '=', a.id).execute()).toEqual([]);
      expect(await (await db()).selectFrom('login_attempts').select('id').where('email', '=', a.email).execute()).toEqual([]);
      // The same credentials as JSON work.
      expect((await signIn(c, a.email)).signIn.status).toBe(200);
    });

    it('DELETE /session deletes the session row and clears the cookie; the old cookie is then refused', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const b = await signIn(c, a.email);
      expect(await sessionRow(b.cookie)).toBeDefined();
      const out = await b.call('DELETE', '/session');
      expect(out.status).toBe(204);
      const cleared = sessionCookieOf(out.res)!;
      expect(cleared).toMatchObject({ value: '', path: '/', httpOnly: true, sameSite: 'Lax', secure: true });
      expect(cleared.expires!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await sessionRow(b.cookie)).toBeUndefined();
      const again = await b.call('GET', '/session');
      expect(again.status).toBe(401);
      expect((await b.call('GET', `/orgs/${org.slug}`)).status).toBe(401);
    });

    it('GET /session answers 401 when signed out, for an unknown cookie, and for the operator token', async () => {
      expect((await c.call('GET', '/session')).status).toBe(401);
      const unknown = await c.call('GET', '/session', undefined, { cookie: `scimd_session=${'A'.repeat(43)}` });
      expect(unknown.status).toBe(401);
      expect(sessionCookieOf(unknown.res)).toMatchObject({ value: '' });
      expect((await c.call('GET', '/session', undefined, { cookie: 'scimd_session=garbage;;' })).status).toBe(401);
      const op = await c.operator('GET', '/session');
      expect(op.status).toBe(401);
      expect(op.body.message).toContain('operator');
    });

    it('signing in again replaces the session the browser held', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const first = await signIn(c, a.email);
      const r = await first.call('POST', '/session', { email: a.email, password: PASSWORD });
      expect(r.status).toBe(200);
      const second = sessionCookieOf(r.res)!.value;
      expect(second).not.toBe(first.cookie);
      expect(await sessionRow(first.cookie)).toBeUndefined();
      expect(await sessionRow(second)).toBeDefined();
    });

    it('a wrong Authorization header is a 401 even with a valid cookie', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      const r = await b.call('GET', `/orgs/${org.slug}`, undefined, { headers: { authorization: 'Bearer not-the-operator-token-0000' } });
      expect(r.status).toBe(401);
    });
  });

  describe('cookie Secure attribute', () => {
    const secureWith = async (deps: Parameters<typeof consoleApp>[1], headers: Record<string, string> = {}) => {
      const app = await consoleApp(dialect, deps);
      try {
        const org = await newOrg(app);
        const a = await newAdmin(app, org.slug);
        const r = await app.call('POST', '/session', { email: a.email, password: PASSWORD }, headers);
        expect(r.status).toBe(200);
        return { secure: sessionCookieOf(r.res)!.secure === true, raw: String(r.headers['set-cookie']) };
      } finally {
        await app.app.close();
      }
    };

    it('is set with an https public URL, and not with an http one or none over plain HTTP', async () => {
      expect(await secureWith({ publicUrl: 'https://console.example.com' })).toMatchObject({ secure: true });
      const http = await secureWith({ publicUrl: 'http://127.0.0.1:8080' });
      expect(http.secure).toBe(false);
      expect(http.raw).not.toMatch(/Secure/i);
      expect((await secureWith({ publicUrl: undefined })).secure).toBe(false);
    });

    it('is set when the request arrived over HTTPS at a trusted proxy, and X-Forwarded-Proto is ignored otherwise', async () => {
      expect((await secureWith({ publicUrl: undefined, trustProxy: true }, { 'x-forwarded-proto': 'https' })).secure).toBe(true);
      expect((await secureWith({ publicUrl: undefined }, { 'x-forwarded-proto': 'https' })).secure).toBe(false);
    });
  });

  describe('expiry, enforced by the server', () => {
    it('ends a session idle for the idle timeout (default 60 minutes): 401, row deleted, cookie cleared', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      const d = await db();
      await d.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - minutes(59)) }).where('id', '=', sha256(b.cookie)).execute();
      expect((await b.call('GET', '/session')).status).toBe(200);
      await d.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - minutes(61)) }).where('id', '=', sha256(b.cookie)).execute();
      const r = await b.call('GET', '/session');
      expect(r.status).toBe(401);
      expect(sessionCookieOf(r.res)).toMatchObject({ value: '' });
      expect(await sessionRow(b.cookie)).toBeUndefined();
    });

    it('ends a session at its absolute expiry however recently it was used', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      expect((await b.call('GET', `/orgs/${org.slug}`)).status).toBe(200);
      await (await db()).updateTable('console_sessions').set({ expires_at: new Date(Date.now() - 1000), last_seen_at: new Date() }).where('id', '=', sha256(b.cookie)).execute();
      expect((await b.call('GET', `/orgs/${org.slug}`)).status).toBe(401);
      expect(await sessionRow(b.cookie)).toBeUndefined();
    });

    it('honours SCIMD_SESSION_IDLE_MINUTES and SCIMD_SESSION_MAX_HOURS (sessionIdleMinutes, sessionMaxHours)', async () => {
      const short = await consoleApp(dialect, { sessionIdleMinutes: 5, sessionMaxHours: 1 });
      try {
        const org = await newOrg(short);
        const b = await signIn(short, (await newAdmin(short, org.slug)).email);
        const expiresAt = Date.parse(b.signIn.body.expiresAt);
        expect(Math.abs(expiresAt - (Date.now() + 3_600_000))).toBeLessThan(5000);
        expect(Math.abs(sessionCookieOf(b.signIn.res)!.expires!.getTime() - expiresAt)).toBeLessThan(1000);
        const d = await db();
        await d.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - minutes(4)) }).where('id', '=', sha256(b.cookie)).execute();
        expect((await b.call('GET', '/session')).status).toBe(200);
        await d.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - minutes(6)) }).where('id', '=', sha256(b.cookie)).execute();
        expect((await b.call('GET', '/session')).status).toBe(401);
      } finally {
        await short.app.close();
      }
    });

    it('writes last_seen_at at most once a minute', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      const d = await db();
      const recent = new Date(Date.now() - 30_000);
      await d.updateTable('console_sessions').set({ last_seen_at: recent }).where('id', '=', sha256(b.cookie)).execute();
      expect((await b.call('GET', '/session')).status).toBe(200);
      expect((await sessionRow(b.cookie))!.last_seen_at.getTime()).toBe(recent.getTime());
      const old = new Date(Date.now() - 120_000);
      await d.updateTable('console_sessions').set({ last_seen_at: old }).where('id', '=', sha256(b.cookie)).execute();
      const before = Date.now();
      expect((await b.call('GET', '/session')).status).toBe(200);
      const seen = (await sessionRow(b.cookie))!.last_seen_at.getTime();
      expect(seen).toBeGreaterThanOrEqual(before - 1000);
      expect(seen).toBeLessThanOrEqual(Date.now() + 1000);
    });
  });

  describe('CSRF', () => {
    it('every state-changing route answers 403 to a cookie without the right X-CSRF-Token (and the operator token needs none)', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      const changing = c.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.url.startsWith('/api/v1/') && !PUBLIC.has(`${r.method} ${r.url}`));
      const urls = changing.map((r) => `${r.method} ${r.url}`);
      expect(urls).toEqual(expect.arrayContaining(['POST /api/v1/orgs', 'PATCH /api/v1/orgs/:slug/scim', 'POST /api/v1/orgs/:slug/admins', 'DELETE /api/v1/orgs/:slug/admins/:id', 'DELETE /api/v1/session']));
      for (const r of changing) {
        const url = r.url.replace(/^\/api\/v1/, '').replace(/:slug/g, org.slug).replace(/:(\w+)(\([^)]*\))?/g, () => randomUUID());
        for (const csrf of [false, '', 'x'.repeat(43), b.csrfToken.slice(0, -1)] as const) {
          const res = await b.call(r.method as Method, url, {}, { csrf });
          expect({ route: `${r.method} ${r.url}`, csrf, status: res.status }).toEqual({ route: `${r.method} ${r.url}`, csrf, status: 403 });
          expect(res.body.message).toContain('X-CSRF-Token');
        }
      }
      // Nothing happened: still signed in, settings unchanged.
      expect((await b.call('GET', '/session')).status).toBe(200);
      expect((await c.operator('GET', `/orgs/${org.slug}/scim`)).body).toMatchObject({ enabled: false, syncGroups: false });
      // With the token the same call goes through; the operator needs none.
      expect((await b.call('PATCH', `/orgs/${org.slug}/scim`, { enabled: true })).body).toMatchObject({ enabled: true });
      expect((await c.operator('PATCH', `/orgs/${org.slug}/scim`, { enabled: false })).body).toMatchObject({ enabled: false });
    });

    it('reads need no CSRF token', async () => {
      const org = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      expect((await b.call('GET', `/orgs/${org.slug}/scim`, undefined, { csrf: false })).status).toBe(200);
      expect((await b.call('GET', '/session', undefined, { csrf: false })).status).toBe(200);
    });

    it('a session cannot use another session\'s CSRF token', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const one = await signIn(c, a.email);
      const two = await signIn(c, a.email);
      expect((await one.call('PATCH', `/orgs/${org.slug}/scim`, { enabled: true }, { csrf: two.csrfToken })).status).toBe(403);
      expect((await one.call('PATCH', `/orgs/${org.slug}/scim`, { enabled: true })).status).toBe(200);
    });
  });

  describe('login throttling', () => {
    const attempt = (email: string, password: string, ip: string) => c.call('POST', '/session', { email, password }, {}, ip);

    it('after 5 failures for an email within 15 minutes answers 429 with Retry-After, even with the right password', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const ip = randomIp();
      for (let i = 0; i < 5; i++) expect((await attempt(a.email, `wrong-${i}-password`, ip)).status).toBe(401);
      const r = await attempt(a.email, PASSWORD, randomIp());
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('try again') });
      const retry = Number(r.headers['retry-after']);
      expect(retry).toBeGreaterThan(14 * 60);
      expect(retry).toBeLessThanOrEqual(15 * 60);
      expect(sessionCookieOf(r.res)).toBeUndefined();
      // Other emails from the same address are unaffected.
      const other = await newAdmin(c, org.slug);
      expect((await signIn(c, other.email, PASSWORD, ip)).signIn.status).toBe(200);
      // Once the failures are older than the window, sign-in works again.
      await (await db()).updateTable('login_attempts').set({ at: new Date(Date.now() - minutes(16)) }).where('email', '=', a.email).execute();
      expect((await signIn(c, a.email)).signIn.status).toBe(200);
    });

    it('Retry-After counts down to when the oldest counted failure leaves the window', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      for (let i = 0; i < 5; i++) expect((await attempt(a.email, 'wrong password!', randomIp())).status).toBe(401);
      await (await db()).updateTable('login_attempts').set({ at: new Date(Date.now() - minutes(14)) }).where('email', '=', a.email).execute();
      const r = await attempt(a.email, PASSWORD, randomIp());
      expect(r.status).toBe(429);
      const retry = Number(r.headers['retry-after']);
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
    });

    it('a successful sign-in clears the email\'s failures', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      for (let i = 0; i < 4; i++) expect((await attempt(a.email, 'wrong password!', randomIp())).status).toBe(401);
      expect((await signIn(c, a.email)).signIn.status).toBe(200);
      expect(await (await db()).selectFrom('login_attempts').select('id').where('email', '=', a.email).execute()).toEqual([]);
      for (let i = 0; i < 4; i++) expect((await attempt(a.email, 'wrong password!', randomIp())).status).toBe(401);
      expect((await signIn(c, a.email)).signIn.status).toBe(200);
    });

    it('after 30 failures from one address answers 429 to it, for any email; other addresses are unaffected', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const ip = randomIp();
      for (let i = 0; i < 30; i++) expect((await attempt(randomEmail('spray'), 'wrong password!', ip)).status).toBe(401);
      const r = await attempt(a.email, PASSWORD, ip);
      expect(r.status).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect((await signIn(c, a.email, PASSWORD, randomIp())).signIn.status).toBe(200);
    });

    it('stores attempts in the database (any instance sees them): a second app on the same database throttles too', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      for (let i = 0; i < 5; i++) expect((await attempt(a.email, 'wrong password!', randomIp())).status).toBe(401);
      const other = await consoleApp(dialect);
      try {
        expect((await other.call('POST', '/session', { email: a.email, password: PASSWORD })).status).toBe(429);
      } finally {
        await other.app.close();
      }
    });
  });

  describe('an org admin reaches only their own org', () => {
    it('GET /orgs lists only their org; POST /orgs is for the operator', async () => {
      const org = await newOrg(c);
      await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      expect(await b.call('GET', '/orgs')).toMatchObject({ status: 200, body: [org] });
      const create = await b.call('POST', '/orgs', { slug: `x-${org.slug}` });
      expect(create.status).toBe(403);
      expect((await c.operator('GET', `/orgs/x-${org.slug}`)).status).toBe(404);
    });

    it('every route under /api/v1/orgs/:slug answers 404 for another org, and serves their own', async () => {
      const orgA = await newOrg(c, 'own');
      const orgB = await newOrg(c, 'other');
      const b = await signIn(c, (await newAdmin(c, orgA.slug)).email);
      const adminOfB = await newAdmin(c, orgB.slug);
      const tokenOfB = (await c.operator('POST', `/orgs/${orgB.slug}/scim/tokens`, { name: 'b' })).body.id as string;
      await c.operator('PATCH', `/orgs/${orgB.slug}/scim`, { enabled: true });

      // Every route whose path starts with an org parameter, whatever its name.
      const orgRoutes = c.routes.filter((r) => /^\/api\/v1\/orgs\/:/.test(r.url));
      const seen = new Set(orgRoutes.map((r) => `${r.method} ${r.url}`));
      // Guard against a vacuous run: the routes known today are among them.
      for (const known of ['GET /api/v1/orgs/:slug', 'PATCH /api/v1/orgs/:slug/scim', 'POST /api/v1/orgs/:slug/scim/tokens', 'DELETE /api/v1/orgs/:slug/scim/tokens/:id', 'PUT /api/v1/orgs/:slug/role-mappings', 'POST /api/v1/orgs/:slug/admins', 'GET /api/v1/orgs/:slug/admins', 'DELETE /api/v1/orgs/:slug/admins/:id']) {
        expect(seen).toContain(known);
      }
      // Ids of org B's own objects where a route has an id, so a missing check could really reach them.
      const idFor = (url: string) => (url.includes('/admins/') ? adminOfB.id : url.includes('/tokens/') ? tokenOfB : randomUUID());
      const fill = (url: string, slug: string) => url.replace(/^\/api\/v1/, '').replace(/^\/orgs\/:\w+(\([^)]*\))?/, `/orgs/${slug}`).replace(/:(\w+)(\([^)]*\))?/g, () => idFor(url));
      const bodyFor = (method: string) => (['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);

      for (const r of orgRoutes) {
        const res = await b.call(r.method as Method, fill(r.url, orgB.slug), bodyFor(r.method));
        const route = `${r.method} ${r.url}`;
        expect({ route, status: res.status }).toEqual({ route, status: 404 });
        if (r.method !== 'HEAD') expect({ route, message: res.body?.message }).toEqual({ route, message: `No organisation "${orgB.slug}"` });
      }
      // Org B is untouched: its admin, its token and its settings.
      expect((await c.operator('GET', `/orgs/${orgB.slug}/admins`)).body.map((x: { id: string }) => x.id)).toEqual([adminOfB.id]);
      expect((await c.operator('GET', `/orgs/${orgB.slug}/scim/tokens`)).body[0]).toMatchObject({ id: tokenOfB, status: 'active' });
      expect((await c.operator('GET', `/orgs/${orgB.slug}/scim`)).body).toMatchObject({ enabled: true });

      // Their own org: never 401, never the unknown-org 404 (a 404 for an unknown sub-resource, or a 400 for the empty body, is fine).
      for (const r of orgRoutes) {
        const res = await b.call(r.method as Method, fill(r.url, orgA.slug).replace(adminOfB.id, randomUUID()).replace(tokenOfB, randomUUID()), bodyFor(r.method));
        const route = `${r.method} ${r.url}`;
        expect({ route, unauthorised: res.status === 401 || res.status === 403 }).toEqual({ route, unauthorised: false });
        expect({ route, orgNotFound: res.status === 404 && String(res.body?.message ?? '').startsWith('No organisation') }).toEqual({ route, orgNotFound: false });
        if (r.method === 'GET' && !r.url.includes(':id')) expect({ route, status: res.status }).toEqual({ route, status: 200 });
      }
    });

    it('the operator reaches every org', async () => {
      const org = await newOrg(c);
      expect((await c.operator('GET', `/orgs/${org.slug}/admins`)).status).toBe(200);
      expect((await c.operator('GET', `/orgs/${org.slug}`)).body).toEqual(org);
    });

    it('a cookie of a deleted admin is refused', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const b = await signIn(c, a.email);
      expect((await c.operator('DELETE', `/orgs/${org.slug}/admins/${a.id}`)).status).toBe(204);
      expect((await b.call('GET', '/session')).status).toBe(401);
      expect(await sessionRow(b.cookie)).toBeUndefined();
    });
  });

  it('browser() helper sanity: a made-up cookie signs nobody in', async () => {
    const fake = browser(c, randomIp(), 'B'.repeat(43), 'x', { status: 0, headers: {}, body: undefined, res: undefined as never });
    expect((await fake.call('GET', '/session')).status).toBe(401);
  });
});
