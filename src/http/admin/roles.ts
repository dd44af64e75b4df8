/**
 * App roles and role mappings of an org (docs/admin-api.md "Roles and role mappings"):
 *
 * - `GET|POST /orgs/{slug}/roles`, `PATCH /orgs/{slug}/roles/{name}` (rename everywhere)
 * - `GET|PUT /orgs/{slug}/role-mappings` (the whole list, a contract), and per item
 *   `POST /orgs/{slug}/role-mappings`, `PATCH|DELETE /orgs/{slug}/role-mappings/{id}`
 *
 * Logic lives in src/tenants/roles.ts and role-mappings.ts; every change is
 * recorded there as an admin action with the caller as actor.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createRoleMapping,
  deleteRoleMapping,
  InvalidMappingError,
  listRoleMappings,
  MappingCollisionError,
  MappingNotFoundError,
  replaceRoleMappings,
  updateRoleMapping,
} from '../../tenants/role-mappings.js';
import { createRole, InvalidRoleNameError, listRoles, renameRole, RoleExistsError, RoleNotFoundError, UnknownRoleError, type OrgRole } from '../../tenants/roles.js';
import { AdminError } from '../errors.js';
import type { AdminOptions } from './plugin.js';
import { actorOf, orgFor, slugParams } from './principal.js';


const roleJson = z
  .object({
    name: z.string(),
    isDefault: z.boolean().describe("True for the org's SCIM default role"),
    mappingCount: z.number().int().describe('Role mappings that point at this role'),
    memberCount: z.number().int().describe('Members that have this role'),
    createdAt: z.string(),
  })
  .meta({ id: 'Role' });
const roleBody = z.object({ name: z.string().min(1).max(200) }).strict().meta({ id: 'RoleName' });
const renameJson = z
  .object({ role: roleJson, from: z.string(), mappingsUpdated: z.number().int(), membersUpdated: z.number().int(), defaultRoleUpdated: z.boolean() })
  .meta({ id: 'RoleRename' });

const idpRoleValue = z.string().min(1).max(200).describe('Stored trimmed and lower-cased');
const roleRef = z.string().trim().min(1).max(100).describe("One of the org's roles (any letter case)");
const mappingBody = z.object({ idpRoleValue, role: roleRef }).strict();
const mappingsBody = z.array(mappingBody).max(1000);
const mappingPatch = z.object({ idpRoleValue: idpRoleValue.optional(), role: roleRef.optional() }).strict();
const mappingJson = z
  .object({
    id: z.string(),
    idpRoleValue: z.string(),
    normalizedValue: z.string().describe('What resolution compares with the trimmed, lower-cased received value (the same as idpRoleValue)'),
    role: z.string(),
  })
  .meta({ id: 'RoleMapping' });

const roleOut = (r: OrgRole): z.infer<typeof roleJson> => ({ ...r, createdAt: r.createdAt.toISOString() });

/** Maps the tenants' errors to admin API errors. */
function asAdminError(err: unknown): unknown {
  if (err instanceof UnknownRoleError || err instanceof InvalidRoleNameError || err instanceof InvalidMappingError) return new AdminError(400, err.message);
  if (err instanceof RoleNotFoundError || err instanceof MappingNotFoundError) return new AdminError(404, err.message);
  if (err instanceof RoleExistsError || err instanceof MappingCollisionError) return new AdminError(409, err.message);
  return err;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asAdminError(err);
  }
}

/** Registers the role and role-mapping routes. */
export function registerRoleRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;

  app.get('/orgs/:slug/roles', { schema: { tags: ['roles'], summary: "The org's app roles, oldest first", params: slugParams, response: { 200: z.array(roleJson) } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    return (await listRoles(db, o.id)).map(roleOut);
  });

  app.post('/orgs/:slug/roles', { schema: { tags: ['roles'], summary: 'Add an app role; 409 when the name exists in any letter case', params: slugParams, body: roleBody, response: { 201: roleJson } } }, async (req, reply) => {
    const o = await orgFor(db, req, req.params.slug);
    const role = await mapped(() => createRole(db, o.id, req.body.name, actorOf(req)));
    return reply.code(201).send(roleOut(role));
  });

  app.patch(
    '/orgs/:slug/roles/:name',
    { schema: { tags: ['roles'], summary: 'Rename a role everywhere: mappings, default role, members', params: slugParams.extend({ name: z.string() }), body: roleBody, response: { 200: renameJson } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const r = await mapped(() => renameRole(db, o.id, req.params.name, req.body.name, actorOf(req)));
      return { ...r, role: roleOut(r.role) };
    },
  );

  app.get('/orgs/:slug/role-mappings', { schema: { tags: ['roles'], summary: 'Role mappings, by IdP value', params: slugParams, response: { 200: z.array(mappingJson) } } }, async (req) =>
    listRoleMappings(db, (await orgFor(db, req, req.params.slug)).id),
  );

  app.put('/orgs/:slug/role-mappings', { schema: { tags: ['roles'], summary: 'Replace all role mappings (ids of unchanged IdP values are kept)', params: slugParams, body: mappingsBody, response: { 200: z.array(mappingJson) } } }, async (req) => {
    const o = await orgFor(db, req, req.params.slug);
    return mapped(() => replaceRoleMappings(db, o.id, req.body, actorOf(req)));
  });

  app.post('/orgs/:slug/role-mappings', { schema: { tags: ['roles'], summary: 'Add a role mapping; 409 when it collides after normalisation', params: slugParams, body: mappingBody, response: { 201: mappingJson } } }, async (req, reply) => {
    const o = await orgFor(db, req, req.params.slug);
    return reply.code(201).send(await mapped(() => createRoleMapping(db, o.id, req.body, actorOf(req))));
  });

  app.patch(
    '/orgs/:slug/role-mappings/:id',
    { schema: { tags: ['roles'], summary: "Change a mapping's IdP value and/or role", params: slugParams.extend({ id: z.string() }), body: mappingPatch, response: { 200: mappingJson } } },
    async (req) => {
      const o = await orgFor(db, req, req.params.slug);
      const change = { ...(req.body.idpRoleValue !== undefined ? { idpRoleValue: req.body.idpRoleValue } : {}), ...(req.body.role !== undefined ? { role: req.body.role } : {}) };
      return mapped(() => updateRoleMapping(db, o.id, req.params.id, change, actorOf(req)));
    },
  );

  app.delete('/orgs/:slug/role-mappings/:id', { schema: { tags: ['roles'], summary: 'Delete a mapping', params: slugParams.extend({ id: z.string() }) } }, async (req, reply) => {
    const o = await orgFor(db, req, req.params.slug);
    await mapped(() => deleteRoleMapping(db, o.id, req.params.id, actorOf(req)));
    return reply.code(204).send();
  });
}
