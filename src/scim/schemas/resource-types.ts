/**
 * The resource types scimd serves (RFC 7643 §6) and attribute-name resolution
 * against them. Attribute names are case-insensitive (RFC 7643 §2.1); a name may be
 * qualified by its schema URN (RFC 7644 §3.10), e.g.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 */
import type { AttrPath } from '../filter/ast.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema } from './enterprise-user.js';
import { GROUP_SCHEMA, groupSchema } from './group.js';
import { attr, type AttributeDef, type SchemaDef } from './types.js';
import { USER_SCHEMA, userSchema } from './user.js';

/** The attributes every resource has (RFC 7643 §3.1): `id`, `externalId`, `meta`. */
export const commonAttributes: AttributeDef[] = [
  attr('id', 'string', 'Unique identifier for the resource, assigned by the service provider.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr('externalId', 'string', "The provisioning client's identifier for the resource (e.g. Entra objectId).", { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', { mutability: 'readOnly' }, [
    attr('resourceType', 'string', 'The name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
    attr('created', 'dateTime', 'When the resource was added to the service provider.', { mutability: 'readOnly' }),
    attr('lastModified', 'dateTime', 'When the resource was last updated.', { mutability: 'readOnly' }),
    attr('location', 'reference', 'The URI of the resource.', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
    attr('version', 'string', 'The version (entity tag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
  ]),
];

/** A resource type, RFC 7643 §6. */
export interface ResourceTypeDef {
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: SchemaDef;
  extensions: { schema: SchemaDef; required: boolean }[];
}

export const userResourceType: ResourceTypeDef = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
};

export const groupResourceType: ResourceTypeDef = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: groupSchema,
  extensions: [],
};

export const resourceTypes: ResourceTypeDef[] = [userResourceType, groupResourceType];
export const allSchemas: SchemaDef[] = [userSchema, groupSchema, enterpriseUserSchema];
export { USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA };

/** An attribute path resolved against a resource type, with canonical spelling. */
export interface ResolvedAttribute {
  /** URN of the schema that defines the attribute (core schema for common attributes). */
  schemaUri: string;
  /** True when the attribute lives in an extension, i.e. under `doc[schemaUri]`. */
  extension: boolean;
  /** The top-level attribute. */
  def: AttributeDef;
  /** The sub-attribute, when the path names one. */
  subDef?: AttributeDef;
}

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Finds a sub-attribute of a complex attribute by case-insensitive name. */
export function findSubAttribute(def: AttributeDef, name: string): AttributeDef | undefined {
  return def.subAttributes?.find((s) => eqi(s.name, name));
}

/** Finds the schema (core or extension) of a resource type by case-insensitive URN. */
export function findSchema(rt: ResourceTypeDef, uri: string): { schema: SchemaDef; extension: boolean } | undefined {
  if (eqi(uri, rt.schema.id)) return { schema: rt.schema, extension: false };
  const ext = rt.extensions.find((e) => eqi(e.schema.id, uri));
  return ext ? { schema: ext.schema, extension: true } : undefined;
}

/**
 * Resolves `path` against `rt`: common attributes, then the core schema, or the
 * schema its URN names. Returns undefined for an unknown attribute or sub-attribute.
 */
export function resolveAttribute(rt: ResourceTypeDef, path: AttrPath): ResolvedAttribute | undefined {
  let schemaUri = rt.schema.id;
  let extension = false;
  let def: AttributeDef | undefined;
  if (path.uri) {
    const found = findSchema(rt, path.uri);
    if (!found) return undefined;
    schemaUri = found.schema.id;
    extension = found.extension;
    def = found.schema.attributes.find((a) => eqi(a.name, path.attr));
    if (!def && !extension) def = commonAttributes.find((a) => eqi(a.name, path.attr));
  } else {
    def = commonAttributes.find((a) => eqi(a.name, path.attr)) ?? rt.schema.attributes.find((a) => eqi(a.name, path.attr));
    if (!def) {
      // Unqualified extension attributes (`manager`): RFC 7644 §3.10 lets a server
      // resolve a name that only one schema defines, and Entra sends them bare.
      for (const ext of rt.extensions) {
        def = ext.schema.attributes.find((a) => eqi(a.name, path.attr));
        if (def) {
          schemaUri = ext.schema.id;
          extension = true;
          break;
        }
      }
    }
  }
  if (!def) return undefined;
  if (path.sub === undefined) return { schemaUri, extension, def };
  const subDef = findSubAttribute(def, path.sub);
  return subDef ? { schemaUri, extension, def, subDef } : undefined;
}
