/**
 * Groups of an org, as the admin console shows them (docs/admin-api.md "Groups"):
 *
 * - `GET /orgs/{slug}/groups`: paged (`limit`, `cursor` or `page`), `search` by displayName, `sort`/`order`
 * - `GET /orgs/{slug}/groups/{id}`
 * - `GET /orgs/{slug}/groups/{id}/members`: paged by cursor, in the order members joined
 *
 * Logic lives in src/provisioning/group-reads.ts; another org's group id is a 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getGroupSummary, GROUP_SORTS, GroupNotFoundError, listGroupMembers, listGroupSummaries, type GroupSummary } from '../../provisioning/group-reads.js';
import { AdminError } from '../errors.js';
import { iso, orderQuery, pageOf, pageQuery, searchQuery, withCursor } from './list-params.js';
import type { AdminOptions } from './plugin.js';
import { orgFor, slugParams } from './principal.js';

const groupParams = slugParams.extend({ id: z.string() });
const groupJson = z
  .object({ id: z.string(), displayName: z.string(), externalId: z.string().nullable(), memberCount: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Group' });
const groupMemberJson = z
  .object({
    id: z.string(),
    userName: z.string(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    active: z.boolean(),
    role: z.string().nullable(),
    roleSource: z.enum(['mapping', 'default', 'none', 'manual']).nullable(),
    addedAt: z.string().describe('When the member joined the group'),
  })
  .meta({ id: 'GroupMember' });

const groupOut = (g: GroupSummary): z.infer<typeof groupJson> => ({ ...g, createdAt: iso(g.createdAt), updatedAt: iso(g.updatedAt) });

async function found<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await withCursor(work);
  } catch (err) {
    if (err instanceof GroupNotFoundError) throw new AdminError(404, err.message);
    throw err;
  }
}

/** Registers the group routes. */
export function registerGroupRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;

  app.get(
    '/orgs/:slug/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Groups, paged, searchable by displayName, sortable',
        params: slugParams,
        querystring: pageQuery.extend({ search: searchQuery.describe('Case-insensitive substring of displayName'), sort: z.enum(GROUP_SORTS).default('displayName'), order: orderQuery }),
        response: { 200: pageOf(groupJson, 'GroupPage') },
      },
    },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const q = req.query;
      const page = await found(() => listGroupSummaries(db, o.id, { limit: q.limit, cursor: q.cursor, page: q.page, search: q.search, sort: q.sort, order: q.order }));
      return { ...page, items: page.items.map(groupOut) };
    },
  );

  app.get('/orgs/:slug/groups/:id', { schema: { tags: ['groups'], summary: 'One group', params: groupParams, response: { 200: groupJson } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    return groupOut(await found(() => getGroupSummary(db, o.id, req.params.id)));
  });

  app.get(
    '/orgs/:slug/groups/:id/members',
    {
      schema: {
        tags: ['groups'],
        summary: "A group's members, paged by cursor in the order they joined",
        params: groupParams,
        querystring: pageQuery.pick({ limit: true, cursor: true }),
        response: { 200: pageOf(groupMemberJson, 'GroupMemberPage') },
      },
    },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const page = await found(() => listGroupMembers(db, o.id, req.params.id, { limit: req.query.limit, cursor: req.query.cursor }));
      return { ...page, items: page.items.map((m) => ({ ...m, addedAt: iso(m.addedAt) })) };
    },
  );
}
