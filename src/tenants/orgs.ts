/**
 * Organisations (tenants). Every SCIM resource belongs to exactly one org; the
 * slug is the org's handle in admin URLs.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/errors.js';
import { createDefaultRoles } from './roles.js';

export interface Org {
  id: string;
  slug: string;
  name: string;
}

/** Slugs: lower-case letters, digits and inner hyphens, 1–63 characters (DNS-label-like, safe in URLs). */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Thrown by `createOrg` when the slug is taken. */
export class SlugTakenError extends Error {}

/**
 * Creates an org with its default app roles (admin, member, viewer), in one transaction.
 * @throws SlugTakenError when another org has the slug (unique index, race-safe).
 */
export async function createOrg(db: Kysely<Database>, slug: string, name: string): Promise<Org> {
  try {
    return await db.transaction().execute(async (trx) => {
      const org = await trx.insertInto('orgs').values({ slug, name }).returning(['id', 'slug', 'name']).executeTakeFirstOrThrow();
      await createDefaultRoles(trx, org.id);
      return org;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new SlugTakenError(`organisation slug "${slug}" is already taken`);
    throw err;
  }
}

/** Finds an org by slug, or undefined. */
export async function findOrgBySlug(db: Kysely<Database>, slug: string): Promise<Org | undefined> {
  // No org has a slug outside SLUG_PATTERN; asking the database about one (a NUL in
  // the path) surfaced its encoding error as a 400 instead of this 404's "no such org".
  if (!SLUG_PATTERN.test(slug)) return undefined;
  return db.selectFrom('orgs').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}
