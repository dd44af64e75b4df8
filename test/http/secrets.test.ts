/**
 * Secrets (issue 6): tokens are high-entropy and kept only as hashes, the
 * operator token is compared in constant time and only from the Authorization
 * header, wrong tokens are rate-limited per client address without ever
 * slowing a valid token, and every answer carries the browser security headers
 * (security-headers.ts). Revocation on the next request is in auth.test.ts and
 * token-cache.test.ts; cookie attributes in session.test.ts; the console under
 * its CSP in a real browser in test/e2e/console.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { AuthFailureLimiter, clientKey } from '../../src/http/auth-failures.js';
import { SWAGGER_UI_INLINE_STYLE } from '../../src/http/security-headers.js';
import { loadOrCreateOperatorToken } from '../../src/operator-token.js';
import { isOperatorToken, issueToken } from '../../src/tenants/tokens.js';
import { dialects, testDatabase, type Dialect } from '../support/db.js';
import { OPERATOR_TOKEN, testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { createUser, PATCH_OP, userBody } from '../support/scim.js';
import { PASSWORD } from '../support/console.js';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const TOKEN_SHAPE = /^scimd_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/;

/** The longest prefix `a` and `b` share. */
const commonPrefix = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
};

/** Every window of `len` characters of `s`: if none is stored, no longer piece of `s` is. */
const windows = (s: string, len = 16) => Array.from({ length: s.length - len + 1 }, (_, i) => s.slice(i, i + len));

/**
 * Rows of any text-like column (text, varchar, json, jsonb, bytea as text) of
 * any table of the test schema that contain any of `needles`: [table.column, count].
 */
async function columnsContaining(dialect: Dialect, needles: string[]): Promise<[string, number][]> {
  const { db } = await testDatabase(dialect);
  const cols = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY', 'USER-DEFINED')`.execute(db);
  expect(cols.rows.length).toBeGreaterThan(20);
  const hits: [string, number][] = [];
  for (const { table_name, column_name } of cols.rows) {
    const col = sql`${sql.ref(column_name)}::text`;
    const any = sql.join(needles.map((n) => sql`strpos(${col}, ${n}) > 0`), sql` or `);
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} where ${any}`.execute(db);
    if (r.rows[0]!.n > 0) hits.push([`${table_name}.${column_name}`, r.rows[0]!.n]);
  }
  return hits;
}

describe.each(dialects())('Token entropy and storage on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  it('issues 1,000 distinct tokens of 256 random bits, with no shared prefix beyond "scimd_"', async () => {
    const org = await testOrg(t);
    const { db } = await testDatabase(dialect);
    const tokens: string[] = [];
    for (let i = 0; i < 1000; i++) tokens.push((await issueToken(db, org.orgId, `entropy-${i}`)).token);
    for (const tok of tokens) expect(tok).toMatch(TOKEN_SHAPE);
    const secrets = tokens.map((tok) => tok.slice('scimd_'.length + 9));
    // 43 base64url characters are exactly 32 bytes: 256 bits.
    for (const s of secrets) expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    expect(new Set(tokens).size).toBe(1000);
    expect(new Set(secrets).size).toBe(1000);
    expect(new Set(tokens.map((tok) => tok.slice(0, 14))).size).toBe(1000);
    // Random strings of 64 symbols: sorted neighbours share ~2 characters; 8 would mean a counter or a seed.
    const sorted = [...tokens].map((tok) => tok.slice('scimd_'.length)).sort();
    const longest = Math.max(...sorted.slice(1).map((s, i) => commonPrefix(s, sorted[i]!)));
    expect(longest).toBeLessThan(8);
    // Every base64url symbol is used, about equally (42 full symbols per secret; the 43rd carries 4 bits).
    const counts = new Map<string, number>();
    for (const s of secrets) for (const ch of s.slice(0, 42)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(64);
    for (const n of counts.values()) expect(n).toBeGreaterThan(450); // expected 656; this bound is > 8 standard deviations away
  }, 120_000);

  it('generates operator tokens of 256 random bits, each different, in a file only its owner can read', () => {
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'scimd-op-')));
    try {
      const made = dirs.map((d) => loadOrCreateOperatorToken(d, undefined));
      for (const m of made) {
        expect(m.source).toBe('generated');
        expect(m.token).toMatch(/^scimd_op_[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(m.token.slice('scimd_op_'.length), 'base64url')).toHaveLength(32);
        expect(statSync(m.path!).mode & 0o777).toBe(0o600);
      }
      expect(new Set(made.map((m) => m.token)).size).toBe(3);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('stores no SCIM token, session secret, password or set-password token, whole or in part, in any column; the session cookie is HttpOnly, SameSite=Lax, Secure, Path=/', async () => {
    const org = await testOrg(t);
    // Use the token for everything that records something: reads, a write, last_used_at, a refusal after revocation.
    const user = await createUser(org, `stored-${Date.now()}@example.com`);
    const userPassword = 'Pa55-word-of-a-user-0123456789';
    expect((await org.scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: userPassword }] })).status).toBe(200);
    expect((await org.scim('GET', '/Users?count=5')).status).toBe(200);
    // An admin invited with a set-password link, and another signed in with a password.
    const invited = await t.admin('POST', `/orgs/${org.slug}/admins`, { email: `invited-${Date.now()}@example.com` });
    const linkToken = decodeURIComponent(String(invited.body.setPasswordUrl).split('#token=')[1]);
    expect(linkToken.length).toBeGreaterThanOrEqual(43);
    const adminEmail = `signed-in-${Date.now()}@example.com`;
    expect((await t.admin('POST', `/orgs/${org.slug}/admins`, { email: adminEmail, password: PASSWORD })).status).toBe(201);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload: { email: adminEmail, password: PASSWORD } });
    expect(signIn.statusCode).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === 'scimd_session')!;
    // The admin issue's cookie: script cannot read it, no cross-site sub-request carries it, HTTPS only (publicUrl is https), whole site, host-only.
    expect({ ...cookie, value: undefined, expires: undefined }).toEqual({ name: 'scimd_session', value: undefined, expires: undefined, httpOnly: true, sameSite: 'Lax', secure: true, path: '/' });
    expect(cookie.expires!.getTime()).toBeGreaterThan(Date.now());
    const sessionSecret = cookie.value;
    const tokens = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body;
    expect((await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tokens[0].id}`)).status).toBe(204);
    expect((await org.scim('GET', '/Users')).status).toBe(401);
    await t.admin('GET', `/orgs/${org.slug}/activity`); // flushes the queued activity rows
    const secrets = { scimToken: org.token, sessionSecret, userPassword, adminPassword: PASSWORD, linkToken };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: await columnsContaining(dialect, windows(secret)) }).toEqual({ name, found: [] });
    }
    // The scan does find what is there: the token's public prefix is stored.
    expect((await columnsContaining(dialect, [org.token.split('_').slice(0, 2).join('_')])).map(([c]) => c)).toContain('scim_tokens.token_prefix');
  }, 60_000);
});

describe.each(dialects())('The operator token on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  const withBearer = (token: string, url = '/api/v1/orgs') => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('refuses a same-length wrong token, a prefix, a longer token and another letter case; accepts only the token', async () => {
    const flipped = OPERATOR_TOKEN.slice(0, -1) + (OPERATOR_TOKEN.endsWith('0') ? '1' : '0');
    for (const wrong of [flipped, OPERATOR_TOKEN.slice(0, -1), OPERATOR_TOKEN.slice(0, 16), `${OPERATOR_TOKEN}0`, OPERATOR_TOKEN.toUpperCase(), 'x'.repeat(OPERATOR_TOKEN.length)]) {
      const r = await withBearer(wrong);
      expect({ wrong, status: r.statusCode }).toEqual({ wrong, status: 401 });
      expect(r.headers['www-authenticate']).toBe('Bearer realm="scimd-admin"');
    }
    expect((await withBearer(OPERATOR_TOKEN)).statusCode).toBe(200);
    expect(isOperatorToken(flipped, OPERATOR_TOKEN)).toBe(false);
    expect(isOperatorToken(OPERATOR_TOKEN, OPERATOR_TOKEN)).toBe(true);
  });

  it('is no credential in the URL (RFC 6750 §2.3 is not supported): ?access_token= answers 401, for SCIM tokens too', async () => {
    for (const url of [`/api/v1/orgs?access_token=${OPERATOR_TOKEN}`, `/api/v1/orgs?token=${OPERATOR_TOKEN}`]) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    const org = await testOrg(t);
    const r = await t.app.inject({ method: 'GET', url: `/scim/v2/Users?access_token=${org.token}` });
    expect(r.statusCode).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/orgs', cookies: { access_token: OPERATOR_TOKEN } })).statusCode).toBe(401);
  });
});

/** A clock the tests move by hand. */
function fakeClock(start = Date.parse('2026-11-30T05:00:00Z')) {
  const clock = { at: start, now: () => clock.at, advance: (ms: number) => void (clock.at += ms) };
  return clock;
}

describe.each(dialects())('Rate limiting of wrong tokens on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  const clock = fakeClock();
  beforeAll(async () => {
    t = await testApp(dialect, { authFailures: { limit: 20, windowMs: 60_000, now: clock.now } });
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  let ipSeq = 0;
  const newIp = () => `203.0.113.${++ipSeq}`;
  const scim = (ip: string, token: string | undefined, path = '/Users?count=1', method: 'GET' | 'POST' = 'GET', body?: unknown) =>
    t.app.inject({
      method,
      url: `/scim/v2${path}`,
      remoteAddress: ip,
      headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
  const wrongToken = () => `scimd_AAAAAAAA_${Math.random().toString(36).slice(2).padEnd(43, 'x')}`;

  it('answers 401 to the first 20 wrong tokens, then 429 with Retry-After in the SCIM error shape; a valid token from that address is still served', async () => {
    const ip = newIp();
    for (let i = 0; i < 20; i++) {
      const r = await scim(ip, wrongToken());
      expect({ i, status: r.statusCode }).toEqual({ i, status: 401 });
    }
    for (let i = 0; i < 5; i++) {
      const r = await scim(ip, wrongToken());
      expect(r.statusCode).toBe(429);
      expect(r.headers['retry-after']).toBe('60');
      expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
      const body = JSON.parse(r.body);
      expect(body).toEqual({ schemas: [ERROR_SCHEMA], status: '429', detail: expect.stringContaining('try again in 60 seconds') });
    }
    // No token at all, or not a bearer: also 429 from this address (it guesses nothing, but is not served either).
    expect((await scim(ip, undefined)).statusCode).toBe(429);
    // A valid token from the same address: reads, a write, the hinted read path, discovery.
    expect((await scim(ip, org.token)).statusCode).toBe(200);
    const created = await scim(ip, org.token, '/Users', 'POST', userBody(`limited-${Date.now()}@example.com`));
    expect(created.statusCode).toBe(201);
    const id = JSON.parse(created.body).id;
    expect((await scim(ip, org.token, `/Users/${id}`)).statusCode).toBe(200);
    expect((await scim(ip, org.token, `/Users/${id}`)).statusCode).toBe(200);
    expect((await scim(ip, org.token, '/ServiceProviderConfig')).statusCode).toBe(200);
    // Half the window later the wait is half as long; after the window, wrong tokens get their 401 again.
    clock.advance(30_000);
    const later = await scim(ip, wrongToken());
    expect([later.statusCode, later.headers['retry-after']]).toEqual([429, '30']);
    clock.advance(30_000);
    expect((await scim(ip, wrongToken())).statusCode).toBe(401);
  });

  it('serves a valid token while the same address floods wrong ones, in parallel', async () => {
    const ip = newIp();
    const flood = Array.from({ length: 60 }, () => scim(ip, wrongToken()));
    const valid = Array.from({ length: 10 }, () => scim(ip, org.token));
    const [bad, good] = await Promise.all([Promise.all(flood), Promise.all(valid)]);
    expect(good.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const statuses = bad.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // And after the flood, the same address's valid token still answers at once.
    expect((await scim(ip, org.token)).statusCode).toBe(200);
  });

  it('counts each client address apart: another address still gets 401', async () => {
    const flooder = newIp();
    for (let i = 0; i < 21; i++) await scim(flooder, wrongToken());
    expect((await scim(flooder, wrongToken())).statusCode).toBe(429);
    const bystander = newIp();
    const r = await scim(bystander, wrongToken());
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="scimd", error="invalid_token"');
    // Requests with no token count nothing.
    const quiet = newIp();
    for (let i = 0; i < 30; i++) await scim(quiet, undefined);
    expect((await scim(quiet, wrongToken())).statusCode).toBe(401);
  });

  it('records no activity row for a flood of unknown tokens, and at most the counted 401s for a revoked one', async () => {
    const { db } = await testDatabase(dialect);
    const rows = async () => Number((await db.selectFrom('activity').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await t.admin('GET', `/orgs/${org.slug}/activity`);
    const before = await rows();
    const ip = newIp();
    for (let i = 0; i < 50; i++) await scim(ip, wrongToken());
    await t.admin('GET', `/orgs/${org.slug}/activity`);
    expect(await rows()).toBe(before);

    const victim = await testOrg(t);
    const [tok] = (await t.admin('GET', `/orgs/${victim.slug}/scim/tokens`)).body;
    expect((await t.admin('DELETE', `/orgs/${victim.slug}/scim/tokens/${tok.id}`)).status).toBe(204);
    const ip2 = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await scim(ip2, victim.token)).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    const failures = (await t.admin('GET', `/orgs/${victim.slug}/activity?status=failures&limit=100`)).body.items;
    expect(failures.map((f: { status: number }) => f.status)).toEqual(Array(20).fill(401));
  });

  it('limits wrong operator tokens on the admin API the same way (shared count), in the admin error shape', async () => {
    const ip = newIp();
    const admin = (token: string | undefined) => t.app.inject({ method: 'GET', url: '/api/v1/orgs', remoteAddress: ip, headers: token ? { authorization: `Bearer ${token}` } : {} });
    for (let i = 0; i < 10; i++) expect((await scim(ip, wrongToken())).statusCode).toBe(401);
    for (let i = 0; i < 10; i++) expect((await admin(`wrong-operator-token-${i}`)).statusCode).toBe(401);
    const r = await admin('wrong-operator-token-x');
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('60');
    expect(JSON.parse(r.body)).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('try again in 60 seconds') });
    expect((await scim(ip, wrongToken())).statusCode).toBe(429);
    // The operator is served; a browser with no credential still gets its 401 (the console's sign-in page).
    expect((await admin(OPERATOR_TOKEN)).statusCode).toBe(200);
    expect((await admin(undefined)).statusCode).toBe(401);
  });

  // Fresh-reviewer finding: /metrics accepts the operator token, and its wrong tokens were never counted.
  it('counts wrong tokens on /metrics with the others: 429 past the limit, the operator still served', async () => {
    const ip = newIp();
    const metrics = (token: string) => t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: ip, headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 15; i++) expect((await metrics(`wrong-metrics-token-${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await scim(ip, wrongToken())).statusCode).toBe(401);
    const r = await metrics('wrong-metrics-token-x');
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('60');
    expect(JSON.parse(r.body)).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('try again in 60 seconds') });
    expect((await scim(ip, wrongToken())).statusCode).toBe(429);
    expect((await metrics(OPERATOR_TOKEN)).statusCode).toBe(200);
  });
});

describe.each(dialects())('Rate limiting behind a trusted proxy on %s', (dialect) => {
  it('counts the X-Forwarded-For client, not the proxy', async () => {
    const t = await testApp(dialect, { trustProxy: true, authFailures: { limit: 3, windowMs: 60_000 } });
    try {
      const call = (client: string) => t.app.inject({ method: 'GET', url: '/scim/v2/Users', remoteAddress: '10.0.0.1', headers: { authorization: 'Bearer scimd_wrong', 'x-forwarded-for': client } });
      for (let i = 0; i < 3; i++) expect((await call('198.51.100.1')).statusCode).toBe(401);
      expect((await call('198.51.100.1')).statusCode).toBe(429);
      expect((await call('198.51.100.2')).statusCode).toBe(401);
    } finally {
      await t.app.close();
    }
  });
});

describe('AuthFailureLimiter', () => {
  it('remembers at most maxClients addresses, dropping the least recently failed', () => {
    const clock = fakeClock();
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 60_000, maxClients: 100, now: clock.now });
    limiter.recordFailure('keep');
    limiter.recordFailure('keep');
    for (let i = 0; i < 10_000; i++) {
      limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
      if (i % 50 === 0) limiter.recordFailure('keep'); // still failing, so still remembered
    }
    expect(limiter.size).toBe(100);
    expect(limiter.retryAfterSeconds('keep')).toBe(60);
    expect(limiter.retryAfterSeconds('10.0.0.0')).toBe(0);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:0:0:0:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 60_000 });
    limiter.recordFailure('2001:db8:1:2::1');
    limiter.recordFailure('2001:db8:1:2::2');
    expect(limiter.retryAfterSeconds('2001:db8:1:2:ffff::9')).toBe(60);
    expect(limiter.retryAfterSeconds('2001:db8:1:3::1')).toBe(0);
  });

  it('ends a window after windowMs, and a new failure starts a new one', () => {
    const clock = fakeClock();
    const limiter = new AuthFailureLimiter({ limit: 1, windowMs: 10_000, now: clock.now });
    limiter.recordFailure('a');
    expect(limiter.retryAfterSeconds('a')).toBe(10);
    clock.advance(9_001);
    expect(limiter.retryAfterSeconds('a')).toBe(1);
    clock.advance(999);
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    expect(limiter.size).toBe(0);
  });
});

describe.each(dialects())('Security headers on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  /** A Content-Security-Policy header as directive → sources. */
  const policy = (header: unknown) =>
    Object.fromEntries(
      String(header)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...sources]) => [name, sources]),
    );

  const common = (h: Record<string, unknown>) => {
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['referrer-policy']).toBe('no-referrer');
    expect(policy(h['content-security-policy'])['frame-ancestors']).toEqual(["'none'"]);
  };

  it('gives the console a strict CSP: this origin only, no inline or eval script, no inline style, no plugins, no framing', async () => {
    for (const url of ['/console/', '/console/orgs/x/members', '/console/set-password']) {
      const r = await t.app.inject({ url });
      expect(r.statusCode).toBe(200);
      common(r.headers);
      expect(policy(r.headers['content-security-policy'])).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      });
    }
  });

  it("gives SCIM and admin API answers (200, 401, 404) nosniff, no-referrer, DENY and CSP default-src 'none'", async () => {
    const org = await testOrg(t);
    const answers = [
      await t.app.inject({ url: '/scim/v2/Users', headers: { authorization: `Bearer ${org.token}` } }),
      await t.app.inject({ url: '/scim/v2/Users' }),
      await t.app.inject({ url: '/api/v1/orgs', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } }),
      await t.app.inject({ url: '/api/v1/nothing-here' }),
      await t.app.inject({ url: '/healthz' }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 401, 200, 404, 200]);
    for (const r of answers) {
      common(r.headers);
      expect(policy(r.headers['content-security-policy'])['default-src']).toEqual(["'none'"]);
    }
  });

  it('gives the API reference page its own policy: scripts, styles, images and fonts from this origin only, never framed', async () => {
    const r = await t.app.inject({ url: '/api/v1/docs' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(policy(r.headers['content-security-policy'])).toEqual({
      'default-src': ["'self'"],
      'base-uri': ["'none'"],
      'font-src': ["'self'", 'data:'],
      'frame-ancestors': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", SWAGGER_UI_INLINE_STYLE],
      'form-action': ["'none'"],
    });
  });

  it('sends HSTS when SCIMD_PUBLIC_URL is https or the request came over HTTPS, never over plain HTTP', async () => {
    const hsts = 'max-age=31536000; includeSubDomains';
    expect((await t.app.inject({ url: '/healthz' })).headers['strict-transport-security']).toBe(hsts); // publicUrl https://scim.test
    const { db } = await testDatabase(dialect);
    const plain = createApp({ db, operatorToken: OPERATOR_TOKEN, consoleDir: false, trustProxy: true });
    try {
      expect((await plain.inject({ url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
      expect((await plain.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } })).headers['strict-transport-security']).toBe(hsts);
    } finally {
      await plain.close();
    }
  });
});

describe('No secret in a URL', () => {
  it('the console source puts no token, password or secret in a query string', () => {
    const root = join(import.meta.dirname, '../../web/src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.(ts|tsx)$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/[?&](access_token|token|password|secret|csrf\w*)=/gi)) offending.push(`${f}: ${m[0]}`);
    }
    expect(offending).toEqual([]);
  });
});
