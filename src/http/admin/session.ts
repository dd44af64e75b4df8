/**
 * Console sign-in for org admins:
 *
 * - `POST /api/v1/session` `{email, password}` → 200 `{admin, csrfToken, expiresAt}` and the
 *   `scimd_session` cookie; 401 for a wrong email or password (the same answer, and the same
 *   work, either way); 429 with `Retry-After` when throttled; 415 unless the body is JSON.
 * - `GET /api/v1/session` → the same body for the signed-in admin; 401 when signed out.
 * - `DELETE /api/v1/session` → 204, the session row deleted and the cookie cleared.
 *
 * `authenticateSession` is the session half of the admin API's auth hook
 * (plugin.ts): it resolves the cookie, demands `X-CSRF-Token` on every
 * state-changing call, and keeps an admin inside their own org.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAdminForSignIn, normaliseEmail, replacePasswordHash } from '../../accounts/admins.js';
import { clearFailures, recordFailure, retryAfterSeconds } from '../../accounts/login-throttle.js';
import { dummyHash, hashPassword, MAX_PASSWORD_LENGTH, needsRehash, verifyPassword } from '../../accounts/passwords.js';
import {
  createSession,
  csrfMatches,
  DEFAULT_SESSION_POLICY,
  deleteSession,
  deleteSessionBySecret,
  resolveSession,
  type SignedInAdmin,
} from '../../accounts/sessions.js';
import { AdminError } from '../errors.js';
import type { AdminOptions } from './plugin.js';

export const SESSION_COOKIE = 'scimd_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (sign-in, set-password); the auth hook skips it. */
    public?: boolean;
  }
}

/** The session behind each cookie-authenticated request (for GET /session). */
const sessions = new WeakMap<FastifyRequest, SignedInAdmin>();

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ORG_ROUTE = /^\/api\/v1\/orgs\/:slug(?:\/|$)/i;

/** Cookie attributes: httpOnly, SameSite=Lax, whole site, Secure behind HTTPS. */
function cookieOptions(req: FastifyRequest, opts: AdminOptions) {
  const secure = opts.publicUrl?.toLowerCase().startsWith('https:') === true || req.protocol === 'https';
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure };
}

function clearSessionCookie(req: FastifyRequest, reply: FastifyReply, opts: AdminOptions): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(req, opts));
}

/**
 * Authenticates a request by its session cookie. On success sets
 * `req.principal` to the admin and answers true; false when there is no
 * usable session (an ended one's cookie is cleared).
 * @throws AdminError 403 for a state-changing call without the session's
 * `X-CSRF-Token`; 404 for a route of another org than the admin's (the same
 * answer as an unknown org, before any body is read; `orgFor` checks it again).
 */
export async function authenticateSession(req: FastifyRequest, reply: FastifyReply, opts: AdminOptions): Promise<boolean> {
  const secret = req.cookies[SESSION_COOKIE];
  if (!secret) return false;
  const session = await resolveSession(opts.db, secret, opts.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  if (!session) {
    clearSessionCookie(req, reply, opts);
    return false;
  }
  req.principal = { kind: 'admin', adminId: session.adminId, orgId: session.org.id, email: session.email, sessionId: session.sessionId };
  sessions.set(req, session);
  if (!SAFE_METHODS.has(req.method)) {
    const presented = req.headers[CSRF_HEADER];
    if (!csrfMatches(typeof presented === 'string' ? presented : undefined, session.csrfToken)) {
      throw new AdminError(403, 'Missing or wrong X-CSRF-Token header: send the csrfToken from POST or GET /api/v1/session with every change');
    }
  }
  const slug = (req.params as { slug?: unknown } | undefined)?.slug;
  if (typeof slug === 'string' && ORG_ROUTE.test(req.routeOptions.url ?? '') && slug !== session.org.slug) {
    throw new AdminError(404, `No organisation "${slug}"`);
  }
  return true;
}

const signInBody = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(254),
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  })
  .strict()
  .meta({ id: 'SignIn' });

const sessionJson = z
  .object({
    admin: z.object({
      id: z.string(),
      email: z.string(),
      org: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    }),
    csrfToken: z.string().describe('Send as the X-CSRF-Token header with every POST, PUT, PATCH and DELETE'),
    expiresAt: z.string().describe('Absolute expiry of the session; it also ends after the idle timeout'),
  })
  .meta({ id: 'Session' });

const errorJson = z.object({ statusCode: z.number(), error: z.string(), message: z.string() }).meta({ id: 'AdminError' });

const sessionBody = (s: Pick<SignedInAdmin, 'adminId' | 'email' | 'org' | 'csrfToken' | 'expiresAt'>): z.infer<typeof sessionJson> => ({
  admin: { id: s.adminId, email: s.email, org: s.org },
  csrfToken: s.csrfToken,
  expiresAt: s.expiresAt.toISOString(),
});

const WRONG_CREDENTIALS = 'Wrong email or password';

/** Registers `/session` (sign-in, current admin, sign-out). */
export function registerSessionRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;
  const policy = opts.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  // Made now, so an unknown email's first sign-in costs what a wrong password does.
  void dummyHash();

  app.post(
    '/session',
    {
      config: { public: true },
      schema: { tags: ['session'], summary: 'Sign in (sets the session cookie)', security: [], body: signInBody, response: { 200: sessionJson, 401: errorJson, 429: errorJson } },
      // A cross-site HTML form can send only form encodings or text/plain: demand JSON before reading the body.
      onRequest: async (req) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') throw new AdminError(415, 'Send the sign-in as Content-Type: application/json');
      },
    },
    async (req, reply) => {
      const email = normaliseEmail(req.body.email);
      const ip = req.ip;
      const wait = await retryAfterSeconds(db, email, ip);
      if (wait > 0) {
        return reply
          .code(429)
          .header('Retry-After', String(wait))
          .send({ statusCode: 429, error: 'Too Many Requests', message: `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)` });
      }
      const account = await findAdminForSignIn(db, email);
      if (!(await verifyPassword(account?.password_hash ?? null, req.body.password)) || !account) {
        await recordFailure(db, email, ip);
        throw new AdminError(401, WRONG_CREDENTIALS);
      }
      await clearFailures(db, email);
      if (needsRehash(account.password_hash!)) await replacePasswordHash(db, account.id, await hashPassword(req.body.password));
      const previous = req.cookies[SESSION_COOKIE];
      if (previous) await deleteSessionBySecret(db, previous);
      const s = await createSession(db, account.id, { ip, userAgent: req.headers['user-agent'] }, policy);
      reply.setCookie(SESSION_COOKIE, s.secret, { ...cookieOptions(req, opts), expires: s.expiresAt });
      return sessionBody({ adminId: account.id, email: account.email, org: { id: account.org_id, slug: account.org_slug, name: account.org_name }, csrfToken: s.csrfToken, expiresAt: s.expiresAt });
    },
  );

  const current = (req: FastifyRequest): SignedInAdmin => {
    const s = sessions.get(req);
    if (!s) throw new AdminError(401, 'Not signed in: the operator token has no console session');
    return s;
  };

  app.get('/session', { schema: { tags: ['session'], summary: 'The signed-in admin and the CSRF token', response: { 200: sessionJson } } }, async (req) =>
    sessionBody(current(req)),
  );

  app.delete('/session', { schema: { tags: ['session'], summary: 'Sign out (needs X-CSRF-Token)' } }, async (req, reply) => {
    const s = current(req);
    await deleteSession(db, s.sessionId);
    clearSessionCookie(req, reply, opts);
    return reply.code(204).send();
  });
}
