/**
 * Group use cases (RFC 7644 §3.3–§3.6) scoped to one org. Memberships live in
 * `scim_group_members`; a PATCH that adds or removes members costs O(changed
 * members), never O(group size), and `excludedAttributes=members` never reads
 * the membership table. Members are users of the same org; an unknown id is
 * refused with 400 naming it. Deleting a group keeps its users.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import { nowMs, type Database, type ScimGroupsTable } from '../db/schema.js';
import { filterToSql } from '../db/filter-sql.js';
import { invalidValue, notFound } from '../scim/errors.js';
import { listResponse } from '../scim/messages.js';
import { DEFAULT_REQUEST_LIMITS, requireMemberCount } from '../scim/limits.js';
import { applyPatch, parsePatchRequest, splitGroupPatch, type MemberChange } from '../scim/patch/index.js';
import { applyProjection, projectionWants, type Projection } from '../scim/projection.js';
import { jsonEqual, normalizeResource, type ScimDocument } from '../scim/schemas/validate.js';
import { orderDocument } from '../scim/schemas/order.js';
import { groupResourceType } from '../scim/schemas/resource-types.js';
import { isUuid } from '../db/ids.js';
import { diffDocuments, groupUpdateOperation, membershipDiff } from '../activity/diff.js';
import { etagOf, keepExternalId, requireIndexable, requireSameId, requireVersion, writeTransaction, type ScimContext } from './context.js';
import { orderTerm, parseListQuery, type ListParams } from './list-query.js';
import { fetchPage } from './list-page.js';

type GroupRow = Selectable<ScimGroupsTable>;
type Db = ScimContext['db'] | Transaction<Database>;

export interface GroupResult {
  resource: Record<string, unknown>;
  etag: string;
  /**
   * Set instead of sending `resource` when the group is too big to hold in
   * memory: the whole JSON document in pieces (`resource` then lacks members).
   */
  body?: AsyncIterable<string>;
}

/** A PATCH answer: the resource when the request asked for attributes (200), else only the ETag (204). */
export interface GroupPatchResult {
  resource?: Record<string, unknown>;
  etag: string;
}

interface MemberRef {
  value: string;
  display: string;
}

function extract(doc: ScimDocument) {
  requireIndexable({ displayName: doc.displayName as string, externalId: typeof doc.externalId === 'string' ? doc.externalId : null });
  return {
    display_name: doc.displayName as string,
    external_id: typeof doc.externalId === 'string' ? doc.externalId : null,
  };
}

/** One `members` value (RFC 7643 §4.2). */
const memberValue = (ctx: ScimContext, m: MemberRef) => ({ value: m.value, $ref: `${ctx.baseUrl}/Users/${m.value}`, display: m.display, type: 'User' });

/** Renders a stored group (RFC 7643 §4.2); `members` only when loaded. */
function render(ctx: ScimContext, row: GroupRow, members: MemberRef[] | undefined): Record<string, unknown> {
  const { schemas, externalId, ...rest } = orderDocument(groupResourceType, row.doc as ScimDocument);
  return {
    schemas,
    id: row.id,
    ...(externalId !== undefined ? { externalId } : {}),
    ...rest,
    ...(members ? { members: members.map((m) => memberValue(ctx, m)) } : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${ctx.baseUrl}/Groups/${row.id}`,
      version: etagOf(row.version),
    },
  };
}

/** Members of several groups in one query, in membership order. */
async function membersOf(db: Db, orgId: string, groupIds: string[]): Promise<Map<string, MemberRef[]>> {
  const out = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
  if (!groupIds.length) return out;
  const rows = await db
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_users as u', 'u.id', 'm.user_id')
    .select(['m.group_id', 'u.id', 'u.user_name', 'u.display_name'])
    .where('m.org_id', '=', orgId)
    .where('m.group_id', 'in', groupIds)
    .orderBy('m.created_at')
    .orderBy('m.user_id')
    .execute();
  for (const r of rows) out.get(r.group_id)!.push({ value: r.id, display: r.display_name ?? r.user_name });
  return out;
}

async function loadRow(db: Db, orgId: string, id: string, forUpdate = false): Promise<GroupRow> {
  if (!isUuid(id)) throw notFound(`Group ${id} not found`);
  let q = db.selectFrom('scim_groups').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(`Group ${id} not found`);
  return row;
}

async function result(ctx: ScimContext, db: Db, row: GroupRow, projection?: Projection): Promise<GroupResult> {
  const wantMembers = !projection || projectionWants(groupResourceType, projection, 'members');
  const members = wantMembers ? (await membersOf(db, ctx.orgId, [row.id])).get(row.id) : undefined;
  const full = render(ctx, row, members);
  return { resource: projection ? applyProjection(groupResourceType, projection, full) : full, etag: etagOf(row.version) };
}

/**
 * Checks that every id names a user of this org.
 * @throws ScimError 400 invalidValue naming the first unknown ids.
 */
async function requireUsers(db: Db, orgId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const malformed = unique.filter((id) => !isUuid(id));
  const candidates = unique.filter(isUuid).map((id) => id.toLowerCase());
  const found = candidates.length
    ? // FOR KEY SHARE: a concurrent DELETE of one of these users waits for this transaction, so the membership insert cannot hit a vanished user.
      new Set((await db.selectFrom('scim_users').select('id').where('org_id', '=', orgId).where('id', 'in', candidates).forKeyShare().execute()).map((r) => r.id))
    : new Set<string>();
  const unknown = [...malformed, ...candidates.filter((id) => !found.has(id))];
  if (unknown.length) {
    const shown = unknown.slice(0, 5).map((id) => `"${id}"`).join(', ');
    throw invalidValue(`members: no user with id ${shown}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''} in this organisation`);
  }
  return candidates;
}

/**
 * Adds members in one statement that also proves they are users of this org:
 * the INSERT takes only ids found in `scim_users`, so the common case (every id
 * known) needs no separate check and locks nothing beyond what the foreign key
 * takes. Only when fewer rows went in than ids came (re-added members, unknown
 * ids) does a second query tell the two apart.
 * @returns the ids that became members (already-members are a no-op: Entra re-sends them).
 * @throws ScimError 400 invalidValue naming unknown or malformed ids.
 */
async function addMembers(trx: Transaction<Database>, orgId: string, groupId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids.map((id) => (isUuid(id) ? id.toLowerCase() : id)))];
  if (unique.some((id) => !isUuid(id))) await requireUsers(trx, orgId, unique);
  if (!unique.length) return [];
  const added = await trx
    .insertInto('scim_group_members')
    .columns(['org_id', 'group_id', 'user_id'])
    .expression(
      trx
        .selectFrom('scim_users as u')
        .select([sql<string>`${orgId}::uuid`.as('org_id'), sql<string>`${groupId}::uuid`.as('group_id'), 'u.id'])
        .where('u.org_id', '=', orgId)
        .where('u.id', 'in', unique),
    )
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  if (added.length < unique.length) await requireUsers(trx, orgId, unique);
  await touchUsers(trx, orgId, added.map((r) => r.user_id));
  return added.map((r) => r.user_id);
}

/**
 * A user's `groups` attribute is part of its representation, so a membership
 * change moves the user's version and lastModified too (RFC 7644 §3.14: the ETag
 * changes whenever the resource does). Only users whose membership really
 * changed are touched: O(changed members).
 */
async function touchUsers(trx: Transaction<Database>, orgId: string, userIds: string[]): Promise<void> {
  if (!userIds.length) return;
  await trx.updateTable('scim_users').set({ version: sql`version + 1`, updated_at: nowMs() }).where('org_id', '=', orgId).where('id', 'in', userIds).execute();
}

async function removeMembers(trx: Transaction<Database>, orgId: string, groupId: string, ids: string[]): Promise<string[]> {
  // Removing a non-member, or an id that names nothing, is a successful no-op (retries are normal).
  const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
  if (!valid.length) return [];
  const removed = await trx
    .deleteFrom('scim_group_members')
    .where('org_id', '=', orgId)
    .where('group_id', '=', groupId)
    .where('user_id', 'in', valid)
    .returning('user_id')
    .execute();
  await touchUsers(trx, orgId, removed.map((r) => r.user_id));
  return removed.map((r) => r.user_id);
}

async function removeAllMembers(trx: Transaction<Database>, orgId: string, groupId: string): Promise<string[]> {
  const removed = await trx.deleteFrom('scim_group_members').where('org_id', '=', orgId).where('group_id', '=', groupId).returning('user_id').execute();
  await touchUsers(trx, orgId, removed.map((r) => r.user_id));
  return removed.map((r) => r.user_id);
}

/** Member ids a request added and removed, for the activity log. */
interface MembershipDelta {
  added: string[];
  removed: string[];
}

async function applyMemberChanges(trx: Transaction<Database>, orgId: string, groupId: string, changes: MemberChange[]): Promise<MembershipDelta> {
  const delta: MembershipDelta = { added: [], removed: [] };
  for (const c of changes) {
    if (c.kind === 'add') delta.added.push(...(await addMembers(trx, orgId, groupId, c.values)));
    else if (c.kind === 'remove') delta.removed.push(...(await removeMembers(trx, orgId, groupId, c.values)));
    else if (c.kind === 'removeAll') delta.removed.push(...(await removeAllMembers(trx, orgId, groupId)));
    else {
      // Replace = the difference both ways, so unchanged members are not touched.
      const wanted = new Set(await requireUsers(trx, orgId, c.values));
      const current = await trx.selectFrom('scim_group_members').select('user_id').where('org_id', '=', orgId).where('group_id', '=', groupId).execute();
      delta.removed.push(...(await removeMembers(trx, orgId, groupId, current.map((r) => r.user_id).filter((id) => !wanted.has(id)))));
      const have = new Set(current.map((r) => r.user_id));
      delta.added.push(...(await addMembers(trx, orgId, groupId, [...wanted].filter((id) => !have.has(id)))));
    }
  }
  return delta;
}

const memberIds = (members: { value: string }[] | undefined) => (members ?? []).map((m) => m.value);

/** The `members` of a POST/PUT body, refused beyond the per-request limit (docs/scim.md "Limits"). */
function boundedMemberIds(ctx: ScimContext, members: { value: string }[] | undefined): string[] {
  requireMemberCount(members?.length ?? 0, (ctx.limits ?? DEFAULT_REQUEST_LIMITS).maxMembersPerRequest, 'in "members"');
  return memberIds(members);
}

/**
 * Creates a group with its members (RFC 7644 §3.3).
 * @throws ScimError 400 invalidValue (missing displayName, unknown member ids, more members than ctx.limits allow).
 */
export async function createGroup(ctx: ScimContext, body: unknown): Promise<GroupResult> {
  const { doc, members } = normalizeResource(groupResourceType, body);
  const ids = boundedMemberIds(ctx, members);
  return writeTransaction(ctx, async (trx) => {
    const row = await trx
      .insertInto('scim_groups')
      .values({ org_id: ctx.orgId, ...extract(doc), doc: JSON.stringify(doc) })
      .returningAll()
      .executeTakeFirstOrThrow();
    const added = await addMembers(trx, ctx.orgId, row.id, ids);
    await ctx.recordChange?.(trx, { operation: 'create', targetType: 'Group', targetId: row.id, targetName: row.display_name, diff: { changes: diffDocuments(undefined, doc), ...membershipDiff(added, []) } });
    return result(ctx, trx, row);
  });
}

/** Members read per statement when a group's members are streamed. */
export const MEMBER_CHUNK = 1000;

/** One chunk of a group's members after `after` (the last one's exact `created_at` text and id), in membership order. */
async function memberChunk(db: Db, orgId: string, groupId: string, after: { at: string; id: string } | undefined, limit: number) {
  let q = db
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.user_name', 'u.display_name', sql<string>`m.created_at::text`.as('at')])
    .where('m.org_id', '=', orgId)
    .where('m.group_id', '=', groupId);
  // The timestamp travels as text: a JS Date would drop its microseconds and repeat or skip members.
  if (after) q = q.where(sql<boolean>`(m.created_at, m.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('m.created_at').orderBy('m.user_id').limit(limit).execute();
}

/**
 * Reads one group (RFC 7644 §3.4.1). A group with more than MEMBER_CHUNK
 * members is answered as a stream (`body`): its members are read a chunk at a
 * time over the membership index as the client takes them, so a group of
 * 100,000 members costs a chunk of memory, not the group. A streamed answer is
 * not one snapshot: a member added or removed meanwhile may or may not appear,
 * and none appears twice. An answer shaped by `attributes` or
 * `excludedAttributes` is built whole.
 * @throws ScimError 404.
 */
export async function getGroup(ctx: ScimContext, id: string, projection?: Projection): Promise<GroupResult> {
  const row = await loadRow(ctx.db, ctx.orgId, id);
  if (projection) return result(ctx, ctx.db, row, projection);
  const first = await memberChunk(ctx.db, ctx.orgId, row.id, undefined, MEMBER_CHUNK + 1);
  const ref = (m: (typeof first)[number]): MemberRef => ({ value: m.id, display: m.display_name ?? m.user_name });
  if (first.length <= MEMBER_CHUNK) return { resource: render(ctx, row, first.map(ref)), etag: etagOf(row.version) };
  const { meta, ...head } = render(ctx, row, undefined);
  const member = (m: (typeof first)[number]) => JSON.stringify(memberValue(ctx, ref(m)));
  async function* body(): AsyncGenerator<string> {
    yield `${JSON.stringify(head).slice(0, -1)},"members":[`;
    let chunk = first;
    let separator = '';
    while (chunk.length) {
      yield separator + chunk.map(member).join(',');
      separator = ',';
      const last = chunk[chunk.length - 1]!;
      chunk = await memberChunk(ctx.db, ctx.orgId, row.id, { at: last.at, id: last.id }, MEMBER_CHUNK);
    }
    yield `],"meta":${JSON.stringify(meta)}}`;
  }
  return { resource: head, etag: etagOf(row.version), body: body() };
}

/** Lists groups (RFC 7644 §3.4.2); members of the page in one extra query unless excluded. */
export async function listGroups(ctx: ScimContext, params: ListParams): Promise<Record<string, unknown>> {
  const q = parseListQuery(groupResourceType, params, ctx.maxPageSize, ctx.limits?.filter);
  const { rows, totalResults } = await fetchPage<GroupRow>({
    db: ctx.db,
    orgId: ctx.orgId,
    resourceType: 'Group',
    alias: 'g',
    where: q.filter ? filterToSql(q.filter, { rt: groupResourceType, alias: 'g' }) : undefined,
    order: orderTerm(groupResourceType, q, 'g'),
    startIndex: q.startIndex,
    count: q.count,
  });
  const members = projectionWants(groupResourceType, q.projection, 'members') ? await membersOf(ctx.db, ctx.orgId, rows.map((r) => r.id)) : undefined;
  const resources = rows.map((r) => applyProjection(groupResourceType, q.projection, render(ctx, r, members?.get(r.id))));
  return listResponse(resources, totalResults, q.startIndex);
}

/**
 * Moves a group's version and lastModified (and stores `doc` when given).
 * @throws ScimError 404 when the group is gone.
 */
async function touch(trx: Transaction<Database>, orgId: string, id: string, doc?: ScimDocument): Promise<GroupRow> {
  const row = await trx
    .updateTable('scim_groups')
    .set({ ...(doc ? { ...extract(doc), doc: JSON.stringify(doc) } : {}), version: sql`version + 1`, updated_at: nowMs() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound(`Group ${id} not found`);
  return row;
}

/** Replaces a group and its whole member list (RFC 7644 §3.5.1). @throws ScimError 404, 400 (also more members than ctx.limits allow), 412. */
export async function replaceGroup(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<GroupResult> {
  const { doc, members } = normalizeResource(groupResourceType, body);
  requireSameId(body, id);
  const ids = boundedMemberIds(ctx, members);
  return writeTransaction(ctx, async (trx) => {
    const before = await loadRow(trx, ctx.orgId, id, true);
    requireVersion('Group', before.id, before.version, ifMatch);
    keepExternalId(doc, before.doc as ScimDocument);
    const delta = await applyMemberChanges(trx, ctx.orgId, id, [{ kind: 'replace', values: ids }]);
    const row = await touch(trx, ctx.orgId, id, doc);
    await recordGroupUpdate(ctx, trx, before, doc, delta);
    return result(ctx, trx, row);
  });
}

/**
 * Modifies a group (RFC 7644 §3.5.2): member operations go to the membership
 * table in request order, the rest patch the document; all in one transaction
 * that holds the group row (FOR UPDATE) from its start, so concurrent PATCHes of
 * one group end as some serial order of them (issue 6). More operations, or more
 * member values in them, than `ctx.limits` allow are refused (400 invalidValue)
 * before anything is read.
 * @returns the resource when `projection` asks for attributes, else undefined (204).
 */
export async function patchGroup(ctx: ScimContext, id: string, body: unknown, ifMatch?: string, projection?: Projection): Promise<GroupPatchResult> {
  const limits = ctx.limits ?? DEFAULT_REQUEST_LIMITS;
  const { memberChanges, otherOps } = splitGroupPatch(parsePatchRequest(body, limits.maxPatchOperations));
  const memberValues = memberChanges.reduce((n, c) => n + (c.kind === 'removeAll' ? 0 : c.values.length), 0);
  requireMemberCount(memberValues, limits.maxMembersPerRequest, 'in its PATCH operations');
  // The group row is locked first by every membership write, adds and removes too:
  // under READ COMMITTED two PATCHes that overlapped their member statements (locking
  // the group only for the version bump) ended in a membership no serial order gives,
  // e.g. [add u, remove v] racing [add v, remove u] kept both (test/http/concurrency.test.ts).
  return writeTransaction(ctx, async (trx) => {
    const before = await loadRow(trx, ctx.orgId, id, true);
    requireVersion('Group', before.id, before.version, ifMatch);
    const doc = otherOps.length ? applyPatch(groupResourceType, before.doc as ScimDocument, otherOps) : undefined;
    const delta = await applyMemberChanges(trx, ctx.orgId, id, memberChanges);
    const changedDoc = doc && !jsonEqual(doc, before.doc) ? doc : undefined;
    const changed = changedDoc || delta.added.length || delta.removed.length;
    const row = changed ? await touch(trx, ctx.orgId, id, changedDoc) : before;
    if (changed) await recordGroupUpdate(ctx, trx, before, changedDoc ?? (before.doc as ScimDocument), delta);
    return projection && projection.mode !== 'default' ? result(ctx, trx, row, projection) : { etag: etagOf(row.version) };
  });
}

async function recordGroupUpdate(ctx: ScimContext, trx: Transaction<Database>, before: GroupRow, doc: ScimDocument, delta: MembershipDelta): Promise<void> {
  const changes = diffDocuments(before.doc as ScimDocument, doc) ?? [];
  await ctx.recordChange?.(trx, {
    operation: groupUpdateOperation(changes.length > 0, delta.added.length, delta.removed.length),
    targetType: 'Group',
    targetId: before.id,
    targetName: (doc.displayName as string) ?? before.display_name,
    diff: { ...(changes.length ? { changes } : {}), ...membershipDiff(delta.added, delta.removed) },
  });
}

/** Deletes a group and its memberships; member users stay (RFC 7644 §3.6). @throws ScimError 404, 412. */
export async function deleteGroup(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  await writeTransaction(ctx, async (trx) => {
    const before = await loadRow(trx, ctx.orgId, id, true);
    requireVersion('Group', before.id, before.version, ifMatch);
    const removed = await removeAllMembers(trx, ctx.orgId, id);
    await trx.deleteFrom('scim_groups').where('org_id', '=', ctx.orgId).where('id', '=', id).execute();
    await ctx.recordChange?.(trx, { operation: 'delete', targetType: 'Group', targetId: before.id, targetName: before.display_name, diff: membershipDiff([], removed) });
  });
}
