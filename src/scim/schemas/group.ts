/** The core Group schema, `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2, §8.7.1). */
import { attr, type SchemaDef } from './types.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the Group, used verbatim as the app group name.', { required: true }),
    attr('members', 'complex', 'A list of members of the Group: Users of the same organisation.', { multiValued: true }, [
      attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member resource.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      attr('display', 'string', 'The display name of the member.', { mutability: 'readOnly' }),
      attr('type', 'string', 'The type of the member.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
    ]),
  ],
};
