/**
 * Members of an org, as the admin console shows them (docs/admin-api.md "Members"):
 *
 * - `GET /orgs/{slug}/members`: paged (`limit`, `cursor` or `page`), `search`,
 *   `sort`/`order`, filters `active` and `role`
 * - `GET /orgs/{slug}/members/{id}`: the same plus the full SCIM document
 * - `GET /orgs/{slug}/members/{id}/role-explanation`
 * - `PATCH /orgs/{slug}/members/{id}` `{role}`: a manual app role, or null for automatic
 *
 * Logic lives in src/provisioning/members.ts; another org's member id is a 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { explainMemberRole, getMember, listMembers, MEMBER_SORTS, MemberNotFoundError, setMemberRole, type Member } from '../../provisioning/members.js';
import { getUser } from '../../provisioning/users.js';
import { UnknownRoleError } from '../../tenants/roles.js';
import { AdminError } from '../errors.js';
import { scimBaseUrlOf as scimBaseUrl } from '../origin.js';
import { iso, orderQuery, pageOf, pageQuery, searchQuery, withCursor } from './list-params.js';
import type { AdminOptions } from './plugin.js';
import { actorOf, orgFor, slugParams } from './principal.js';

const memberParams = slugParams.extend({ id: z.string() });
const roleSourceKind = z.enum(['mapping', 'default', 'none', 'manual']);
const roleSourceJson = z
  .object({
    kind: roleSourceKind,
    received: z.string().nullable().optional().describe('The value of the roles entry taken, as received'),
    chosenBy: z.enum(['primary', 'first']).optional(),
    normalized: z.string().nullable().optional(),
    setBy: z.string().optional().describe('manual: who set it'),
    setAt: z.string().optional().describe('manual: when'),
  })
  .meta({ id: 'RoleSource' });

const memberJson = z
  .object({
    id: z.string(),
    userName: z.string(),
    name: z.string().nullable().describe('name.formatted, else given and family name'),
    displayName: z.string().nullable(),
    email: z.string().nullable().describe('Primary (else first) email'),
    active: z.boolean(),
    role: z.string().nullable().describe('App role'),
    roleSource: roleSourceKind.nullable().describe('Where the role came from'),
    groups: z.array(z.object({ id: z.string(), displayName: z.string() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Member' });
const memberDetailJson = memberJson
  .extend({
    roleSourceDetail: roleSourceJson.nullable(),
    scim: z.record(z.string(), z.unknown()).describe('The SCIM User exactly as GET /scim/v2/Users/{id} answers it'),
  })
  .meta({ id: 'MemberDetail' });

const listQuery = pageQuery.extend({
  search: searchQuery.describe('Case-insensitive substring of userName, name, displayName or email'),
  sort: z.enum(MEMBER_SORTS).default('userName'),
  order: orderQuery,
  active: z.enum(['true', 'false']).optional(),
  role: z.string().max(100).optional().describe('App role name (any letter case)'),
});

const kinds = z.enum(['case', 'surrounding-whitespace', 'inner-whitespace', 'invisible-characters', 'look-alike-characters', 'json-encoded']);
const differenceJson = z.object({ kind: kinds, ignoredByMatching: z.boolean(), side: z.enum(['received', 'mapping', 'both']), detail: z.string() }).meta({ id: 'RoleValueDifference' });
const explanationJson = z
  .object({
    memberId: z.string(),
    userName: z.string(),
    received: z.array(z.unknown()).nullable().describe('The roles attribute as stored (every entry)'),
    primary: z
      .object({ index: z.number().int(), entry: z.record(z.string(), z.unknown()), value: z.string().nullable(), valueEscaped: z.string().nullable(), reason: z.string() })
      .nullable()
      .describe('The entry resolution took, and why'),
    normalized: z.string().nullable(),
    normalizedEscaped: z.string().nullable().describe('normalized with every character outside printable ASCII as \\uXXXX'),
    matchedMapping: z.object({ id: z.string(), idpRoleValue: z.string(), role: z.string(), differences: z.array(differenceJson) }).nullable(),
    noMatchReason: z.string().nullable(),
    nearMisses: z.array(
      z
        .object({ mappingId: z.string(), idpRoleValue: z.string(), idpRoleValueEscaped: z.string(), role: z.string(), kinds: z.array(kinds), differences: z.array(differenceJson), message: z.string() })
        .meta({ id: 'RoleNearMiss' }),
    ),
    hints: z.array(z.string()),
    resolved: z.object({ role: z.string().nullable(), source: z.enum(['mapping', 'default', 'none']) }).describe('What the current mappings and default role give'),
    role: z.object({ name: z.string().nullable(), source: roleSourceKind.nullable(), detail: roleSourceJson.nullable() }).describe('The role the member has, and its source'),
    differsFromCurrentSettings: z.boolean(),
    differenceNote: z.string().nullable(),
    summary: z.string(),
  })
  .meta({ id: 'RoleExplanation' });

const memberOut = (m: Member): z.infer<typeof memberJson> => ({ ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) });

async function found<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MemberNotFoundError) throw new AdminError(404, err.message);
    if (err instanceof UnknownRoleError) throw new AdminError(400, err.message);
    throw err;
  }
}

/** Registers the member routes. */
export function registerMemberRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;

  app.get(
    '/orgs/:slug/members',
    { schema: { tags: ['members'], summary: 'Provisioned members, paged, searchable, sortable', params: slugParams, querystring: listQuery, response: { 200: pageOf(memberJson, 'MemberPage') } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const q = req.query;
      const page = await withCursor(() =>
        listMembers(db, o.id, {
          limit: q.limit,
          cursor: q.cursor,
          page: q.page,
          search: q.search,
          sort: q.sort,
          order: q.order,
          active: q.active === undefined ? undefined : q.active === 'true',
          role: q.role,
        }),
      );
      return { ...page, items: page.items.map(memberOut) };
    },
  );

  app.get(
    '/orgs/:slug/members/:id',
    { schema: { tags: ['members'], summary: 'One member, with its SCIM document', params: memberParams, response: { 200: memberDetailJson } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const m = await found(() => getMember(db, o.id, req.params.id));
      const scim = await getUser({ db, orgId: o.id, baseUrl: scimBaseUrl(req, opts.publicUrl), maxPageSize: 1 }, m.id);
      return { ...memberOut(m), roleSourceDetail: m.roleSourceDetail, scim: scim.resource };
    },
  );

  app.get(
    '/orgs/:slug/members/:id/role-explanation',
    { schema: { tags: ['members'], summary: 'Why the member has its app role: value received, primary entry, normalised label, mapping or near-misses', params: memberParams, response: { 200: explanationJson } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      return found(() => explainMemberRole(db, o.id, req.params.id));
    },
  );

  app.patch(
    '/orgs/:slug/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: "Set the member's app role by hand (source manual), or null for automatic resolution",
        params: memberParams,
        body: z.object({ role: z.string().trim().min(1).max(100).nullable() }).strict().meta({ id: 'MemberRoleChange' }),
        response: { 200: memberDetailJson },
      },
    },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const m = await found(() => setMemberRole(db, o.id, req.params.id, req.body.role, actorOf(req)));
      const scim = await getUser({ db, orgId: o.id, baseUrl: scimBaseUrl(req, opts.publicUrl), maxPageSize: 1 }, m.id);
      return { ...memberOut(m), roleSourceDetail: m.roleSourceDetail, scim: scim.resource };
    },
  );
}
