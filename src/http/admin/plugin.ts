/**
 * The admin API under `/api/v1`: JSON, validated by zod schemas that also
 * generate the OpenAPI 3.1 document (`/api/v1/openapi.json`, browsable at
 * `/api/v1/docs`). Authentication: the operator token as a bearer; console
 * sessions are added by the session module.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Database } from '../../db/schema.js';
import { isOperatorToken } from '../../tenants/tokens.js';
import { AdminError } from '../errors.js';
import { registerActivityRoutes } from './activity.js';
import { registerOrgRoutes } from './orgs.js';

export interface AdminOptions {
  db: Kysely<Database>;
  operatorToken: string;
  publicUrl: string | undefined;
}

/** Mount with `{prefix: '/api/v1'}`. */
export async function adminPlugin(app: FastifyInstance, opts: AdminOptions): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (req, reply) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m && isOperatorToken(m[1]!, opts.operatorToken)) {
      req.principal = { kind: 'operator' };
      return;
    }
    reply.header('WWW-Authenticate', 'Bearer realm="scimd-admin"');
    throw new AdminError(401, "Sign in, or send the operator token: Authorization: Bearer <SCIMD_OPERATOR_TOKEN or the data folder's operator-token>");
  });
  registerOrgRoutes(app, opts);
  registerActivityRoutes(app, opts);
}
