/**
 * The minimum admin API (issue 2's contract; other tools call it), JSON under
 * `/api/v1`, authenticated by the operator token (`Authorization: Bearer …`):
 *
 * - `POST /api/v1/orgs` `{slug, name}` → 201 `{id, slug, name}`; 409 on a taken slug
 * - `GET /api/v1/orgs`, `GET /api/v1/orgs/{slug}`
 * - `GET|PATCH /api/v1/orgs/{slug}/scim` → `{enabled, syncGroups, defaultRole, baseUrl}`
 * - `POST /api/v1/orgs/{slug}/scim/tokens` `{name, expiresAt?}` → 201 with the secret `token` (once)
 * - `GET /api/v1/orgs/{slug}/scim/tokens` (no secrets), `DELETE …/scim/tokens/{id}` (revoke)
 *
 * Roles and role mappings (`GET|PUT …/role-mappings` among them) are in roles.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { createOrg, SLUG_PATTERN, SlugTakenError } from '../../tenants/orgs.js';
import { requireRole, UnknownRoleError } from '../../tenants/roles.js';
import { getScimSettings, updateScimSettings } from '../../tenants/scim-config.js';
import { issueToken, listTokens, regenerateToken, revokeToken, type TokenInfo } from '../../tenants/tokens.js';
import { AdminError } from '../errors.js';
import { scimBaseUrlOf } from '../origin.js';
import type { AdminOptions } from './plugin.js';
import { actorOf, orgFor, requireOperator, slugParams } from './principal.js';
import { recordAdminAction } from '../../activity/admin-actions.js';

const createOrgBody = z.object({
  slug: z.string().regex(SLUG_PATTERN, 'slug must be 1–63 lower-case letters, digits or inner hyphens'),
  name: z.string().trim().min(1).max(200).optional(),
}).strict();

const scimSettingsBody = z.object({
  enabled: z.boolean().optional(),
  syncGroups: z.boolean().optional(),
  defaultRole: z.string().trim().min(1).max(100).nullable().optional(),
  activityRetentionDays: z.number().int().min(1).max(3650).optional().describe('Days the activity log keeps rows (default 30)'),
}).strict();

const tokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
}).strict();


const orgJson = z.object({ id: z.string(), slug: z.string(), name: z.string() }).meta({ id: 'Org' });
const scimSettingsJson = z
  .object({ enabled: z.boolean(), syncGroups: z.boolean(), defaultRole: z.string().nullable(), baseUrl: z.string() })
  .meta({ id: 'ScimSettings' });
const tokenInfoJson = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('Public prefix of the token, for recognising it'),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'ScimToken' });
const tokenJson = (t: TokenInfo): z.infer<typeof tokenInfoJson> => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  status: t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt.getTime() <= Date.now() ? 'expired' : 'active',
});

/** Registers organisation, SCIM settings and token routes. */
export function registerOrgRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;
  const knownRole = async (trx: Transaction<Database>, orgId: string, name: string) => {
    try {
      return await requireRole(trx, orgId, name);
    } catch (err) {
      if (err instanceof UnknownRoleError) throw new AdminError(400, `defaultRole: ${err.message}`);
      throw err;
    }
  };
  const baseUrl = (req: FastifyRequest) => scimBaseUrlOf(req, opts.publicUrl);

  app.post('/orgs', { schema: { tags: ['orgs'], summary: 'Create an organisation (operator)', body: createOrgBody, response: { 201: orgJson } } }, async (req, reply) => {
    requireOperator(req);
    try {
      return reply.code(201).send(await createOrg(db, req.body.slug, req.body.name ?? req.body.slug));
    } catch (err) {
      if (err instanceof SlugTakenError) throw new AdminError(409, err.message);
      throw err;
    }
  });

  app.get('/orgs', { schema: { tags: ['orgs'], summary: 'List the organisations the caller can reach', response: { 200: z.array(orgJson) } } }, async (req) => {
    let q = db.selectFrom('orgs').select(['id', 'slug', 'name']).orderBy('slug');
    if (req.principal.kind === 'admin') q = q.where('id', '=', req.principal.orgId);
    return q.execute();
  });

  app.get('/orgs/:slug', { schema: { tags: ['orgs'], params: slugParams, response: { 200: orgJson } } }, async (req) => orgFor(db, req, req.params.slug));

  app.get('/orgs/:slug/scim', { schema: { tags: ['scim'], summary: 'SCIM provisioning settings', params: slugParams, response: { 200: scimSettingsJson } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    return { ...(await getScimSettings(db, o.id)), baseUrl: baseUrl(req) };
  });

  app.patch('/orgs/:slug/scim', { schema: { tags: ['scim'], summary: 'Change SCIM settings; the first write creates the scim_provisioning_configs row', params: slugParams, body: scimSettingsBody, response: { 200: scimSettingsJson } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    const change = req.body;
    const settings = await db.transaction().execute(async (trx) => {
      const next = await updateScimSettings(trx, o.id, {
        ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
        ...(change.syncGroups !== undefined ? { syncGroups: change.syncGroups } : {}),
        // The default role must be one of the org's roles; stored in the role's own spelling.
        ...(change.defaultRole !== undefined ? { defaultRole: change.defaultRole === null ? null : await knownRole(trx, o.id, change.defaultRole) } : {}),
      });
      if (change.activityRetentionDays !== undefined) {
        await trx.updateTable('scim_provisioning_configs').set({ activity_retention_days: change.activityRetentionDays }).where('org_id', '=', o.id).execute();
      }
      await recordAdminAction(trx, { orgId: o.id, actor: actorOf(req), action: 'scim.settings.update', details: { ...change } });
      return next;
    });
    return { ...settings, baseUrl: baseUrl(req) };
  });

  app.post('/orgs/:slug/scim/tokens', { schema: { tags: ['tokens'], summary: 'Generate a token; the secret is in this answer only', params: slugParams, body: tokenBody, response: { 201: tokenInfoJson.extend({ token: z.string() }) } } }, async (req, reply) => {
    const o = await orgFor(db, req, req.params.slug);
    const expiresAt = req.body.expiresAt ? new Date(req.body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AdminError(400, 'expiresAt: must be in the future');
    const t = await db.transaction().execute(async (trx) => {
      // Names tell tokens apart in the token list and the activity log's "by" column.
      const clash = await trx
        .selectFrom('scim_tokens')
        .select('id')
        .where('org_id', '=', o.id)
        .where(sql`lower(name)`, '=', req.body.name.toLowerCase())
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
        .executeTakeFirst();
      if (clash) throw new AdminError(409, `A token named "${req.body.name}" is already active; choose another name, or regenerate that token`);
      const issued = await issueToken(trx, o.id, req.body.name, expiresAt);
      await recordAdminAction(trx, { orgId: o.id, actor: actorOf(req), action: 'token.create', targetType: 'Token', targetId: issued.id, targetName: issued.name, details: { expiresAt: issued.expiresAt?.toISOString() ?? null } });
      return issued;
    });
    return reply.code(201).send({ ...tokenJson(t), token: t.token });
  });

  app.post(
    '/orgs/:slug/scim/tokens/:id/regenerate',
    { schema: { tags: ['tokens'], summary: 'Revoke a token and issue a new secret under the same name and expiry, in one step', params: slugParams.extend({ id: z.string() }), response: { 201: tokenInfoJson.extend({ token: z.string() }) } } },
    async (req, reply) => {
      const o = await orgFor(db, req, req.params.slug);
      const t = await db.transaction().execute(async (trx) => {
        const fresh = await regenerateToken(trx, o.id, req.params.id);
        if (!fresh) throw new AdminError(404, `No active token ${req.params.id} in organisation "${o.slug}"`);
        await recordAdminAction(trx, { orgId: o.id, actor: actorOf(req), action: 'token.regenerate', targetType: 'Token', targetId: fresh.id, targetName: fresh.name, details: { replaces: req.params.id } });
        return fresh;
      });
      return reply.code(201).send({ ...tokenJson(t), token: t.token });
    },
  );

  app.get('/orgs/:slug/scim/tokens', { schema: { tags: ['tokens'], summary: 'List tokens (never secrets)', params: slugParams, response: { 200: z.array(tokenInfoJson) } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    return (await listTokens(db, o.id)).map(tokenJson);
  });

  app.delete('/orgs/:slug/scim/tokens/:id', { schema: { tags: ['tokens'], summary: 'Revoke a token at once', params: slugParams.extend({ id: z.string() }) } }, async (req, reply) => {
    const o = await orgFor(db, req, req.params.slug);
    await db.transaction().execute(async (trx) => {
      if (!(await revokeToken(trx, o.id, req.params.id))) throw new AdminError(404, `No token ${req.params.id} in organisation "${o.slug}"`);
      const revoked = await trx.selectFrom('scim_tokens').select('name').where('id', '=', req.params.id).executeTakeFirst();
      await recordAdminAction(trx, { orgId: o.id, actor: actorOf(req), action: 'token.revoke', targetType: 'Token', targetId: req.params.id, ...(revoked ? { targetName: revoked.name } : {}) });
    });
    return reply.code(204).send();
  });
}
