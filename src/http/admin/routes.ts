/**
 * The minimum admin API (issue 2's contract; other tools call it), JSON under
 * `/api/v1`, authenticated by the operator token (`Authorization: Bearer …`):
 *
 * - `POST /api/v1/orgs` `{slug, name}` → 201 `{id, slug, name}`; 409 on a taken slug
 * - `GET /api/v1/orgs`, `GET /api/v1/orgs/{slug}`
 * - `GET|PATCH /api/v1/orgs/{slug}/scim` → `{enabled, syncGroups, defaultRole, baseUrl}`
 * - `POST /api/v1/orgs/{slug}/scim/tokens` `{name, expiresAt?}` → 201 with the secret `token` (once)
 * - `GET /api/v1/orgs/{slug}/scim/tokens` (no secrets), `DELETE …/scim/tokens/{id}` (revoke)
 * - `GET|PUT /api/v1/orgs/{slug}/role-mappings` `[{idpRoleValue, role}]`
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { createOrg, findOrgBySlug, SLUG_PATTERN, SlugTakenError, type Org } from '../../tenants/orgs.js';
import { listRoleMappings, MappingCollisionError, replaceRoleMappings } from '../../tenants/role-mappings.js';
import { getScimSettings, updateScimSettings } from '../../tenants/scim-config.js';
import { isOperatorToken, issueToken, listTokens, revokeToken, type TokenInfo } from '../../tenants/tokens.js';
import { AdminError } from '../errors.js';

export interface AdminOptions {
  db: Kysely<Database>;
  operatorToken: string;
  publicUrl: string | undefined;
}

const createOrgBody = z.object({
  slug: z.string().regex(SLUG_PATTERN, 'slug must be 1–63 lower-case letters, digits or inner hyphens'),
  name: z.string().trim().min(1).max(200).optional(),
}).strict();

const scimSettingsBody = z.object({
  enabled: z.boolean().optional(),
  syncGroups: z.boolean().optional(),
  defaultRole: z.string().trim().min(1).max(100).nullable().optional(),
}).strict();

const tokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
}).strict();

const mappingsBody = z.array(z.object({ idpRoleValue: z.string().min(1).max(200), role: z.string().trim().min(1).max(100) }).strict()).max(1000);

/** Parses a body with a zod schema; 400 with every problem named. */
function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new AdminError(400, r.error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; '));
  }
  return r.data;
}

const tokenJson = (t: TokenInfo) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  status: t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt.getTime() <= Date.now() ? 'expired' : 'active',
});

/** Registers the admin routes; mount with `{prefix: '/api/v1'}`. */
export async function adminPlugin(app: FastifyInstance, opts: AdminOptions): Promise<void> {
  const { db } = opts;
  app.addHook('onRequest', async (req, reply) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || !isOperatorToken(m[1]!, opts.operatorToken)) {
      reply.header('WWW-Authenticate', 'Bearer realm="scimd-admin"');
      throw new AdminError(401, 'The operator token is required: Authorization: Bearer <SCIMD_OPERATOR_TOKEN or the data folder\'s operator-token>');
    }
  });

  const baseUrl = (req: FastifyRequest) => `${opts.publicUrl ?? `${req.protocol}://${req.host}`}/scim/v2`;

  async function org(slug: string): Promise<Org> {
    const found = await findOrgBySlug(db, slug);
    if (!found) throw new AdminError(404, `No organisation "${slug}"`);
    return found;
  }

  type SlugReq = FastifyRequest<{ Params: { slug: string } }>;

  app.post('/orgs', async (req, reply) => {
    const body = parse(createOrgBody, req.body);
    try {
      return reply.code(201).send(await createOrg(db, body.slug, body.name ?? body.slug));
    } catch (err) {
      if (err instanceof SlugTakenError) throw new AdminError(409, err.message);
      throw err;
    }
  });

  app.get('/orgs', async () => db.selectFrom('orgs').select(['id', 'slug', 'name']).orderBy('slug').execute());

  app.get('/orgs/:slug', async (req: SlugReq) => org(req.params.slug));

  app.get('/orgs/:slug/scim', async (req: SlugReq) => {
    const o = await org(req.params.slug);
    return { ...(await getScimSettings(db, o.id)), baseUrl: baseUrl(req) };
  });

  app.patch('/orgs/:slug/scim', async (req: SlugReq) => {
    const o = await org(req.params.slug);
    const change = parse(scimSettingsBody, req.body);
    const settings = await updateScimSettings(db, o.id, {
      ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
      ...(change.syncGroups !== undefined ? { syncGroups: change.syncGroups } : {}),
      ...(change.defaultRole !== undefined ? { defaultRole: change.defaultRole } : {}),
    });
    return { ...settings, baseUrl: baseUrl(req) };
  });

  app.post('/orgs/:slug/scim/tokens', async (req: SlugReq, reply) => {
    const o = await org(req.params.slug);
    const body = parse(tokenBody, req.body);
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AdminError(400, 'expiresAt: must be in the future');
    const t = await issueToken(db, o.id, body.name, expiresAt);
    return reply.code(201).send({ ...tokenJson(t), token: t.token });
  });

  app.get('/orgs/:slug/scim/tokens', async (req: SlugReq) => {
    const o = await org(req.params.slug);
    return (await listTokens(db, o.id)).map(tokenJson);
  });

  app.delete('/orgs/:slug/scim/tokens/:id', async (req: FastifyRequest<{ Params: { slug: string; id: string } }>, reply) => {
    const o = await org(req.params.slug);
    if (!(await revokeToken(db, o.id, req.params.id))) throw new AdminError(404, `No token ${req.params.id} in organisation "${o.slug}"`);
    return reply.code(204).send();
  });

  app.get('/orgs/:slug/role-mappings', async (req: SlugReq) => listRoleMappings(db, (await org(req.params.slug)).id));

  app.put('/orgs/:slug/role-mappings', async (req: SlugReq) => {
    const o = await org(req.params.slug);
    try {
      return await replaceRoleMappings(db, o.id, parse(mappingsBody, req.body));
    } catch (err) {
      if (err instanceof MappingCollisionError) throw new AdminError(409, err.message);
      throw err;
    }
  });
}
