/**
 * The core User schema, `urn:ietf:params:scim:schemas:core:2.0:User`
 * (RFC 7643 §4.1, attribute characteristics from §8.7.1). Every attribute of
 * §4.1 is supported and stored.
 */
import { attr, multiValuedSubs, type SchemaDef } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const s = (name: string, description: string) => attr(name, 'string', description);

export const userSchema: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the User, typically used to sign in. Unique per organisation, compared case-insensitively.', { required: true, uniqueness: 'server' }),
    attr('name', 'complex', "The components of the user's real name.", {}, [
      s('formatted', 'The full name, formatted for display.'),
      s('familyName', 'The family name of the User.'),
      s('givenName', 'The given name of the User.'),
      s('middleName', 'The middle name(s) of the User.'),
      s('honorificPrefix', 'The honorific prefix(es) of the User.'),
      s('honorificSuffix', 'The honorific suffix(es) of the User.'),
    ]),
    s('displayName', 'The name of the User, suitable for display to end-users.'),
    s('nickName', 'The casual way to address the user.'),
    attr('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", { referenceTypes: ['external'] }),
    s('title', "The user's title, such as 'Vice President'."),
    s('userType', 'Identifies the relationship between the organization and the user.'),
    s('preferredLanguage', "The User's preferred written or spoken language (RFC 7231 Accept-Language format)."),
    s('locale', "The User's default location for localizing items (BCP 47 language tag)."),
    s('timezone', "The User's time zone in IANA Time Zone database format."),
    attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
    attr('password', 'string', "The User's cleartext password, write-only: only a hash is stored and it is never returned.", { mutability: 'writeOnly', returned: 'never' }),
    attr('emails', 'complex', 'Email addresses for the user.', { multiValued: true }, multiValuedSubs('string', 'email address', ['work', 'home', 'other'])),
    attr('phoneNumbers', 'complex', 'Phone numbers for the User.', { multiValued: true }, multiValuedSubs('string', 'phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other'])),
    attr('ims', 'complex', 'Instant messaging addresses for the User.', { multiValued: true }, multiValuedSubs('string', 'instant messaging address', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'])),
    attr('photos', 'complex', 'URLs of photos of the User.', { multiValued: true }, [
      attr('value', 'reference', 'URL of a photo of the User.', { referenceTypes: ['external'] }),
      ...multiValuedSubs('string', 'photo', ['photo', 'thumbnail']).slice(1),
    ]),
    attr('addresses', 'complex', 'A physical mailing address for this User.', { multiValued: true }, [
      s('formatted', 'The full mailing address, formatted for display.'),
      s('streetAddress', 'The full street address component.'),
      s('locality', 'The city or locality component.'),
      s('region', 'The state or region component.'),
      s('postalCode', 'The zip code or postal code component.'),
      s('country', 'The country name component (ISO 3166-1 alpha-2).'),
      attr('type', 'string', 'A label indicating the address function.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Whether this is the primary address.'),
    ]),
    attr('groups', 'complex', 'Groups the user belongs to, derived from group memberships; read-only.', { multiValued: true, mutability: 'readOnly' }, [
      attr('value', 'string', 'The identifier of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attr('display', 'string', 'The displayName of the Group.', { mutability: 'readOnly' }),
      attr('type', 'string', "'direct' or 'indirect' membership.", { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
    ]),
    attr('entitlements', 'complex', 'A list of entitlements for the User.', { multiValued: true }, multiValuedSubs('string', 'entitlement')),
    attr('roles', 'complex', 'A list of roles for the User, returned as received; the resolved app role is kept separately.', { multiValued: true }, multiValuedSubs('string', 'role')),
    attr('x509Certificates', 'complex', 'A list of certificates issued to the User.', { multiValued: true }, multiValuedSubs('binary', 'certificate')),
  ],
};
