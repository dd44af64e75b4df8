/**
 * Console-account helpers for HTTP tests: an app built with any `AppDeps`
 * (session expiry, public URL, trusted proxy) that also records every route it
 * registers, admins created through the API, and a signed-in "browser" that
 * sends the session cookie and, unless told not to, the CSRF header.
 *
 * Sign-in throttling counts failures per IP in the shared database, so each
 * browser uses its own random client address.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createApp, type AppDeps } from '../../src/app.js';
import { OPERATOR_TOKEN } from './app.js';
import { testDatabase, type Dialect } from './db.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: any;
  res: LightMyRequestResponse;
}

export interface ConsoleApp {
  app: FastifyInstance;
  dialect: Dialect;
  /** Every route registered, as Fastify saw it (`url` with `:params`). */
  routes: { method: string; url: string }[];
  /** Calls `/api/v1` + url with the operator token. */
  operator(method: Method, url: string, body?: unknown): Promise<Answer>;
  /** Calls `/api/v1` + url with no credentials (or the given headers). */
  call(method: Method, url: string, body?: unknown, headers?: Record<string, string>, remoteAddress?: string): Promise<Answer>;
}

export const randomIp = () => `10.${[...randomBytes(3)].join('.')}`;
export const randomEmail = (prefix = 'admin') => `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
export const randomSlug = (prefix = 'con') => `${prefix}-${randomBytes(4).toString('hex')}`;
export const PASSWORD = 'correct horse battery staple';

function answer(res: LightMyRequestResponse): Answer {
  let body: unknown;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, headers: res.headers, body, res };
}

/** Builds the app on `dialect`'s shared database (publicUrl https://scim.test unless overridden). */
export async function consoleApp(dialect: Dialect, deps: Partial<Omit<AppDeps, 'db' | 'operatorToken'>> = {}): Promise<ConsoleApp> {
  const { db } = await testDatabase(dialect);
  const app = createApp({ db, operatorToken: OPERATOR_TOKEN, publicUrl: 'https://scim.test', ...deps });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  await app.ready();
  const inject = async (method: Method, url: string, body: unknown, headers: Record<string, string>, remoteAddress?: string) =>
    answer(
      await app.inject({
        method,
        url: `/api/v1${url}`,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
        ...(remoteAddress ? { remoteAddress } : {}),
      } as InjectOptions),
    );
  return {
    app,
    dialect,
    routes,
    operator: (method, url, body) => inject(method, url, body, { authorization: `Bearer ${OPERATOR_TOKEN}` }),
    call: (method, url, body, headers = {}, remoteAddress) => inject(method, url, body, headers, remoteAddress ?? randomIp()),
  };
}

/** Creates an org through the operator API. */
export async function newOrg(c: ConsoleApp, prefix = 'con'): Promise<{ id: string; slug: string; name: string }> {
  const slug = randomSlug(prefix);
  const r = await c.operator('POST', '/orgs', { slug, name: `Org ${slug}` });
  if (r.status !== 201) throw new Error(`org create answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates an admin of `slug` with a password, through the operator API. */
export async function newAdmin(c: ConsoleApp, slug: string, email = randomEmail(), password = PASSWORD): Promise<{ id: string; email: string; password: string }> {
  const r = await c.operator('POST', `/orgs/${slug}/admins`, { email, password });
  if (r.status !== 201) throw new Error(`admin create answered ${r.status}: ${JSON.stringify(r.body)}`);
  return { id: r.body.id, email: r.body.email, password };
}

/** A signed-in browser: its cookie and CSRF token, from its own client address. */
export interface Browser {
  ip: string;
  cookie: string;
  csrfToken: string;
  signIn: Answer;
  /** Calls `/api/v1` + url with the cookie, and `X-CSRF-Token` unless `csrf` is false (or a string to send instead). */
  call(method: Method, url: string, body?: unknown, opts?: { csrf?: boolean | string; headers?: Record<string, string> }): Promise<Answer>;
}

/** The `scimd_session` cookie a response sets, if any. */
export function sessionCookieOf(res: LightMyRequestResponse) {
  return res.cookies.find((c) => c.name === 'scimd_session');
}

/** Signs in; throws unless it answers 200 with a session cookie. */
export async function signIn(c: ConsoleApp, email: string, password = PASSWORD, ip = randomIp()): Promise<Browser> {
  const r = await c.call('POST', '/session', { email, password }, {}, ip);
  const cookie = sessionCookieOf(r.res);
  if (r.status !== 200 || !cookie) throw new Error(`sign-in answered ${r.status}: ${JSON.stringify(r.body)}`);
  return browser(c, ip, cookie.value, r.body.csrfToken, r);
}

/** A browser holding a given cookie value (and CSRF token). */
export function browser(c: ConsoleApp, ip: string, cookie: string, csrfToken: string, signInAnswer: Answer): Browser {
  return {
    ip,
    cookie,
    csrfToken,
    signIn: signInAnswer,
    call(method, url, body, opts = {}) {
      const csrf = opts.csrf === undefined || opts.csrf === true ? csrfToken : opts.csrf === false ? undefined : opts.csrf;
      return c.call(method, url, body, { cookie: `scimd_session=${cookie}`, ...(csrf !== undefined ? { 'x-csrf-token': csrf } : {}), ...(opts.headers ?? {}) }, ip);
    },
  };
}
