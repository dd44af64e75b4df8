/**
 * The activity log and the SCIM Overview for admins:
 * - `GET /api/v1/orgs/{slug}/activity` (filters as query parameters, cursor paging)
 * - `GET /api/v1/orgs/{slug}/activity/hourly?days=` (requests per hour by outcome)
 * - `GET /api/v1/orgs/{slug}/scim/overview` (Base URL, status, last request, counts)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { activityByHour, listActivity } from '../../activity/query.js';
import { getScimSettings } from '../../tenants/scim-config.js';
import { scimBaseUrlOf } from '../origin.js';
import type { AdminOptions } from './plugin.js';
import { orgFor, slugParams } from './principal.js';

/**
 * An ISO 8601 instant PostgreSQL can hold as a timestamp: zod takes year 0000 (and
 * JavaScript rolls 30 February over), which reached the database as a range error.
 */
const instant = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const d = new Date(v);
    const [y, m, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
    return d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999 && new Date(Date.UTC(y, m - 1, day)).getUTCDate() === day;
  }, 'must be a real date between the years 0001 and 9999');

const activityQuery = z
  .object({
    from: instant.optional().describe('Inclusive lower bound (ISO 8601)'),
    to: instant.optional().describe('Exclusive upper bound (ISO 8601)'),
    status: z.enum(['all', 'failures']).default('all').describe('`failures`: only answers with status ≥ 400'),
    operation: z.string().max(50).optional().describe('create, update, deactivate, reactivate, delete, membership_add, membership_remove, membership_change, lookup, discovery, bulk, or an admin action name'),
    source: z.enum(['scim', 'admin']).optional(),
    target: z.string().max(300).optional().describe('A target id, or part of a target name'),
    cursor: z.string().regex(/^\d+$/).optional().describe('`nextCursor` of the previous page'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const activityItem = z
  .object({
    id: z.string(),
    at: z.string(),
    source: z.enum(['scim', 'admin']),
    actor: z.string().nullable().describe('Token name (scim) or admin email / operator (admin)'),
    method: z.string().nullable(),
    path: z.string().nullable(),
    operation: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    targetName: z.string().nullable(),
    status: z.number(),
    scimType: z.string().nullable(),
    detail: z.string().nullable(),
    durationMs: z.number().nullable(),
    diff: z
      .object({
        changes: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })).optional(),
        membersAdded: z.array(z.string()).optional(),
        membersRemoved: z.array(z.string()).optional(),
        membersTruncated: z.object({ added: z.number(), removed: z.number() }).optional(),
        details: z.record(z.string(), z.unknown()).optional(),
      })
      .nullable(),
  })
  .meta({ id: 'ActivityItem' });

const overviewJson = z
  .object({
    baseUrl: z.string(),
    status: z.enum(['enabled', 'disabled', 'never-enabled']),
    enabled: z.boolean(),
    syncGroups: z.boolean(),
    defaultRole: z.string().nullable(),
    lastRequestAt: z.string().nullable().describe('Last authenticated SCIM request (minute precision)'),
    members: z.object({ total: z.number(), active: z.number() }),
    groups: z.number(),
    activeTokens: z.number(),
    failuresLast24h: z.number(),
    activityRetentionDays: z.number(),
  })
  .meta({ id: 'ScimOverview' });

export function registerActivityRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;
  const baseUrl = (req: FastifyRequest) => scimBaseUrlOf(req, opts.publicUrl);

  app.get(
    '/orgs/:slug/activity',
    { schema: { tags: ['activity'], summary: 'The activity log, newest first', params: slugParams, querystring: activityQuery, response: { 200: z.object({ items: z.array(activityItem), nextCursor: z.string().nullable() }) } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const q = req.query;
      return listActivity(db, o.id, {
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        failuresOnly: q.status === 'failures',
        ...(q.operation ? { operation: q.operation } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.target ? { target: q.target } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      });
    },
  );

  app.get(
    '/orgs/:slug/activity/hourly',
    {
      schema: {
        tags: ['activity'],
        summary: 'SCIM requests per hour by outcome',
        params: slugParams,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(90).default(7) }).strict(),
        response: { 200: z.array(z.object({ hour: z.string(), ok: z.number(), clientErrors: z.number(), serverErrors: z.number() })) },
      },
    },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      return activityByHour(db, o.id, new Date(Date.now() - req.query.days * 86_400_000));
    },
  );

  app.get('/orgs/:slug/scim/overview', { schema: { tags: ['scim'], summary: 'The SCIM Provisioning Overview card', params: slugParams, response: { 200: overviewJson } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    const [settings, config, members, groups, tokens, failures] = await Promise.all([
      getScimSettings(db, o.id),
      db.selectFrom('scim_provisioning_configs').select(['last_request_at', 'activity_retention_days']).where('org_id', '=', o.id).executeTakeFirst(),
      db.selectFrom('scim_users').select([sql<string>`count(*)`.as('total'), sql<string>`count(*) filter (where active)`.as('active')]).where('org_id', '=', o.id).executeTakeFirstOrThrow(),
      db.selectFrom('scim_groups').select(sql<string>`count(*)`.as('n')).where('org_id', '=', o.id).executeTakeFirstOrThrow(),
      db.selectFrom('scim_tokens').select(sql<string>`count(*)`.as('n')).where('org_id', '=', o.id).where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())])).executeTakeFirstOrThrow(),
      db.selectFrom('activity').select(sql<string>`count(*)`.as('n')).where('org_id', '=', o.id).where('source', '=', 'scim').where('status', '>=', 400).where('at', '>=', new Date(Date.now() - 86_400_000)).executeTakeFirstOrThrow(),
    ]);
    return {
      baseUrl: baseUrl(req),
      status: (config ? (settings.enabled ? 'enabled' : 'disabled') : 'never-enabled') as 'enabled' | 'disabled' | 'never-enabled',
      enabled: settings.enabled,
      syncGroups: settings.syncGroups,
      defaultRole: settings.defaultRole,
      lastRequestAt: config?.last_request_at?.toISOString() ?? null,
      members: { total: Number(members.total), active: Number(members.active) },
      groups: Number(groups.n),
      activeTokens: Number(tokens.n),
      failuresLast24h: Number(failures.n),
      activityRetentionDays: config?.activity_retention_days ?? 30,
    };
  });
}
