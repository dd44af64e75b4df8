/**
 * The `/scim/v2` service. Every request is authenticated by its bearer token,
 * which decides the org (PRODUCT.md); then the org's switches apply: 401 for a
 * missing, wrong, expired or revoked token, 403 on every call when SCIM is
 * disabled, 403 on `/Groups` when group sync is off (the reference document's
 * status table); 429 instead of 401 once the client address has presented too
 * many wrong tokens (auth-failures.ts), decided only after the token failed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ScimError } from '../../scim/errors.js';
import { scimBaseUrlOf } from '../origin.js';
import type { ServiceLimits } from '../../scim/discovery.js';
import type { ScimContext } from '../../provisioning/context.js';
import { insertScimActivity, operationOf, type ActivityBuffer } from '../../activity/scim-activity.js';
import { describeRefusedToken, PrincipalHints, TokenCheck, tokenHash, verifyToken, type TokenCache, type TokenPrincipal } from '../../tenants/tokens.js';
import type { RecordChange } from '../../provisioning/context.js';
import { bindLogFields } from '../logging.js';
import type { AuthFailureLimiter } from '../auth-failures.js';
import { registerBulkRoute } from './bulk.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { registerResourceRoutes } from './resources.js';
import { collectRouteMethods, registerMethodNotAllowed } from './method-not-allowed.js';

declare module 'fastify' {
  interface FastifyRequest {
    scim: ScimContext & { principal: TokenPrincipal };
    scimActivity: ActivityState;
    /** performance.now() when the request arrived. */
    scimStartedAt: number;
    /** Verifies the request's token the ordinary way (for a read that started from a hint). */
    scimAuthenticate: () => Promise<void>;
  }
}

/** What the activity log needs to know about one SCIM request as it runs. */
export interface ActivityState {
  /** The org the request is attributed to (known after authentication, or from a revoked token). */
  orgId?: string;
  tokenId?: string;
  tokenName?: string;
  /** True once a write recorded itself in its transaction. */
  recorded: boolean;
  /** The status the route answers on success (201 create, 204 delete, …). */
  successStatus?: number;
  /** The SCIM error answered, if any. */
  error?: ScimError;
}

/** The request path below the SCIM base, with its query string. */
const belowBase = (url: string) => url.replace(/^\/scim\/v2/i, '') || '/';

export interface ScimPluginOptions {
  db: Kysely<Database>;
  publicUrl: string | undefined;
  limits: ServiceLimits;
  /** Where the rows of requests that changed nothing go (written in batches). */
  activity: ActivityBuffer;
  /** Verified tokens kept in memory (embedded database only). */
  tokenCache?: TokenCache | undefined;
  /** Principals of recently verified tokens, re-checked by each read's own statement (PostgreSQL). */
  principalHints?: PrincipalHints | undefined;
  /** Counts wrong tokens per client address and answers 429 past the limit (auth-failures.ts). */
  authFailures?: AuthFailureLimiter | undefined;
}

const unauthorized = (detail: string) => new ScimError(401, undefined, detail);

/** The routes whose statements settle a TokenCheck (users.getUser, users.listUsers through fetchPage). */
const CONFIRMED_IN_STATEMENT = /^\/scim\/v2\/users(\/:id)?$/i;

/** Registers the SCIM routes; mount with `{prefix: '/scim/v2'}`. */
export async function scimPlugin(app: FastifyInstance, opts: ScimPluginOptions): Promise<void> {
  app.decorateRequest('scim', null as never);
  app.decorateRequest('scimActivity', null as never);
  app.decorateRequest('scimStartedAt', 0);
  app.decorateRequest('scimAuthenticate', null as never);
  /**
   * Full verification (RFC 6750 bearer): sets `req.scim`, or throws 401 (with
   * WWW-Authenticate) or 403. On PostgreSQL it also leaves a PrincipalHint.
   */
  async function authenticate(req: FastifyRequest, reply: FastifyReply, presented: string, hash: string): Promise<void> {
    const principal = await verifyToken(opts.db, presented, opts.tokenCache);
    if (!principal) {
      opts.principalHints?.delete(hash);
      // Checked only now, after the token failed: a valid token is served whoever else failed from its address.
      const throttled = opts.authFailures?.refuse(req.ip, reply);
      // A throttled flood is not described to the org's activity log: one row per counted 401 at most.
      if (throttled) throw throttled;
      const refused = await describeRefusedToken(opts.db, presented);
      if (refused) {
        Object.assign(req.scimActivity, { orgId: refused.orgId, tokenId: refused.tokenId, tokenName: refused.tokenName });
        bindLogFields(req, reply, { orgId: refused.orgId });
      }
      reply.header('WWW-Authenticate', 'Bearer realm="scimd", error="invalid_token"');
      throw unauthorized('The bearer token is not valid: it is wrong, expired or revoked. Generate a new one in the SCIM Provisioning settings');
    }
    Object.assign(req.scimActivity, { orgId: principal.orgId, tokenId: principal.tokenId, tokenName: principal.tokenName });
    // Every later line of the request names its org (never the token or its name).
    bindLogFields(req, reply, { orgId: principal.orgId });
    if (!principal.enabled) throw new ScimError(403, undefined, 'SCIM provisioning is disabled for this organisation; an org admin can enable it in the SCIM Provisioning settings');
    opts.principalHints?.set(hash, principal);
    req.scim = context(req, principal);
  }

  const context = (req: FastifyRequest, principal: TokenPrincipal): FastifyRequest['scim'] => ({
    db: opts.db,
    orgId: principal.orgId,
    baseUrl: scimBaseUrlOf(req, opts.publicUrl),
    maxPageSize: opts.limits.maxPageSize,
    limits: opts.limits,
    principal,
    recordChange: changeRecorder(req, req.method, belowBase(req.url), () => req.scimActivity.successStatus ?? 200),
  });

  app.addHook('onRequest', async (req, reply) => {
    req.scimActivity = { recorded: false };
    req.scimStartedAt = performance.now();
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      const throttled = opts.authFailures?.throttled(req.ip, reply);
      if (throttled) throw throttled;
      reply.header('WWW-Authenticate', 'Bearer realm="scimd"');
      throw unauthorized('Authorization: Bearer <token> is required; generate a token in the SCIM Provisioning settings');
    }
    const presented = match[1]!;
    const hash = tokenHash(presented);
    req.scimAuthenticate = () => authenticate(req, reply, presented, hash);
    // A user read may start from a hint and let its own statement check the token (one round trip, not two).
    const hint = opts.principalHints && req.method === 'GET' && CONFIRMED_IN_STATEMENT.test(req.routeOptions.url ?? '') ? opts.principalHints.get(hash) : undefined;
    if (hint) {
      Object.assign(req.scimActivity, { orgId: hint.orgId, tokenId: hint.tokenId, tokenName: hint.tokenName });
      bindLogFields(req, reply, { orgId: hint.orgId });
      req.scim = { ...context(req, hint), tokenCheck: new TokenCheck(hash) };
      return;
    }
    await authenticate(req, reply, presented, hash);
  });
  // Everything that did not record itself in a write's transaction (reads,
  // refusals such as the 401 of a revoked token, errors) is queued as the answer
  // leaves and written in batches (ActivityBuffer).
  app.addHook('onSend', async (req, reply) => {
    const a = req.scimActivity;
    if (!a || a.recorded || !a.orgId) return;
    const path = belowBase(req.url);
    const { operation, targetType, targetId } = operationOf(req.method, path);
    opts.activity.add({
      orgId: a.orgId,
      tokenId: a.tokenId ?? null,
      tokenName: a.tokenName ?? null,
      method: req.method,
      path,
      operation,
      targetType,
      targetId,
      status: reply.statusCode,
      scimType: a.error?.scimType ?? null,
      detail: a.error?.detail ?? null,
      durationMs: performance.now() - req.scimStartedAt,
    });
  });
  const routeMethods = collectRouteMethods(app);
  registerDiscoveryRoutes(app, opts.limits);
  registerResourceRoutes(app);
  registerBulkRoute(app, opts.limits);
  registerMethodNotAllowed(app, routeMethods);
  // RFC 7644 §3.11: a service provider that does not support /Me answers 501.
  app.all('/Me', async () => {
    throw new ScimError(501, undefined, '/Me is not supported: the bearer token names an organisation, not a user (RFC 7644 §3.11)');
  });
  app.all('/Me/*', async () => {
    throw new ScimError(501, undefined, '/Me is not supported: the bearer token names an organisation, not a user (RFC 7644 §3.11)');
  });
  // Unknown endpoints under the base answer after authentication, like every SCIM
  // call: 401 without a valid token, else a SCIM 404 (field report B20).
  app.all('/*', async (req) => {
    throw new ScimError(404, undefined, `No endpoint ${req.method} ${req.url.split('?')[0]}`);
  });
}

/**
 * A `recordChange` for one request (or one Bulk operation): inserts the row in
 * the write's transaction and, for a whole request, marks it recorded (a Bulk
 * request keeps its own row besides its operations' rows).
 */
export function changeRecorder(req: FastifyRequest, method: string, path: string, status: () => number, marksRequest = true): RecordChange {
  return async (trx, change) => {
    const a = req.scimActivity;
    await insertScimActivity(trx, {
      orgId: req.scim.orgId,
      tokenId: a.tokenId ?? null,
      tokenName: a.tokenName ?? null,
      method,
      path,
      operation: change.operation,
      targetType: change.targetType,
      targetId: change.targetId,
      targetName: change.targetName,
      status: status(),
      durationMs: performance.now() - req.scimStartedAt,
      diff: change.diff ?? null,
    });
    if (marksRequest) a.recorded = true;
  };
}
