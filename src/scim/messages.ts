/** Message schema URNs and shapes of RFC 7644 §3: ListResponse, PatchOp, SearchRequest, Bulk. */

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** The media type of every SCIM response (RFC 7644 §3.1); requests may also use application/json. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** A ListResponse (RFC 7644 §3.4.2): 1-based `startIndex`, `itemsPerPage` = length of `Resources`. */
export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
