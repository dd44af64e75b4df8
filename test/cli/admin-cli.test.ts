/**
 * `scimd admin create|list|delete` against a real listening scimd: the link it
 * prints works once, `--password-stdin` sets the password from stdin.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { OPERATOR_TOKEN, testApp, type TestApp } from '../support/app.js';

describe('scimd admin', () => {
  let t: TestApp;
  let url: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    t = await testApp('pglite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    process.env.SCIMD_URL = url;
    process.env.SCIMD_OPERATOR_TOKEN = OPERATOR_TOKEN;
  });
  afterAll(async () => {
    process.env = saved;
    await t.app.close();
  });

  async function run(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    if (stdin !== undefined) Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(stdin)]), configurable: true });
    try {
      const code = await runCli(args);
      return { code, out: out.join('\n'), err: err.join('') };
    } finally {
      if (stdin !== undefined) Object.defineProperty(process, 'stdin', realStdin);
      log.mockRestore();
      write.mockRestore();
    }
  }
  const signIn = (email: string, password: string) =>
    fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

  it('admin create prints only a one-time set-password link that works once', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    expect((await t.admin('POST', '/orgs', { slug })).status).toBe(201);
    const email = `cli-${randomBytes(4).toString('hex')}@example.com`;
    const r = await run(['admin', 'create', slug, email]);
    expect(r).toMatchObject({ code: 0, err: '' });
    const m = /^https:\/\/scim\.test\/console\/set-password#token=([A-Za-z0-9_-]{43})$/.exec(r.out);
    expect(m).not.toBeNull();
    const set = (password: string) => fetch(`${url}/api/v1/password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: m![1], password }) });
    expect((await set('a password from the link')).status).toBe(200);
    expect((await set('a second password here')).status).toBe(401);
    expect((await signIn(email, 'a password from the link')).status).toBe(200);

    const list = await run(['admin', 'list', slug]);
    const admins = JSON.parse(list.out) as { id: string; email: string; passwordSet: boolean }[];
    expect(admins).toEqual([{ id: expect.any(String), email, createdAt: expect.any(String), passwordSet: true }]);
    expect((await run(['admin', 'delete', slug, admins[0]!.id])).out).toBe(`deleted ${admins[0]!.id}`);
    expect(JSON.parse((await run(['admin', 'list', slug])).out)).toEqual([]);
  });

  it('admin create --password-stdin sets the password (trailing newline dropped) and prints the account', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    await t.admin('POST', '/orgs', { slug });
    const email = `cli-${randomBytes(4).toString('hex')}@example.com`;
    const r = await run(['admin', 'create', slug, email, '--password-stdin'], 'piped password 123\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ id: expect.any(String), email, createdAt: expect.any(String), passwordSet: true });
    expect(r.out).not.toContain('piped password');
    expect((await signIn(email, 'piped password 123')).status).toBe(200);
  });

  it('reports a short password, a taken email and an unknown org with exit code 1', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    await t.admin('POST', '/orgs', { slug });
    const email = `cli-${randomBytes(4).toString('hex')}@example.com`;
    const short = await run(['admin', 'create', slug, email, '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toContain('400');
    expect((await run(['admin', 'create', slug, email])).code).toBe(0);
    const taken = await run(['admin', 'create', slug, email]);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('409');
    const unknown = await run(['admin', 'create', `${slug}-nope`, `x-${email}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('404');
    const empty = await run(['admin', 'create', slug, `y-${email}`, '--password-stdin'], '');
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('stdin was empty');
  });
});
