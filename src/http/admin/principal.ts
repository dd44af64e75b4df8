/**
 * Who is calling the admin API, and what they may reach. The operator (bearer
 * `SCIMD_OPERATOR_TOKEN`) reaches every org; an org admin (console session)
 * reaches only their own org. Every org-scoped route resolves its `{slug}`
 * through `orgFor`, which is where that rule is enforced.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { findOrgBySlug, type Org } from '../../tenants/orgs.js';
import { AdminError } from '../errors.js';

export type AdminPrincipal =
  | { kind: 'operator' }
  | { kind: 'admin'; adminId: string; orgId: string; email: string; sessionId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal: AdminPrincipal;
  }
}

/**
 * The org named by `slug`, if the caller may reach it.
 * @throws AdminError 404 for an unknown org and for another org than an admin's own
 * (404, not 403: an admin must not learn which other slugs exist).
 */
export async function orgFor(db: Kysely<Database>, req: FastifyRequest, slug: string): Promise<Org> {
  const org = await findOrgBySlug(db, slug);
  if (!org || (req.principal.kind === 'admin' && req.principal.orgId !== org.id)) throw new AdminError(404, `No organisation "${slug}"`);
  return org;
}

/** @throws AdminError 403 unless the caller is the operator. */
export function requireOperator(req: FastifyRequest): void {
  if (req.principal.kind !== 'operator') throw new AdminError(403, 'Only the operator may do this');
}

/** A label of the caller for activity records: `operator` or the admin's email. */
export const actorOf = (req: FastifyRequest): string => (req.principal.kind === 'operator' ? 'operator' : req.principal.email);

/** The `{slug}` path parameter of every org-scoped admin route. */
export const slugParams = z.object({ slug: z.string() });
