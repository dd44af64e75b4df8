/**
 * The externally visible origin of a request: `SCIMD_PUBLIC_URL` when set;
 * otherwise the request's protocol and Host header, which must then be a plain
 * host[:port] — a Host header is client input, and it ends up in `meta.location`,
 * `$ref`, `Location` and the admin Base URL (fresh-user report: `Host: a/b?c#d`).
 */
import type { FastifyRequest } from 'fastify';
import { ScimError } from '../scim/errors.js';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * @returns e.g. `https://scim.example.com` (no trailing slash).
 * @throws ScimError 400 when there is no public URL and the Host header is not a host name.
 */
export function requestOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const host = req.host;
  if (!host || !HOST.test(host)) throw new ScimError(400, undefined, 'The Host header is missing or not a host name; set SCIMD_PUBLIC_URL to serve behind a proxy');
  return `${req.protocol}://${host}`;
}

/** The SCIM base URL as the client sees it, e.g. `https://scim.example.com/scim/v2`. */
export const scimBaseUrlOf = (req: FastifyRequest, publicUrl: string | undefined): string => `${requestOrigin(req, publicUrl)}/scim/v2`;
