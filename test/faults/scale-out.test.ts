/**
 * Scale-out (issue 6): two real `scimd serve` processes on one PostgreSQL, with
 * requests spread across both. Migrations started by both at once on an empty
 * schema run once; 50 concurrent creates of one userName (in different letter
 * case) split across both give one 201; a token revoked through one instance
 * answers 401 on the other at its very next request (no cache outlives a
 * revocation); a console session made on one works on the other.
 * PostgreSQL only: the embedded database has one owner process (data-dir lock).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../src/db/migrations/index.js';
import { dialects } from '../support/db.js';
import { call, ensureBuilt, freshPostgresUrl, newOrg, OPERATOR_TOKEN, startScimd, stopScimd, type Scimd } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.runIf(dialects().includes('postgres'))('two instances on one PostgreSQL', () => {
  let a: Scimd;
  let b: Scimd;
  let url: string;
  let schema: string;
  beforeAll(async () => {
    ensureBuilt();
    ({ url, schema } = await freshPostgresUrl('scale'));
    // Both start at the same moment on the empty schema: both migrate.
    const env = (n: string) => ({ DATABASE_URL: url, SCIMD_DATA_DIR: mkdtempSync(join(tmpdir(), `scimd-scale-${n}-`)) });
    [a, b] = await Promise.all([startScimd(env('a')), startScimd(env('b'))]);
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map(stopScimd));
  });

  it('migrations started by both at once ran once, and both serve', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>(`select name, count(*)::text as n from "${schema}".scimd_migrations group by name order by name`);
      const known = Object.keys(await migrationProvider.getMigrations()).sort();
      expect(rows.map((r) => r.name)).toEqual(known);
      expect(rows.every((r) => r.n === '1')).toBe(true);
    } finally {
      await client.end();
    }
    for (const s of [a, b]) {
      expect((await call(s.origin, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
      expect(s.proc.exitCode).toBeNull();
    }
  });

  it('50 concurrent creates of one userName, in different case, split across both: one 201, 49 409 uniqueness', async () => {
    const org = await newOrg(a.origin, `scale-${Date.now().toString(36)}`);
    const base = 'Barbara.Jensen@Example.test';
    const cased = (i: number) => [...base].map((c, j) => ((i >> j % 10) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i % 2 ? b.origin : a.origin, 'POST', '/scim/v2/Users', { token: org.token, body: { schemas: [USER], userName: cased(i) } })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of answers.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    // Both instances see the one user.
    for (const s of [a, b]) {
      const list = await call(s.origin, 'GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${base}"`)}`, { token: org.token });
      expect(list.body.totalResults).toBe(1);
    }
  });

  it('a token revoked through one instance answers 401 on the other at the next request', async () => {
    const org = await newOrg(a.origin, `revoke-${Date.now().toString(36)}`);
    const created = await call(b.origin, 'POST', '/scim/v2/Users', { token: org.token, body: { schemas: [USER], userName: 'revoke-me@example.test' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Instance b has just verified the token (and keeps a PrincipalHint for it).
    expect((await call(b.origin, 'GET', '/scim/v2/Users', { token: org.token })).status).toBe(200);
    expect((await call(b.origin, 'GET', `/scim/v2/Users/${id}`, { token: org.token })).status).toBe(200);

    expect((await call(a.origin, 'DELETE', `/api/v1/orgs/${org.slug}/scim/tokens/${org.tokenId}`, { token: OPERATOR_TOKEN })).status).toBe(204);

    for (const [method, path, body] of [
      ['GET', `/scim/v2/Users/${id}`, undefined],
      ['GET', '/scim/v2/Users', undefined],
      ['GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "revoke-me@example.test"')}`, undefined],
      ['POST', '/scim/v2/Users', { schemas: [USER], userName: 'after-revoke@example.test' }],
      ['GET', '/scim/v2/Groups', undefined],
    ] as const) {
      const res = await call(b.origin, method, path, { token: org.token, body });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    }
    // Nothing was written by the refused POST.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`select 1 from "${schema}".scim_users where org_id = $1 and user_name = 'after-revoke@example.test'`, [org.id]);
      expect(rows).toHaveLength(0);
    } finally {
      await client.end();
    }
  });

  it('a console session made on one instance works on the other', async () => {
    const org = await newOrg(a.origin, `session-${Date.now().toString(36)}`);
    const email = `admin-${Date.now().toString(36)}@example.test`;
    const password = 'correct horse battery staple';
    expect((await call(a.origin, 'POST', `/api/v1/orgs/${org.slug}/admins`, { token: OPERATOR_TOKEN, body: { email, password } })).status).toBe(201);
    const signIn = await call(a.origin, 'POST', '/api/v1/session', { body: { email, password } });
    expect(signIn.status).toBe(200);
    const cookie = /scimd_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const headers = { cookie: `scimd_session=${cookie}` };

    const who = await call(b.origin, 'GET', '/api/v1/session', { headers });
    expect(who.status).toBe(200);
    expect(who.body.admin).toMatchObject({ email, org: { slug: org.slug } });
    // A change through b with the CSRF token a issued.
    const made = await call(b.origin, 'POST', `/api/v1/orgs/${org.slug}/scim/tokens`, { headers: { ...headers, 'x-csrf-token': signIn.body.csrfToken }, body: { name: 'made on b' } });
    expect(made.status).toBe(201);
    // Signed out on b → refused on a.
    expect((await call(b.origin, 'DELETE', '/api/v1/session', { headers: { ...headers, 'x-csrf-token': signIn.body.csrfToken } })).status).toBeLessThan(300);
    expect((await call(a.origin, 'GET', '/api/v1/session', { headers })).status).toBe(401);
  });
});
