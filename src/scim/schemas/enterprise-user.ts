/**
 * The Enterprise User extension,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3).
 */
import { attr, type SchemaDef } from './types.js';

export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const s = (name: string, description: string) => attr(name, 'string', description);

export const enterpriseUserSchema: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    s('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person.'),
    s('costCenter', 'Identifies the name of a cost center.'),
    s('organization', 'Identifies the name of an organization.'),
    s('division', 'Identifies the name of a division.'),
    s('department', 'Identifies the name of a department.'),
    attr('manager', 'complex', "The User's manager.", {}, [
      attr('value', 'string', 'The id of the SCIM resource representing the manager.'),
      attr('$ref', 'reference', "The URI of the manager's SCIM resource.", { referenceTypes: ['User'] }),
      attr('displayName', 'string', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
};
