/**
 * The admin API under `/api/v1`: JSON, validated by zod schemas that also
 * generate the OpenAPI 3.1 document (`/api/v1/openapi.json`, browsable at
 * `/api/v1/docs`). Authentication: the operator token as a bearer, else an
 * org admin's console session cookie (session.ts: CSRF on every change, only
 * their own org); routes with `config: {public: true}` need neither.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { SessionPolicy } from '../../accounts/sessions.js';
import type { Database } from '../../db/schema.js';
import type { ActivityBuffer } from '../../activity/scim-activity.js';
import { isOperatorToken, type TokenCache } from '../../tenants/tokens.js';
import type { AuthFailureLimiter } from '../auth-failures.js';
import { AdminError } from '../errors.js';
import { registerActivityRoutes } from './activity.js';
import { registerAdminRoutes } from './admins.js';
import { registerGroupRoutes } from './groups.js';
import { registerMemberRoutes } from './members.js';
import { registerOrgRoutes } from './orgs.js';
import { registerRoleRoutes } from './roles.js';
import { authenticateSession, registerSessionRoutes } from './session.js';

export interface AdminOptions {
  db: Kysely<Database>;
  operatorToken: string;
  publicUrl: string | undefined;
  /** Console session idle and absolute expiry; default 60 minutes and 12 hours. */
  sessionPolicy?: SessionPolicy;
  /** SCIM read rows queued for the activity log; flushed before each admin request so it sees them. */
  activity?: ActivityBuffer;
  /** Forgotten after every admin change, since a change may revoke a token or disable SCIM. */
  tokenCache?: TokenCache | undefined;
  /** Counts wrong operator tokens per client address and answers 429 past the limit (auth-failures.ts). */
  authFailures?: AuthFailureLimiter | undefined;
}

/** Mount with `{prefix: '/api/v1'}`. */
export async function adminPlugin(app: FastifyInstance, opts: AdminOptions): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null as never);
  await app.register(fastifyCookie, { hook: 'onRequest' });
  app.addHook('onRequest', async (req, reply) => {
    await opts.activity?.flush();
    if (req.routeOptions.config.public) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m && isOperatorToken(m[1]!, opts.operatorToken)) {
      req.principal = { kind: 'operator' };
      return;
    }
    if (m) {
      const throttled = opts.authFailures?.refuse(req.ip, reply);
      if (throttled) throw throttled;
    }
    // A presented Authorization header that fails is a 401, never a fall-back to the cookie.
    if (req.headers.authorization === undefined && (await authenticateSession(req, reply, opts))) return;
    reply.header('WWW-Authenticate', 'Bearer realm="scimd-admin"');
    throw new AdminError(401, "Sign in, or send the operator token: Authorization: Bearer <SCIMD_OPERATOR_TOKEN or the data folder's operator-token>");
  });
  if (opts.tokenCache) {
    const cache = opts.tokenCache;
    // onSend runs after the change committed and before the client can know it did.
    app.addHook('onSend', async (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') cache.invalidate();
    });
  }
  registerOrgRoutes(app, opts);
  registerRoleRoutes(app, opts);
  registerMemberRoutes(app, opts);
  registerGroupRoutes(app, opts);
  registerSessionRoutes(app, opts);
  registerAdminRoutes(app, opts);
  registerActivityRoutes(app, opts);
}
