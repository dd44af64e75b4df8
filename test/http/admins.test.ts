/**
 * Org admins' console accounts (docs/admin-api.md "Console admins"): created
 * by the operator or invited by an admin of the org, with a password or a
 * one-time set-password link; passwords stored only as argon2id hashes, link
 * tokens only as SHA-256 hashes; listing and removal; activity records without
 * secrets; the OpenAPI document.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN } from '../support/app.js';
import { dialects, testDatabase } from '../support/db.js';
import { consoleApp, newAdmin, newOrg, PASSWORD, randomEmail, signIn, type ConsoleApp } from '../support/console.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const LINK = /^https:\/\/scim\.test\/console\/set-password#token=([A-Za-z0-9_-]{43})$/;

describe.each(dialects())('Console admins on %s', (dialect) => {
  let c: ConsoleApp;
  beforeAll(async () => {
    c = await consoleApp(dialect);
  });
  afterAll(() => c.app.close());
  const db = async () => (await testDatabase(dialect)).db;
  const adminRow = async (id: string) => (await db()).selectFrom('console_admins').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const tokenOf = (url: string) => LINK.exec(url)![1]!;

  describe('create with a password', () => {
    it('answers 201 {id, email, createdAt, passwordSet} without a link, and the admin can sign in at once', async () => {
      const org = await newOrg(c);
      const email = randomEmail('Boss').replace('boss', 'Boss');
      const before = Date.now();
      const r = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: `  ${email.toUpperCase()} `, password: PASSWORD });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: email.toLowerCase(), createdAt: expect.any(String), passwordSet: true });
      expect(Date.parse(r.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      const b = await signIn(c, email, PASSWORD);
      expect(b.signIn.body.admin).toEqual({ id: r.body.id, email: email.toLowerCase(), org });
    });

    it('stores the password only as an argon2id hash', async () => {
      const org = await newOrg(c);
      const password = 'an unusual passphrase 7f3a';
      const a = await newAdmin(c, org.slug, randomEmail(), password);
      const row = await adminRow(a.id);
      expect(row.email).toBe(a.email);
      expect(row.org_id).toBe(org.id);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,p=\d+,t=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(row.password_set_at).toBeInstanceOf(Date);
      expect(JSON.stringify(row)).not.toContain(password);
      // Two admins with the same password get different hashes (salted).
      const b = await newAdmin(c, org.slug, randomEmail(), password);
      expect((await adminRow(b.id)).password_hash).not.toBe(row.password_hash);
    });

    it('answers 400 for a short password, a bad email or unknown fields, and creates nothing', async () => {
      const org = await newOrg(c);
      for (const body of [
        { email: randomEmail(), password: 'short pw 11' },
        { email: 'not-an-email', password: PASSWORD },
        { email: '', password: PASSWORD },
        { password: PASSWORD },
        { email: randomEmail(), password: PASSWORD, role: 'owner' },
        { email: randomEmail(), password: 'x'.repeat(1025) },
        { email: 42 },
      ]) {
        const r = await c.operator('POST', `/orgs/${org.slug}/admins`, body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expect(r.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      }
      const short = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail(), password: 'short' });
      expect(short.body.message).toContain('12');
      expect((await c.operator('GET', `/orgs/${org.slug}/admins`)).body).toEqual([]);
    });

    it('answers 409 when the email has an account, in any case and in any org', async () => {
      const org = await newOrg(c);
      const other = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      for (const [slug, email] of [[org.slug, a.email], [other.slug, a.email.toUpperCase()]] as const) {
        const r = await c.operator('POST', `/orgs/${slug}/admins`, { email, password: PASSWORD });
        expect(r.status).toBe(409);
        expect(r.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(a.email) });
      }
      expect((await c.operator('GET', `/orgs/${other.slug}/admins`)).body).toEqual([]);
    });

    it('answers 404 for an unknown org', async () => {
      expect((await c.operator('POST', `/orgs/no-such-org-${randomUUID().slice(0, 8)}/admins`, { email: randomEmail(), password: PASSWORD })).status).toBe(404);
    });
  });

  describe('create without a password (set-password link)', () => {
    it('answers a one-time link valid 72 hours; the account cannot sign in until it is used', async () => {
      const org = await newOrg(c);
      const email = randomEmail('invitee');
      const r = await c.operator('POST', `/orgs/${org.slug}/admins`, { email });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.any(String), email, createdAt: expect.any(String), passwordSet: false, setPasswordUrl: expect.stringMatching(LINK) });
      const token = tokenOf(r.body.setPasswordUrl);
      const rows = await (await db()).selectFrom('password_set_tokens').selectAll().where('admin_id', '=', r.body.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toBe(sha256(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0]!.used_at).toBeNull();
      expect(Math.abs(rows[0]!.expires_at.getTime() - (Date.now() + 72 * 3_600_000))).toBeLessThan(10_000);
      expect((await adminRow(r.body.id)).password_hash).toBeNull();
      expect((await c.call('POST', '/session', { email, password: PASSWORD })).status).toBe(401);
    });

    it('POST /password sets the password once: the account signs in, the link then answers 401', async () => {
      const org = await newOrg(c);
      const email = randomEmail('invitee');
      const created = await c.operator('POST', `/orgs/${org.slug}/admins`, { email });
      const token = tokenOf(created.body.setPasswordUrl);
      const set = await c.call('POST', '/password', { token, password: PASSWORD });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ id: created.body.id, email, createdAt: created.body.createdAt, passwordSet: true });
      expect((await adminRow(created.body.id)).password_hash).toMatch(/^\$argon2id\$/);
      expect((await signIn(c, email, PASSWORD)).signIn.body.admin.id).toBe(created.body.id);

      const again = await c.call('POST', '/password', { token, password: 'another password 123' });
      expect(again.status).toBe(401);
      expect(again.body.message).toContain('already been used');
      expect((await signIn(c, email, PASSWORD)).signIn.status).toBe(200);
      expect((await c.call('POST', '/session', { email, password: 'another password 123' })).status).toBe(401);
      expect((await c.operator('GET', `/orgs/${org.slug}/admins`)).body[0]).toMatchObject({ id: created.body.id, passwordSet: true });
    });

    it('answers 401 for an expired or unknown token, 400 for a short password (the link stays usable)', async () => {
      const org = await newOrg(c);
      const created = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail() });
      const token = tokenOf(created.body.setPasswordUrl);
      const short = await c.call('POST', '/password', { token, password: 'too short' });
      expect(short.status).toBe(400);
      expect((await c.call('POST', '/password', { token: 'A'.repeat(43), password: PASSWORD })).status).toBe(401);
      expect((await c.call('POST', '/password', { token: '', password: PASSWORD })).status).toBe(400);
      expect((await c.call('POST', '/password', { token, password: PASSWORD, email: 'x@example.com' })).status).toBe(400);
      await (await db()).updateTable('password_set_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('admin_id', '=', created.body.id).execute();
      const expired = await c.call('POST', '/password', { token, password: PASSWORD });
      expect(expired.status).toBe(401);
      expect(expired.body.message).toContain('expired');
      expect((await adminRow(created.body.id)).password_hash).toBeNull();
      await (await db()).updateTable('password_set_tokens').set({ expires_at: new Date(Date.now() + 60_000) }).where('admin_id', '=', created.body.id).execute();
      expect((await c.call('POST', '/password', { token, password: PASSWORD })).status).toBe(200);
    });

    it('two concurrent redemptions of one link: exactly one succeeds', async () => {
      const org = await newOrg(c);
      const created = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail() });
      const token = tokenOf(created.body.setPasswordUrl);
      const results = await Promise.all([c.call('POST', '/password', { token, password: 'first password 1' }), c.call('POST', '/password', { token, password: 'second password 2' })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('builds the link from the request origin when no public URL is configured', async () => {
      const bare = await consoleApp(dialect, { publicUrl: undefined });
      try {
        const org = await newOrg(bare);
        const res = await bare.app.inject({
          method: 'POST',
          url: `/api/v1/orgs/${org.slug}/admins`,
          headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', host: 'admin.internal:9000' },
          payload: JSON.stringify({ email: randomEmail() }),
        });
        expect(res.statusCode).toBe(201);
        expect(JSON.parse(res.body).setPasswordUrl).toMatch(/^http:\/\/admin\.internal:9000\/console\/set-password#token=[A-Za-z0-9_-]{43}$/);
        // A Host header that is not a host name never ends up in a link, and nothing is created.
        const email = randomEmail('badhost');
        const bad = await bare.app.inject({
          method: 'POST',
          url: `/api/v1/orgs/${org.slug}/admins`,
          headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', host: 'evil.example/x?' },
          payload: JSON.stringify({ email }),
        });
        expect(bad.statusCode).toBe(400);
        expect((await bare.operator('GET', `/orgs/${org.slug}/admins`)).body.map((x: { email: string }) => x.email)).not.toContain(email);
      } finally {
        await bare.app.close();
      }
    });
  });

  describe('invited by an admin of the org', () => {
    it('an admin creates another admin of their org (with the CSRF token), recorded with their email', async () => {
      const org = await newOrg(c);
      const boss = await newAdmin(c, org.slug);
      const b = await signIn(c, boss.email);
      const email = randomEmail('colleague');
      const r = await b.call('POST', `/orgs/${org.slug}/admins`, { email });
      expect(r.status).toBe(201);
      expect(r.body.setPasswordUrl).toMatch(LINK);
      const list = await b.call('GET', `/orgs/${org.slug}/admins`);
      expect(list.body.map((x: { email: string }) => x.email).sort()).toEqual([boss.email, email].sort());
      const rows = await (await db()).selectFrom('activity').selectAll().where('org_id', '=', org.id).where('target_id', '=', r.body.id).execute();
      expect(rows).toEqual([expect.objectContaining({ source: 'admin', actor: boss.email, operation: 'admin.invite', target_type: 'admin', target_name: email })]);
    });

    it('cannot create an admin in another org', async () => {
      const org = await newOrg(c);
      const other = await newOrg(c);
      const b = await signIn(c, (await newAdmin(c, org.slug)).email);
      const r = await b.call('POST', `/orgs/${other.slug}/admins`, { email: randomEmail(), password: PASSWORD });
      expect(r.status).toBe(404);
      expect((await c.operator('GET', `/orgs/${other.slug}/admins`)).body).toEqual([]);
    });
  });

  describe('list and delete', () => {
    it('GET lists the org\'s admins, oldest first, never a hash', async () => {
      const org = await newOrg(c);
      const other = await newOrg(c);
      const first = await newAdmin(c, org.slug);
      const pending = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail('pending') });
      await newAdmin(c, other.slug);
      const r = await c.operator('GET', `/orgs/${org.slug}/admins`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual([
        { id: first.id, email: first.email, createdAt: expect.any(String), passwordSet: true },
        { id: pending.body.id, email: pending.body.email, createdAt: pending.body.createdAt, passwordSet: false },
      ]);
      expect(JSON.stringify(r.body)).not.toMatch(/argon2|hash|token/i);
    });

    it('DELETE removes the admin and ends their sessions: 204, then 404', async () => {
      const org = await newOrg(c);
      const a = await newAdmin(c, org.slug);
      const b = await signIn(c, a.email);
      const del = await c.operator('DELETE', `/orgs/${org.slug}/admins/${a.id}`);
      expect(del.status).toBe(204);
      expect(del.body).toBeUndefined();
      expect((await c.operator('GET', `/orgs/${org.slug}/admins`)).body).toEqual([]);
      expect(await (await db()).selectFrom('console_sessions').select('id').where('admin_id', '=', a.id).execute()).toEqual([]);
      expect((await b.call('GET', '/session')).status).toBe(401);
      expect((await c.call('POST', '/session', { email: a.email, password: PASSWORD })).status).toBe(401);
      expect((await c.operator('DELETE', `/orgs/${org.slug}/admins/${a.id}`)).status).toBe(404);
      // The email is free again.
      expect((await c.operator('POST', `/orgs/${org.slug}/admins`, { email: a.email, password: PASSWORD })).status).toBe(201);
    });

    it('answers 404 for an unknown id, a malformed id, and another org\'s admin (who stays)', async () => {
      const org = await newOrg(c);
      const other = await newOrg(c);
      const theirs = await newAdmin(c, other.slug);
      for (const id of [randomUUID(), 'not-a-uuid', theirs.id]) {
        const r = await c.operator('DELETE', `/orgs/${org.slug}/admins/${id}`);
        expect({ id, status: r.status }).toEqual({ id, status: 404 });
      }
      expect((await c.operator('GET', `/orgs/${other.slug}/admins`)).body).toHaveLength(1);
    });

    it('an admin may remove a colleague (with CSRF) and even themselves, which signs them out', async () => {
      const org = await newOrg(c);
      const me = await newAdmin(c, org.slug);
      const colleague = await newAdmin(c, org.slug);
      const b = await signIn(c, me.email);
      expect((await b.call('DELETE', `/orgs/${org.slug}/admins/${colleague.id}`, undefined, { csrf: false })).status).toBe(403);
      expect((await b.call('DELETE', `/orgs/${org.slug}/admins/${colleague.id}`)).status).toBe(204);
      expect((await b.call('DELETE', `/orgs/${org.slug}/admins/${me.id}`)).status).toBe(204);
      expect((await b.call('GET', '/session')).status).toBe(401);
    });
  });

  describe('activity', () => {
    it('records create, invite, password set and delete with who did them, and never a password or token', async () => {
      const org = await newOrg(c);
      const withPassword = await newAdmin(c, org.slug);
      const invited = await c.operator('POST', `/orgs/${org.slug}/admins`, { email: randomEmail('invited') });
      const token = tokenOf(invited.body.setPasswordUrl);
      const invitedPassword = 'the invitee chose this 42';
      expect((await c.call('POST', '/password', { token, password: invitedPassword })).status).toBe(200);
      expect((await c.operator('DELETE', `/orgs/${org.slug}/admins/${withPassword.id}`)).status).toBe(204);
      const rows = await (await db()).selectFrom('activity').selectAll().where('org_id', '=', org.id).where('target_type', '=', 'admin').orderBy('id').execute();
      expect(rows.map((r) => [r.operation, r.actor, r.target_id, r.target_name])).toEqual([
        ['admin.create', 'operator', withPassword.id, withPassword.email],
        ['admin.invite', 'operator', invited.body.id, invited.body.email],
        ['admin.password.set', invited.body.email, invited.body.id, invited.body.email],
        ['admin.delete', 'operator', withPassword.id, withPassword.email],
      ]);
      expect(rows.every((r) => r.source === 'admin')).toBe(true);
      const text = JSON.stringify(rows);
      for (const secret of [PASSWORD, invitedPassword, token, sha256(token)]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/argon2/);
    });
  });

  it('the OpenAPI document describes the admin and session endpoints', async () => {
    const doc = (await c.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of ['/api/v1/session', '/api/v1/password', '/api/v1/orgs/{slug}/admins', '/api/v1/orgs/{slug}/admins/{id}']) expect(Object.keys(doc.paths)).toContain(path);
    expect(Object.keys(doc.paths['/api/v1/session'])).toEqual(expect.arrayContaining(['post', 'get', 'delete']));
    expect(doc.paths['/api/v1/session'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/password'].post.security).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Session', 'SignIn', 'ConsoleAdmin', 'ConsoleAdminCreated', 'NewConsoleAdmin', 'SetPassword']));
    // Every $ref resolves.
    const refs = [...JSON.stringify(doc.paths).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty([ref]);
    expect(doc.components.securitySchemes.session).toEqual({ type: 'apiKey', in: 'cookie', name: 'scimd_session' });
  });
});
