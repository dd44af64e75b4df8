/**
 * User use cases (RFC 7644 §3.3 create, §3.4 read/list, §3.5.1 replace,
 * §3.5.2 modify, §3.6 delete), scoped to one org. Every write is one
 * transaction; `userName` uniqueness (case-insensitive, per org) is enforced by a
 * unique index, so concurrent creates cannot both succeed.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { nowMs, type Database, type ScimUsersTable } from '../db/schema.js';
import { filterToSql } from '../db/filter-sql.js';
import { isUniqueViolation } from '../db/errors.js';
import { notFound, ScimError, uniqueness } from '../scim/errors.js';
import { listResponse } from '../scim/messages.js';
import { DEFAULT_REQUEST_LIMITS } from '../scim/limits.js';
import { applyPatch, parsePatchRequest, patchedPassword } from '../scim/patch/index.js';
import { applyProjection, projectionWants, type Projection } from '../scim/projection.js';
import { jsonEqual, normalizeResource, type ScimDocument } from '../scim/schemas/validate.js';
import { orderDocument } from '../scim/schemas/order.js';
import { ENTERPRISE_USER_SCHEMA, userResourceType } from '../scim/schemas/resource-types.js';
import { normalizeRoleValue } from '../tenants/role-mappings.js';
import { isUuid } from '../db/ids.js';
import { groupsColumn } from './memberships.js';
import { fetchPage } from './list-page.js';
import { diffDocuments, userUpdateOperation } from '../activity/diff.js';
import { etagOf, keepExternalId, requireIndexable, requireSameId, requireVersion, writeTransaction, type ScimContext } from './context.js';
import { orderTerm, parseListQuery, type ListParams } from './list-query.js';
import { hashPassword } from './password.js';
import type { TokenState } from '../tenants/tokens.js';
import { resolveRole, type ResolvedRole } from './role-resolution.js';

type UserRow = Selectable<ScimUsersTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** A user as answered to a SCIM client, plus its ETag. */
export interface UserResult {
  resource: Record<string, unknown>;
  etag: string;
}

interface GroupRef {
  value: string;
  display: string;
}

/** Columns extracted from the document for indexes, filters and sorting. */
function extract(doc: ScimDocument) {
  const emails = Array.isArray(doc.emails) ? (doc.emails as Record<string, unknown>[]) : [];
  const primary = emails.find((e) => e.primary === true) ?? emails[0];
  const email = typeof primary?.value === 'string' ? primary.value : null;
  requireIndexable({ userName: doc.userName as string, externalId: typeof doc.externalId === 'string' ? doc.externalId : null, displayName: typeof doc.displayName === 'string' ? doc.displayName : null, 'emails.value': email });
  return {
    user_name: doc.userName as string,
    external_id: typeof doc.externalId === 'string' ? doc.externalId : null,
    active: doc.active !== false,
    display_name: typeof doc.displayName === 'string' ? doc.displayName : null,
    email,
  };
}

/**
 * Resolves the app role of `roles`. @param defaultRole the org's default role
 * when the caller already read it (loadForWrite does), else it is read here.
 */
async function roleFor(db: Db, orgId: string, roles: unknown, defaultRole?: string | null): Promise<ResolvedRole> {
  const [mappings, fallback] = await Promise.all([
    Array.isArray(roles) && roles.length
      ? db.selectFrom('role_mappings').select(['idp_role_value', 'role']).where('org_id', '=', orgId).execute()
      : Promise.resolve([]),
    defaultRole !== undefined
      ? defaultRole
      : db
          .selectFrom('scim_provisioning_configs')
          .select('default_role')
          .where('org_id', '=', orgId)
          .executeTakeFirst()
          .then((c) => c?.default_role ?? null),
  ]);
  return resolveRole(roles, new Map(mappings.map((m) => [normalizeRoleValue(m.idp_role_value), m.role])), fallback);
}

/** Renders a stored row as a SCIM User (RFC 7643 §4.1, meta per §3.1). */
function render(ctx: ScimContext, row: UserRow, groups: GroupRef[] | undefined): Record<string, unknown> {
  const { schemas, externalId, ...rest } = orderDocument(userResourceType, row.doc as ScimDocument);
  const enterprise = rest[ENTERPRISE_USER_SCHEMA] as { manager?: { value?: unknown } } | undefined;
  if (enterprise?.manager && typeof enterprise.manager.value === 'string') {
    // RFC 7643 §4.3: manager.$ref is the manager's URI; derived, so it follows a base URL change.
    rest[ENTERPRISE_USER_SCHEMA] = { ...enterprise, manager: { ...enterprise.manager, $ref: `${ctx.baseUrl}/Users/${enterprise.manager.value}` } };
  }
  return {
    schemas,
    id: row.id,
    ...(externalId !== undefined ? { externalId } : {}),
    ...rest,
    ...(groups && groups.length ? { groups: groups.map((g) => ({ value: g.value, $ref: `${ctx.baseUrl}/Groups/${g.value}`, display: g.display, type: 'direct' })) } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${ctx.baseUrl}/Users/${row.id}`,
      version: etagOf(row.version),
    },
  };
}

async function loadRow(db: Db, orgId: string, id: string, forUpdate = false): Promise<UserRow> {
  if (!isUuid(id)) throw notFound(`User ${id} not found`);
  let q = db.selectFrom('scim_users').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(`User ${id} not found`);
  return row;
}

/** A user row locked for a write, with what the write and its answer need besides (one statement). */
type LockedUser = UserRow & { scimd_groups: GroupRef[] | null; scimd_default_role: string | null };

/**
 * Locks a user row for a write (FOR UPDATE) and reads, in the same statement,
 * its groups (a user write never changes them, and the answer shows them) and
 * the org's default role (role resolution needs it).
 * @throws ScimError 404 for an unknown id or another org's id.
 */
async function loadForWrite(trx: Transaction<Database>, orgId: string, id: string): Promise<LockedUser> {
  if (!isUuid(id)) throw notFound(`User ${id} not found`);
  const row = await trx
    .selectFrom('scim_users as u')
    .selectAll('u')
    .select(groupsColumn('u').as('scimd_groups'))
    .select(sql<string | null>`(select c.default_role from scim_provisioning_configs c where c.org_id = u.org_id)`.as('scimd_default_role'))
    .where('u.org_id', '=', orgId)
    .where('u.id', '=', id)
    .forUpdate('u')
    .executeTakeFirst();
  if (!row) throw notFound(`User ${id} not found`);
  return row as LockedUser;
}

/** The answer to a write of `row`, whose groups are `groups`. */
function written(ctx: ScimContext, row: UserRow, groups: GroupRef[] | null, projection?: Projection): UserResult {
  const full = render(ctx, row, groups ?? undefined);
  return { resource: projection ? applyProjection(userResourceType, projection, full) : full, etag: etagOf(row.version) };
}


function duplicate(userName: string): ScimError {
  return uniqueness(`A user with userName "${userName}" already exists in this organisation (userName is compared case-insensitively)`);
}

/**
 * Creates a user (RFC 7644 §3.3). `active` defaults to true.
 * @throws ScimError 400 invalidValue (missing userName, wrong types), 409 uniqueness.
 */
export async function createUser(ctx: ScimContext, body: unknown): Promise<UserResult> {
  const { doc, password } = normalizeResource(userResourceType, body);
  if (doc.active === undefined) doc.active = true;
  const passwordHash = password !== undefined ? await hashPassword(password) : null;
  try {
    return await writeTransaction(ctx, async (trx) => {
      const role = await roleFor(trx, ctx.orgId, doc.roles);
      const row = await trx
        .insertInto('scim_users')
        .values({
          org_id: ctx.orgId,
          ...extract(doc),
          doc: JSON.stringify(doc),
          password_hash: passwordHash,
          app_role: role.role,
          app_role_source: JSON.stringify(role.source),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await ctx.recordChange?.(trx, { operation: 'create', targetType: 'User', targetId: row.id, targetName: row.user_name, diff: { changes: diffDocuments(undefined, doc) } });
      return { resource: render(ctx, row, undefined), etag: etagOf(row.version) };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(doc.userName as string);
    throw err;
  }
}

/**
 * Reads one user (RFC 7644 §3.4.1) and its groups in one statement.
 * @throws ScimError 404 for an unknown id or another org's id.
 */
export async function getUser(ctx: ScimContext, id: string, projection?: Projection): Promise<UserResult> {
  if (!isUuid(id)) throw notFound(`User ${id} not found`);
  const wantGroups = !projection || projectionWants(userResourceType, projection, 'groups');
  let q = ctx.db.selectFrom('scim_users as u').selectAll('u').where('u.org_id', '=', ctx.orgId).where('u.id', '=', id);
  if (wantGroups) q = q.select(groupsColumn('u').as('scimd_groups'));
  if (ctx.tokenCheck) q = q.select(ctx.tokenCheck.column().as('scimd_token'));
  const row = (await q.executeTakeFirst()) as (UserRow & { scimd_groups?: GroupRef[] | null; scimd_token?: TokenState | null }) | undefined;
  if (!row) throw notFound(`User ${id} not found`);
  ctx.tokenCheck?.settle(row.scimd_token);
  delete row.scimd_token;
  const full = render(ctx, row, row.scimd_groups ?? undefined);
  return { resource: projection ? applyProjection(userResourceType, projection, full) : full, etag: etagOf(row.version) };
}

/**
 * Lists users (RFC 7644 §3.4.2): filter, sort and page in SQL; `groups` of the
 * page's users in one extra query, skipped when the projection drops them.
 * @throws ScimError 400 invalidFilter / invalidValue.
 */
export async function listUsers(ctx: ScimContext, params: ListParams): Promise<Record<string, unknown>> {
  const q = parseListQuery(userResourceType, params, ctx.maxPageSize, ctx.limits?.filter);
  const wantGroups = projectionWants(userResourceType, q.projection, 'groups');
  const { rows, totalResults } = await fetchPage<UserRow & { scimd_groups?: GroupRef[] | null }>({
    db: ctx.db,
    orgId: ctx.orgId,
    resourceType: 'User',
    alias: 'u',
    where: q.filter ? filterToSql(q.filter, { rt: userResourceType, alias: 'u' }) : undefined,
    order: orderTerm(userResourceType, q, 'u'),
    startIndex: q.startIndex,
    count: q.count,
    columns: wantGroups ? [sql`${groupsColumn('u')} as scimd_groups`] : [],
    tokenCheck: ctx.tokenCheck,
  });
  const resources = rows.map((r) => applyProjection(userResourceType, q.projection, render(ctx, r, r.scimd_groups ?? undefined)));
  return listResponse(resources, totalResults, q.startIndex);
}

async function writeRow(trx: Transaction<Database>, ctx: ScimContext, before: LockedUser, doc: ScimDocument, passwordHash: string | null | undefined): Promise<UserRow> {
  // Roles are re-resolved only when the record changes (PRODUCT.md), and a manual
  // admin choice survives updates that do not touch `roles`.
  const rolesChanged = !jsonEqual(before.doc.roles ?? null, doc.roles ?? null);
  const keepManual = before.app_role_source?.kind === 'manual' && !rolesChanged;
  const role = keepManual ? { role: before.app_role, source: before.app_role_source! } : await roleFor(trx, ctx.orgId, doc.roles, before.scimd_default_role);
  let row: UserRow;
  try {
    row = await trx
      .updateTable('scim_users')
      .set({
        ...extract(doc),
        doc: JSON.stringify(doc),
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
        app_role: role.role,
        app_role_source: JSON.stringify(role.source),
        version: sql`version + 1`,
        updated_at: nowMs(),
      })
      .where('org_id', '=', ctx.orgId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(doc.userName as string);
    throw err;
  }
  const changes = diffDocuments(before.doc as ScimDocument, doc) ?? [];
  // The fact, never the value: a password is only ever stored hashed.
  if (passwordHash) changes.push({ path: 'password', before: null, after: '[changed]' });
  await ctx.recordChange?.(trx, { operation: userUpdateOperation(before.doc as ScimDocument, doc), targetType: 'User', targetId: row.id, targetName: row.user_name, diff: { changes } });
  return row;
}

/**
 * Replaces a user (RFC 7644 §3.5.1). `active` absent keeps the stored state (a
 * PUT that omits it must not silently reactivate a deactivated member).
 * @throws ScimError 404, 400, 409 uniqueness, 412 on a stale If-Match.
 */
export async function replaceUser(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<UserResult> {
  const { doc, password } = normalizeResource(userResourceType, body);
  requireSameId(body, id);
  const passwordHash = password !== undefined ? await hashPassword(password) : undefined;
  return writeTransaction(ctx, async (trx) => {
    const before = await loadForWrite(trx, ctx.orgId, id);
    requireVersion('User', before.id, before.version, ifMatch);
    if (doc.active === undefined) doc.active = before.active;
    keepExternalId(doc, before.doc as ScimDocument);
    const row = await writeRow(trx, ctx, before, doc, passwordHash);
    return written(ctx, row, before.scimd_groups);
  });
}

/**
 * Modifies a user with PatchOp (RFC 7644 §3.5.2); all operations or none.
 * As for PUT, an operation that leaves `active` unassigned (`remove`, or
 * `replace` with null, which §3.5.2.3 treats as a removal) keeps the stored
 * state: a missing `active` reads as active to the app, so honouring it would
 * reactivate a deactivated member.
 * @throws ScimError 404, 400 (invalidSyntax, invalidPath, invalidValue, noTarget), 409, 412.
 */
export async function patchUser(ctx: ScimContext, id: string, body: unknown, ifMatch?: string, projection?: Projection): Promise<UserResult> {
  const ops = parsePatchRequest(body, (ctx.limits ?? DEFAULT_REQUEST_LIMITS).maxPatchOperations);
  return writeTransaction(ctx, async (trx) => {
    const before = await loadForWrite(trx, ctx.orgId, id);
    requireVersion('User', before.id, before.version, ifMatch);
    const doc = applyPatch(userResourceType, before.doc as ScimDocument, ops);
    if (doc.active === undefined) doc.active = before.active;
    const password = patchedPassword(userResourceType, ops);
    const passwordHash = password !== undefined ? await hashPassword(password) : undefined;
    if (jsonEqual(doc, before.doc) && passwordHash === undefined) return written(ctx, before, before.scimd_groups, projection);
    const row = await writeRow(trx, ctx, before, doc, passwordHash);
    return written(ctx, row, before.scimd_groups, projection);
  });
}

/**
 * Deletes a user and its memberships (RFC 7644 §3.6).
 * @throws ScimError 404, 412.
 */
export async function deleteUser(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  await writeTransaction(ctx, async (trx) => {
    const before = await loadRow(trx, ctx.orgId, id, true);
    requireVersion('User', before.id, before.version, ifMatch);
    // Memberships cascade with the row; touch the groups so their versions move.
    await trx
      .updateTable('scim_groups')
      .set({ version: sql`version + 1`, updated_at: nowMs() })
      .where('org_id', '=', ctx.orgId)
      .where('id', 'in', trx.selectFrom('scim_group_members').select('group_id').where('user_id', '=', id))
      .execute();
    await trx.deleteFrom('scim_users').where('org_id', '=', ctx.orgId).where('id', '=', id).execute();
    await ctx.recordChange?.(trx, { operation: 'delete', targetType: 'User', targetId: before.id, targetName: before.user_name });
  });
}
