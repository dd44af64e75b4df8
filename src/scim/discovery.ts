/**
 * The discovery documents (RFC 7644 §4): ServiceProviderConfig (RFC 7643 §5),
 * ResourceTypes (§6) and Schemas (§7), true to what scimd supports.
 */
import { allSchemas, commonAttributes, resourceTypes } from './schemas/resource-types.js';
import type { SchemaDef } from './schemas/types.js';
import type { RequestLimits } from './limits.js';

export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/**
 * The server's limits. Those RFC 7643 §5 has a field for are advertised in
 * ServiceProviderConfig (`filter.maxResults`, `bulk.maxOperations`,
 * `bulk.maxPayloadSize`); the rest (`RequestLimits`) are documented in docs/scim.md.
 */
export interface ServiceLimits extends RequestLimits {
  /** Largest page a list answers (`filter.maxResults`). */
  maxPageSize: number;
  /** Most operations in one BulkRequest (`bulk.maxOperations`). */
  bulkMaxOperations: number;
  /** Largest request body, bytes: 413 beyond it (`bulk.maxPayloadSize`, RFC 7644 §3.7.4). */
  maxPayloadBytes: number;
}

/** RFC 7643 §5; `limits` supplies the three fields the RFC has for them. */
export function serviceProviderConfig(baseUrl: string, limits: Pick<ServiceLimits, 'maxPageSize' | 'bulkMaxOperations' | 'maxPayloadBytes'>): Record<string, unknown> {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://github.com/scimd/scimd#readme',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.maxPayloadBytes },
    filter: { supported: true, maxResults: limits.maxPageSize },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a per-organisation bearer token generated in the scimd console or admin API.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

/** RFC 7643 §6: one ResourceType document per served type. */
export function resourceTypeDocuments(baseUrl: string): Record<string, unknown>[] {
  return resourceTypes.map((rt) => ({
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    ...(rt.extensions.length ? { schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) } : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.name}` },
  }));
}

/** RFC 7643 §7: the schema documents; core schemas list the common attributes too (§8.7.1 does not, but clients look for `externalId`). */
export function schemaDocuments(baseUrl: string): Record<string, unknown>[] {
  return allSchemas.map((s: SchemaDef) => ({
    schemas: [SCHEMA_SCHEMA],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.id.includes(':core:') ? [...commonAttributes.filter((a) => a.name === 'externalId'), ...s.attributes] : s.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
  }));
}
