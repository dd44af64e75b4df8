/**
 * The CLI's management commands against a real listening scimd (the commands
 * talk HTTP to the admin API, as they do in production).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { OPERATOR_TOKEN, testApp, type TestApp } from '../support/app.js';

describe('scimd CLI', () => {
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

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    try {
      const code = await runCli(args);
      return { code, out: out.join('\n'), err: err.join('') };
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
  }

  it('creates an org, enables SCIM, issues a working token, lists and revokes it', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    const created = await run('org', 'create', slug, '--name', 'CLI Org');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ slug, name: 'CLI Org' });

    const enabled = await run('scim', 'enable', slug, '--sync-groups');
    expect(JSON.parse(enabled.out)).toMatchObject({ enabled: true, syncGroups: true, baseUrl: "https://scim.test/scim/v2" });

    const token = await run('token', 'create', slug, '--name', 'Entra Production');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^scimd_[A-Za-z0-9_-]+$/);
    const scim = await fetch(`${url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token.out}` } });
    expect(scim.status).toBe(200);

    const list = await run('token', 'list', slug);
    const tokens = JSON.parse(list.out) as { id: string; name: string; token?: string }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: 'Entra Production', status: 'active' });
    expect(tokens[0]!.token).toBeUndefined();

    expect((await run('token', 'revoke', slug, tokens[0]!.id)).code).toBe(0);
    expect((await fetch(`${url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token.out}` } })).status).toBe(401);

    expect((await run('scim', 'disable', slug)).code).toBe(0);
  });

  it('reports a taken slug and an unreachable server as errors with exit code 1', async () => {
    const slug = `cli-${randomBytes(4).toString('hex')}`;
    await run('org', 'create', slug);
    const again = await run('org', 'create', slug);
    expect(again.code).toBe(1);
    expect(again.err).toContain('409');
    process.env.SCIMD_URL = 'http://127.0.0.1:1';
    const down = await run('org', 'create', `x-${slug}`);
    process.env.SCIMD_URL = url;
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach the scimd server');
  });

  it('requires --name for token create', async () => {
    const r = await run('token', 'create', 'whatever');
    expect(r.code).toBe(1);
    expect(r.err).toContain("required option '--name <label>'");
  });
});
