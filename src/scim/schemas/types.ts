/**
 * Attribute and schema definitions in the shape of RFC 7643 §7 ("Schema
 * Definition"), so the `/Schemas` endpoint can serve them verbatim and the
 * filter, PATCH and validation code can read characteristics (type,
 * multiValued, caseExact, mutability, returned) from one place.
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';

/** RFC 7643 §7 `mutability`. */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** RFC 7643 §7 `returned`. */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute's definition, RFC 7643 §7. */
export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

/** One schema's definition, RFC 7643 §7: `{id (URN), name, description, attributes}`. */
export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

type Opts = Partial<Omit<AttributeDef, 'name' | 'type' | 'subAttributes'>>;

/** Builds an attribute with the RFC 7643 §2.2 defaults (`required` false, `caseExact` false, `readWrite`, `default`, `none`). */
export function attr(name: string, type: AttributeType, description: string, opts: Opts = {}, subAttributes?: AttributeDef[]): AttributeDef {
  return {
    name,
    type,
    multiValued: opts.multiValued ?? false,
    description,
    required: opts.required ?? false,
    caseExact: opts.caseExact ?? false,
    mutability: opts.mutability ?? 'readWrite',
    returned: opts.returned ?? 'default',
    uniqueness: opts.uniqueness ?? 'none',
    ...(opts.canonicalValues ? { canonicalValues: opts.canonicalValues } : {}),
    ...(opts.referenceTypes ? { referenceTypes: opts.referenceTypes } : {}),
    ...(subAttributes ? { subAttributes } : {}),
  };
}

/**
 * The standard sub-attributes of a multi-valued attribute (RFC 7643 §2.4):
 * `value`, `display`, `type`, `primary`, plus `$ref` when `refTypes` is given.
 */
export function multiValuedSubs(valueType: AttributeType, what: string, types?: string[], refTypes?: string[]): AttributeDef[] {
  return [
    attr('value', valueType, `The ${what} value.`),
    attr('display', 'string', `A human-readable name, primarily used for display purposes.`),
    attr('type', 'string', `A label indicating the ${what}'s function.`, types ? { canonicalValues: types } : {}),
    attr('primary', 'boolean', `Whether this is the primary ${what}; at most one entry is primary.`),
    ...(refTypes ? [attr('$ref', 'reference', `The URI of the ${what}.`, { referenceTypes: refTypes })] : []),
  ];
}
