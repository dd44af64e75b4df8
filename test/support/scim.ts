/**
 * Shared vocabulary for the HTTP tests: the RFC 7643/7644 URNs, small body
 * builders, a raw request helper for cases the `TestOrg.scim` helper cannot
 * express (other content types, unparsable bodies, other path spellings), and
 * an assertion for the RFC 7644 §3.12 error shape.
 */
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { TestApp, TestOrg } from './app.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
/** What every SCIM answer with a body carries (RFC 7644 §3.1). */
export const SCIM_JSON = 'application/scim+json; charset=utf-8';
/** The base URL the test app advertises (test/support/app.ts sets publicUrl). */
export const BASE = 'https://scim.test/scim/v2';

type Op = { op: string; path?: string; value?: unknown };

/** A PatchOp message (RFC 7644 §3.5.2). */
export const patchOp = (...ops: Op[]) => ({ schemas: [PATCH_OP], Operations: ops });

/** `?filter=` text, URL-encoded. */
export const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`;

/** A User body with a work e-mail equal to the userName. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra };
}

/** POSTs a user and returns the created resource; throws (failing the test) on anything but 201. */
export async function createUser(org: TestOrg, userName: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await org.scim('POST', '/Users', userBody(userName, extra));
  if (r.status !== 201) throw new Error(`POST /Users ${userName} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** POSTs a group with the given member ids and returns the created resource; throws on anything but 201. */
export async function createGroup(org: TestOrg, displayName: string, memberIds: string[] = [], extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await org.scim('POST', '/Groups', { schemas: [GROUP], displayName, members: memberIds.map((value) => ({ value })), ...extra });
  if (r.status !== 201) throw new Error(`POST /Groups ${displayName} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface RawResponse {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  json: any;
}

/**
 * One request with full control over the URL (not prefixed), headers and the
 * raw payload; `token` adds `Authorization: Bearer <token>` unless `headers`
 * sets `authorization` itself.
 */
export async function rawRequest(
  t: TestApp,
  opts: { method: InjectOptions['method']; url: string; token?: string; headers?: Record<string, string>; payload?: string | Buffer },
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.headers ?? {}) };
  const res = await t.app.inject({ method: opts.method, url: opts.url, headers, ...(opts.payload !== undefined ? { payload: opts.payload } : {}) });
  let json: unknown;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text: res.body, json };
}

/**
 * Asserts an RFC 7644 §3.12 error answer: the SCIM media type, exactly the keys
 * `schemas`, `status` (a string), `scimType` (only when expected) and a
 * non-empty `detail`, optionally containing `detailContains`.
 */
export function expectScimError(
  res: { status: number; headers: Record<string, unknown>; body?: any; json?: any },
  status: number,
  scimType?: string,
  detailContains?: string | string[],
): void {
  const body = res.body ?? res.json;
  expect({ status: res.status, body }).toMatchObject({ status, body: { status: String(status) } });
  expect(res.headers['content-type']).toBe(SCIM_JSON);
  expect(body).toEqual({
    schemas: [ERROR],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.any(String),
  });
  expect(body.detail.trim()).not.toBe('');
  for (const part of detailContains === undefined ? [] : Array.isArray(detailContains) ? detailContains : [detailContains]) {
    expect(body.detail).toContain(part);
  }
}

/** Sleeps `ms` milliseconds (to separate timestamps). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
