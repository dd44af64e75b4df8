/**
 * The `/scim/v2` service. Every request is authenticated by its bearer token,
 * which decides the org (PRODUCT.md); then the org's switches apply: 401 for a
 * missing, wrong, expired or revoked token, 403 on every call when SCIM is
 * disabled, 403 on `/Groups` when group sync is off (the reference document's
 * status table).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ScimError } from '../../scim/errors.js';
import type { ServiceLimits } from '../../scim/discovery.js';
import type { ScimContext } from '../../provisioning/context.js';
import { verifyToken, type TokenPrincipal } from '../../tenants/tokens.js';
import { registerBulkRoute } from './bulk.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { registerResourceRoutes } from './resources.js';

declare module 'fastify' {
  interface FastifyRequest {
    scim: ScimContext & { principal: TokenPrincipal };
  }
}

export interface ScimPluginOptions {
  db: Kysely<Database>;
  publicUrl: string | undefined;
  limits: ServiceLimits;
}

/** The SCIM base URL as this client sees it (for `meta.location` and `$ref`). */
export function scimBaseUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ? `${publicUrl}/scim/v2` : `${req.protocol}://${req.host}/scim/v2`;
}

const unauthorized = (detail: string) => new ScimError(401, undefined, detail);

/** Registers the SCIM routes; mount with `{prefix: '/scim/v2'}`. */
export async function scimPlugin(app: FastifyInstance, opts: ScimPluginOptions): Promise<void> {
  app.decorateRequest('scim', null as never);
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      reply.header('WWW-Authenticate', 'Bearer realm="scimd"');
      throw unauthorized('Authorization: Bearer <token> is required; generate a token in the SCIM Provisioning settings');
    }
    const principal = await verifyToken(opts.db, match[1]!);
    if (!principal) {
      reply.header('WWW-Authenticate', 'Bearer realm="scimd", error="invalid_token"');
      throw unauthorized('The bearer token is not valid: it is wrong, expired or revoked. Generate a new one in the SCIM Provisioning settings');
    }
    if (!principal.enabled) throw new ScimError(403, undefined, 'SCIM provisioning is disabled for this organisation; an org admin can enable it in the SCIM Provisioning settings');
    req.scim = { db: opts.db, orgId: principal.orgId, baseUrl: scimBaseUrl(req, opts.publicUrl), maxPageSize: opts.limits.maxPageSize, principal };
  });
  registerDiscoveryRoutes(app, opts.limits);
  registerResourceRoutes(app);
  registerBulkRoute(app, opts.limits);
  // Unknown endpoints under the base answer after authentication, like every SCIM
  // call: 401 without a valid token, else a SCIM 404 (field report B20).
  app.all('/*', async (req) => {
    throw new ScimError(404, undefined, `No endpoint ${req.method} ${req.url.split('?')[0]}`);
  });
}
