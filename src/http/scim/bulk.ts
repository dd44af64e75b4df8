/**
 * `POST /Bulk` (RFC 7644 §3.7). Operations run in order, each in its own
 * transaction (a bulk request is not atomic, §3.7); `bulkId:<id>` references in
 * `path` or `data` resolve to resources created earlier in the same request, and
 * an operation whose reference is created later is retried after it (§3.7.2).
 * `failOnErrors` stops after that many errors (§3.7.3). `maxOperations` and
 * `maxPayloadSize` are advertised in ServiceProviderConfig and enforced (§3.7.4).
 */
import type { FastifyInstance } from 'fastify';
import { invalidSyntax, invalidValue, ScimError } from '../../scim/errors.js';
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA } from '../../scim/messages.js';
import type { ServiceLimits } from '../../scim/discovery.js';
import type { ScimContext } from '../../provisioning/context.js';
import { insertScimActivity, operationOf } from '../../activity/scim-activity.js';
import { safeError } from '../errors.js';
import { changeRecorder } from './plugin.js';
import { groupHandlers, userHandlers } from './resources.js';
import { sendScim } from './send.js';

interface BulkOperation {
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

interface BulkResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

const BULK_REF = /^bulkId:(.+)$/;

/** Replaces every `bulkId:x` string in `value` with the created id; throws `Unresolved` for a pending one. */
class Unresolved extends Error {
  constructor(readonly bulkId: string) {
    super(bulkId);
  }
}

function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    if (!m) return value;
    const id = ids.get(m[1]!);
    if (id === undefined) throw new Unresolved(m[1]!);
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
  return value;
}

function parseOperations(body: unknown, maxOperations: number): { ops: BulkOperation[]; failOnErrors: number | undefined } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('A BulkRequest body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`A BulkRequest must list the schema ${BULK_REQUEST_SCHEMA}`);
  }
  if (!Array.isArray(b.Operations)) throw invalidSyntax('A BulkRequest needs an "Operations" array');
  if (b.Operations.length > maxOperations) {
    throw new ScimError(413, undefined, `The BulkRequest has ${b.Operations.length} operations; this server accepts at most ${maxOperations} (ServiceProviderConfig bulk.maxOperations)`);
  }
  let failOnErrors: number | undefined;
  if (b.failOnErrors !== undefined) {
    if (typeof b.failOnErrors !== 'number' || !Number.isInteger(b.failOnErrors) || b.failOnErrors < 1) throw invalidValue('"failOnErrors" must be a positive integer');
    failOnErrors = b.failOnErrors;
  }
  const ops = b.Operations.map((raw, i): BulkOperation => {
    if (!raw || typeof raw !== 'object') throw invalidSyntax(`Operations[${i}] must be an object`);
    const o = raw as Record<string, unknown>;
    if (typeof o.method !== 'string' || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(o.method.toUpperCase())) {
      throw invalidSyntax(`Operations[${i}].method must be POST, PUT, PATCH or DELETE`);
    }
    if (typeof o.path !== 'string' || !o.path.startsWith('/')) throw invalidSyntax(`Operations[${i}].path must be a path such as "/Users"`);
    if (o.bulkId !== undefined && typeof o.bulkId !== 'string') throw invalidSyntax(`Operations[${i}].bulkId must be a string`);
    const method = o.method.toUpperCase();
    if (method === 'POST' && o.bulkId === undefined) throw invalidSyntax(`Operations[${i}]: POST needs a "bulkId" (RFC 7644 §3.7)`);
    return {
      method,
      path: o.path,
      ...(typeof o.bulkId === 'string' ? { bulkId: o.bulkId } : {}),
      ...(typeof o.version === 'string' ? { version: o.version } : {}),
      ...(o.data !== undefined ? { data: o.data } : {}),
    };
  });
  const seen = new Set<string>();
  for (const op of ops) {
    if (op.bulkId === undefined) continue;
    if (seen.has(op.bulkId)) throw invalidSyntax(`bulkId "${op.bulkId}" is used by more than one operation; references to it would be ambiguous`);
    seen.add(op.bulkId);
  }
  return { ops, failOnErrors };
}

async function runOne(ctx: ScimContext & { principal: { syncGroups: boolean } }, op: BulkOperation, ids: Map<string, string>): Promise<BulkResult> {
  // In a path the reference is one segment (`/Users/bulkId:qwerty`, RFC 7644 §3.7.2).
  const path = op.path.replace(/bulkId:([^/?]+)/g, (whole) => resolveRefs(whole, ids) as string);
  const data = resolveRefs(op.data, ids);
  const m = /^\/(Users|Groups)(?:\/([^/?]+))?$/i.exec(path);
  if (!m) throw new ScimError(404, undefined, `Bulk operations address /Users or /Groups, not "${op.path}"`);
  const isGroups = m[1]!.toLowerCase() === 'groups';
  if (isGroups && !ctx.principal.syncGroups) throw new ScimError(403, undefined, 'Group sync is off for this organisation');
  const h = isGroups ? groupHandlers : userHandlers;
  const id = m[2];
  const base = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}) };
  if (op.method === 'POST') {
    if (id) throw invalidSyntax('POST addresses the collection, e.g. "/Users"');
    const r = await h.create(ctx, data);
    const newId = r.resource!.id as string;
    if (op.bulkId) ids.set(op.bulkId, newId);
    return { ...base, location: `${ctx.baseUrl}${h.rt.endpoint}/${newId}`, version: r.etag, status: '201' };
  }
  if (!id) throw invalidSyntax(`${op.method} addresses one resource, e.g. "/Users/<id>"`);
  const location = `${ctx.baseUrl}${h.rt.endpoint}/${id}`;
  if (op.method === 'PUT') {
    const r = await h.replace(ctx, id, data, op.version);
    return { ...base, location, version: r.etag, status: '200' };
  }
  if (op.method === 'PATCH') {
    const r = await h.patch(ctx, id, data, op.version);
    return { ...base, location, ...(r ? { version: r.etag } : {}), status: r?.resource ? '200' : '204' };
  }
  await h.remove(ctx, id, op.version);
  return { ...base, location, status: '204' };
}

export function registerBulkRoute(app: FastifyInstance, limits: ServiceLimits): void {
  app.post('/Bulk', async (req, reply) => {
    const { ops, failOnErrors } = parseOperations(req.body, limits.bulkMaxOperations);
    const ids = new Map<string, string>();
    const results: (BulkResult | undefined)[] = new Array(ops.length);
    let pending = ops.map((_, i) => i);
    let errors = 0;
    // Each pass runs what it can; an operation waiting on a later bulkId is retried next pass.
    while (pending.length && (failOnErrors === undefined || errors < failOnErrors)) {
      const waiting: number[] = [];
      for (const i of pending) {
        if (failOnErrors !== undefined && errors >= failOnErrors) break;
        const op = ops[i]!;
        // Each operation is its own request in the activity log, recorded in its own transaction.
        let expected = op.method === 'POST' ? 201 : op.method === 'DELETE' ? 204 : op.method === 'PATCH' && /^\/groups/i.test(op.path) ? 204 : 200;
        const opCtx = { ...req.scim, recordChange: changeRecorder(req, op.method, op.path, () => expected, false) };
        try {
          results[i] = await runOne(opCtx, op, ids);
        } catch (err) {
          if (err instanceof Unresolved && ops.some((o, j) => o.bulkId === err.bulkId && results[j] === undefined && j !== i)) {
            waiting.push(i);
            continue;
          }
          // An operation naming its own bulkId is the shortest circle (RFC 7644 §3.7.1): 409 like a longer one.
          const e =
            err instanceof ScimError
              ? err
              : err instanceof Unresolved
                ? err.bulkId === op.bulkId
                  ? new ScimError(409, undefined, `Circular bulkId reference: operation "${op.bulkId}" refers to itself`)
                  : invalidValue(`bulkId "${err.bulkId}" does not name an operation that succeeded`)
                : undefined;
          if (!e) throw err;
          errors++;
          results[i] = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: String(e.status), response: e.toJSON() };
          expected = e.status;
          const { operation, targetType, targetId } = operationOf(op.method, op.path);
          // A failed record must not turn one operation's error into a failed BulkRequest
          // after earlier operations committed.
          await insertScimActivity(req.scim.db, {
            orgId: req.scim.orgId, tokenId: req.scimActivity.tokenId ?? null, tokenName: req.scimActivity.tokenName ?? null,
            method: op.method, path: op.path, operation, targetType, targetId, status: e.status,
            scimType: e.scimType ?? null, detail: e.detail, durationMs: null,
          }).catch((recordErr: unknown) => req.log.error({ err: safeError(recordErr) }, 'could not record a Bulk operation'));
        }
      }
      if (waiting.length === pending.length) {
        // No progress: the remaining references are circular (§3.7.1).
        for (const i of waiting) {
          const op = ops[i]!;
          errors++;
          results[i] = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: '409', response: new ScimError(409, undefined, 'Circular bulkId references between operations').toJSON() };
        }
        break;
      }
      pending = waiting;
    }
    return sendScim(reply, 200, { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is BulkResult => r !== undefined) });
  });
}
