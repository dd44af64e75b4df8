/** Sending SCIM bodies with the SCIM media type (RFC 7644 §3.1) and ETags (§3.14). */
import type { FastifyReply } from 'fastify';
import { SCIM_CONTENT_TYPE } from '../../scim/messages.js';

/** Sends `body` as `application/scim+json`; sets `ETag` when given. */
export function sendScim(reply: FastifyReply, status: number, body: unknown, etag?: string): FastifyReply {
  if (etag) reply.header('ETag', etag);
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}
