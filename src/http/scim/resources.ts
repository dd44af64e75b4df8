/**
 * `/Users` and `/Groups` (RFC 7644 §3.2–§3.6), `POST …/.search` on each and on
 * the root (§3.4.3). ETags: `If-Match` on PUT/PATCH/DELETE (412 when stale),
 * `If-None-Match` on GET (304 when unchanged), RFC 7644 §3.14.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidSyntax, invalidValue, ScimError } from '../../scim/errors.js';
import { listResponse, SCIM_CONTENT_TYPE, SEARCH_REQUEST_SCHEMA } from '../../scim/messages.js';
import { applyProjection, parseProjection, type Projection } from '../../scim/projection.js';
import { groupResourceType, userResourceType, type ResourceTypeDef } from '../../scim/schemas/resource-types.js';
import * as groups from '../../provisioning/groups.js';
import { parsePaging, type ListParams } from '../../provisioning/list-query.js';
import * as users from '../../provisioning/users.js';
import { IF_NONE_MATCH_ANY, type ScimContext } from '../../provisioning/context.js';
import { sendScim } from './send.js';
import { TokenRefusedError } from '../../tenants/tokens.js';

interface One {
  resource?: Record<string, unknown>;
  etag: string;
  /** The JSON document in pieces, sent as a stream instead of `resource` (a big group). */
  body?: AsyncIterable<string>;
}

/** The use cases of one resource type, in the shape the routes need. */
interface ResourceHandlers {
  rt: ResourceTypeDef;
  create(ctx: ScimContext, body: unknown): Promise<One>;
  get(ctx: ScimContext, id: string, p?: Projection): Promise<One>;
  list(ctx: ScimContext, params: ListParams): Promise<Record<string, unknown>>;
  replace(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<One>;
  patch(ctx: ScimContext, id: string, body: unknown, ifMatch?: string, p?: Projection): Promise<One | undefined>;
  remove(ctx: ScimContext, id: string, ifMatch?: string): Promise<void>;
}

export const userHandlers: ResourceHandlers = {
  rt: userResourceType,
  create: users.createUser,
  get: users.getUser,
  list: users.listUsers,
  replace: users.replaceUser,
  patch: users.patchUser,
  remove: users.deleteUser,
};

export const groupHandlers: ResourceHandlers = {
  rt: groupResourceType,
  create: groups.createGroup,
  get: groups.getGroup,
  list: groups.listGroups,
  replace: groups.replaceGroup,
  patch: groups.patchGroup,
  remove: groups.deleteGroup,
};

type Query = Record<string, string | string[] | undefined>;

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw invalidValue(`Give the "${name}" parameter once`);
  return v;
}

/** Query parameter names are matched case-insensitively: clients send `StartIndex`, `Count`. */
function listParams(query: unknown): ListParams {
  const q: Query = {};
  for (const [k, v] of Object.entries((query ?? {}) as Query)) q[k.toLowerCase()] = v;
  return {
    filter: single(q, 'filter'),
    startIndex: single(q, 'startindex'),
    count: single(q, 'count'),
    sortBy: single(q, 'sortby'),
    sortOrder: single(q, 'sortorder'),
    attributes: single(q, 'attributes'),
    excludedAttributes: single(q, 'excludedattributes'),
  };
}

function projectionOf(rt: ResourceTypeDef, query: unknown): Projection | undefined {
  const p = listParams(query);
  if (p.attributes === undefined && p.excludedAttributes === undefined) return undefined;
  return parseProjection(rt, p.attributes as string | undefined, p.excludedAttributes as string | undefined);
}

function searchParams(body: unknown): ListParams {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('A SearchRequest body must be a JSON object');
  const b = body as Record<string, unknown>;
  const schemas = b.schemas;
  if (Array.isArray(schemas) && !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`A SearchRequest must list the schema ${SEARCH_REQUEST_SCHEMA}`);
  }
  return {
    filter: b.filter,
    startIndex: b.startIndex,
    count: b.count,
    sortBy: b.sortBy,
    sortOrder: b.sortOrder,
    attributes: b.attributes,
    excludedAttributes: b.excludedAttributes,
  };
}

/**
 * The `If-Match` of a write. `If-None-Match: *` on a write means "only if it does
 * not exist" (RFC 9110 §13.1.2), which an existing resource fails: passed on as
 * IF_NONE_MATCH_ANY, which `requireVersion` refuses with a 412 naming that header.
 */
const ifMatch = (req: FastifyRequest) => {
  if (typeof req.headers['if-none-match'] === 'string' && req.headers['if-none-match'].trim() === '*') return IF_NONE_MATCH_ANY;
  return typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
};

function notModified(req: FastifyRequest, etag: string): boolean {
  const inm = req.headers['if-none-match'];
  if (typeof inm !== 'string') return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return inm.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

/**
 * Runs a read that may have started from a PrincipalHint (`req.scim.tokenCheck`)
 * and answers only once the token is confirmed: by the read's own statement
 * (settled), else by the ordinary verification, which throws 401/403 for a
 * refused token. So a read by a revoked token, or one that found nothing (its
 * 404 must not tell a stranger anything either), is refused exactly as without
 * the hint.
 */
async function confirmed<T>(req: FastifyRequest, work: () => Promise<T>): Promise<T> {
  const check = req.scim.tokenCheck;
  if (!check) return work();
  let result: T;
  try {
    result = await work();
  } catch (err) {
    if (check.settled) throw err;
    await req.scimAuthenticate();
    // Verified now (the state changed after the statement, or nothing was found): answer from a verified start.
    if (err instanceof TokenRefusedError) return work();
    throw err;
  }
  if (!check.settled) await req.scimAuthenticate();
  return result;
}

function register(app: FastifyInstance, endpoint: string, h: ResourceHandlers): void {
  type IdReq = FastifyRequest<{ Params: { id: string } }>;
  // RFC 7644 §3.9: attributes/excludedAttributes shape every answer that returns a resource.
  const shaped = (req: FastifyRequest, resource: Record<string, unknown>) => {
    const p = projectionOf(h.rt, req.query);
    return p ? applyProjection(h.rt, p, resource) : resource;
  };
  app.post(endpoint, async (req, reply) => {
    req.scimActivity.successStatus = 201;
    const r = await h.create(req.scim, req.body);
    reply.header('Location', (r.resource!.meta as { location: string }).location);
    return sendScim(reply, 201, shaped(req, r.resource!), r.etag);
  });
  app.get(endpoint, async (req, reply) => sendScim(reply, 200, await confirmed(req, () => h.list(req.scim, listParams(req.query)))));
  app.post(`${endpoint}/.search`, async (req, reply) => sendScim(reply, 200, await h.list(req.scim, searchParams(req.body))));
  app.get(`${endpoint}/:id`, async (req: IdReq, reply: FastifyReply) => {
    const r = await confirmed(req, () => h.get(req.scim, req.params.id, projectionOf(h.rt, req.query)));
    if (notModified(req, r.etag)) return reply.code(304).header('ETag', r.etag).send();
    if (r.body) return reply.code(200).type(SCIM_CONTENT_TYPE).header('ETag', r.etag).send(Readable.from(r.body));
    return sendScim(reply, 200, r.resource, r.etag);
  });
  app.put(`${endpoint}/:id`, async (req: IdReq, reply: FastifyReply) => {
    req.scimActivity.successStatus = 200;
    const r = await h.replace(req.scim, req.params.id, req.body, ifMatch(req));
    return sendScim(reply, 200, shaped(req, r.resource!), r.etag);
  });
  app.patch(`${endpoint}/:id`, async (req: IdReq, reply: FastifyReply) => {
    const projection = projectionOf(h.rt, req.query);
    // Group PATCH answers 204 unless the client asked for attributes (see groups.patchGroup).
    req.scimActivity.successStatus = h.rt.name === 'Group' && !projection ? 204 : 200;
    const r = await h.patch(req.scim, req.params.id, req.body, ifMatch(req), projection);
    if (!r?.resource) return reply.code(204).header('ETag', r?.etag).send();
    return sendScim(reply, 200, r.resource, r.etag);
  });
  app.delete(`${endpoint}/:id`, async (req: IdReq, reply: FastifyReply) => {
    req.scimActivity.successStatus = 204;
    await h.remove(req.scim, req.params.id, ifMatch(req));
    return reply.code(204).send();
  });
}

/**
 * Root search (RFC 7644 §3.4.3): the filter runs over Users, then Groups (when
 * group sync is on); one page is cut from the concatenation. A filter naming an
 * attribute only one resource type has (`userName`) matches nothing of the
 * other type instead of failing the whole search; a filter no type knows still
 * answers 400 invalidFilter.
 */
async function rootSearch(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = searchParams(req.body);
  const { startIndex, count } = parsePaging(params, req.scim.maxPageSize);
  const handlers: ResourceHandlers[] = [];
  const totals: number[] = [];
  let refusal: unknown;
  for (const h of req.scim.principal.syncGroups ? [userHandlers, groupHandlers] : [userHandlers]) {
    try {
      totals.push(((await h.list(req.scim, { ...params, count: 0, startIndex: 1 })) as { totalResults: number }).totalResults);
      handlers.push(h);
    } catch (err) {
      if (!(err instanceof ScimError && err.scimType === 'invalidFilter' && err.detail.startsWith('Unknown attribute'))) throw err;
      refusal = err;
    }
  }
  if (!handlers.length) throw refusal;
  const resources: unknown[] = [];
  let offset = startIndex - 1;
  for (const [i, h] of handlers.entries()) {
    const need = count - resources.length;
    if (need <= 0) break;
    if (offset >= totals[i]!) {
      offset -= totals[i]!;
      continue;
    }
    const page = (await h.list(req.scim, { ...params, startIndex: offset + 1, count: need })) as { Resources: unknown[] };
    resources.push(...page.Resources);
    offset = 0;
  }
  return sendScim(reply, 200, listResponse(resources, totals.reduce((a, b) => a + b, 0), startIndex));
}

/** Registers the resource routes on the SCIM plugin. */
export function registerResourceRoutes(app: FastifyInstance): void {
  register(app, '/Users', userHandlers);
  // The group-sync switch guards the Groups routes themselves, not a URL pattern,
  // so every spelling that reaches them (routes match case-insensitively) is covered.
  app.register(async (groupsScope) => {
    groupsScope.addHook('onRequest', async (req) => {
      if (!req.scim.principal.syncGroups) {
        throw new ScimError(403, undefined, 'Group sync is off for this organisation; an org admin can turn on "Sync groups" in the SCIM Provisioning settings');
      }
    });
    register(groupsScope, '/Groups', groupHandlers);
  });
  app.post('/.search', rootSearch);
}
