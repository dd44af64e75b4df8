/**
 * An in-process scimd for HTTP tests (`app.inject`, no port), on a shared test
 * database, plus helpers that create an org with SCIM enabled and a token.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createApp, type AppDeps } from '../../src/app.js';
import { testDatabase, type Dialect } from './db.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  dialect: Dialect;
  /** Calls the admin API with the operator token. */
  admin(method: InjectOptions['method'], url: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export interface TestOrg {
  slug: string;
  orgId: string;
  token: string;
  /** Calls `/scim/v2` + path with this org's token. */
  scim(method: InjectOptions['method'], path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

/** Builds the app on `dialect`'s shared database; `beforeReady` may add test-only routes. */
export async function testApp(dialect: Dialect, overrides: Omit<Partial<AppDeps>, 'db' | 'operatorToken'> = {}, beforeReady?: (app: FastifyInstance) => void): Promise<TestApp> {
  const { db } = await testDatabase(dialect);
  // Test files send many wrong tokens from one address on purpose; secrets.test.ts tests the 429 with its own limit.
  const authFailures = { limit: 1_000_000, windowMs: 60_000 };
  const app = createApp({ db, operatorToken: OPERATOR_TOKEN, publicUrl: 'https://scim.test', cacheTokens: dialect === 'pglite', authFailures, ...overrides });
  beforeReady?.(app);
  await app.ready();
  return {
    app,
    dialect,
    async admin(method, url, body) {
      const res = await app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` }, ...(body !== undefined ? { payload: body as object } : {}) });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
  };
}

/** Creates a fresh org (random slug) with SCIM enabled and one token. */
export async function testOrg(t: TestApp, opts: { syncGroups?: boolean; enabled?: boolean } = {}): Promise<TestOrg> {
  const slug = `t-${randomBytes(5).toString('hex')}`;
  const created = await t.admin('POST', '/orgs', { slug, name: slug });
  if (created.status !== 201) throw new Error(`org create failed: ${JSON.stringify(created.body)}`);
  await t.admin('PATCH', `/orgs/${slug}/scim`, { enabled: opts.enabled ?? true, syncGroups: opts.syncGroups ?? true });
  const tok = await t.admin('POST', `/orgs/${slug}/scim/tokens`, { name: 'test' });
  const token = tok.body.token as string;
  return {
    slug,
    orgId: created.body.id,
    token,
    async scim(method, path, body, headers = {}) {
      const res = await t.app.inject({
        method,
        url: `/scim/v2${path}`,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
    },
  };
}
