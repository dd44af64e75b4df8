/**
 * Discovery endpoints (RFC 7644 §4): ServiceProviderConfig (RFC 7643 §5),
 * ResourceTypes (§6) and Schemas (§7, §8.7). scimd requires the bearer token on
 * them too (RFC 7644 §4 allows either; the IdP's "Test Connection" sends it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { BASE, ENTERPRISE, expectScimError, GROUP, LIST, rawRequest, RESOURCE_TYPE, SCHEMA, SCIM_JSON, SPC, USER } from '../support/scim.js';

type Attr = { name: string; type: string; multiValued: boolean; required: boolean; caseExact: boolean; mutability: string; returned: string; uniqueness: string; subAttributes?: Attr[] };
const attrOf = (schema: { attributes: Attr[] }, name: string) => schema.attributes.find((a) => a.name === name);

describe.each(dialects())('Discovery on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  describe('ServiceProviderConfig', () => {
    it('advertises patch, bulk, filter, sort and etag with the default limits', async () => {
      const r = await org.scim('GET', '/ServiceProviderConfig');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.body.schemas).toEqual([SPC]);
      expect(r.body.patch).toEqual({ supported: true });
      expect(r.body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });
      expect(r.body.filter).toEqual({ supported: true, maxResults: 1000 });
      expect(r.body.sort).toEqual({ supported: true });
      expect(r.body.etag).toEqual({ supported: true });
      expect(typeof r.body.changePassword?.supported).toBe('boolean');
      expect(r.body.meta).toMatchObject({ resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` });
    });

    it('lists the bearer-token authentication scheme (RFC 7643 §5 authenticationSchemes)', async () => {
      const r = await org.scim('GET', '/ServiceProviderConfig');
      expect(r.body.authenticationSchemes).toHaveLength(1);
      expect(r.body.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', name: expect.any(String), description: expect.any(String) });
    });

    it('advertises the configured limits, not constants', async () => {
      const custom = await testApp(dialect, { bulkMaxOperations: 7, maxPageSize: 9, maxPayloadBytes: 4096 });
      try {
        const o = await testOrg(custom);
        const r = await o.scim('GET', '/ServiceProviderConfig');
        expect(r.status).toBe(200);
        expect(r.body.bulk).toEqual({ supported: true, maxOperations: 7, maxPayloadSize: 4096 });
        expect(r.body.filter).toEqual({ supported: true, maxResults: 9 });
      } finally {
        await custom.app.close();
      }
    });
  });

  describe('ResourceTypes', () => {
    it('lists User and Group in a ListResponse', async () => {
      const r = await org.scim('GET', '/ResourceTypes');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      const byName = Object.fromEntries(r.body.Resources.map((rt: { name: string }) => [rt.name, rt]));
      expect(Object.keys(byName).sort()).toEqual(['Group', 'User']);
      expect(byName.User).toMatchObject({
        schemas: [RESOURCE_TYPE],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: USER,
        schemaExtensions: [{ schema: ENTERPRISE, required: false }],
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
      });
      expect(byName.Group).toMatchObject({
        schemas: [RESOURCE_TYPE],
        id: 'Group',
        name: 'Group',
        endpoint: '/Groups',
        schema: GROUP,
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
      });
      expect(byName.Group.schemaExtensions ?? []).toEqual([]);
    });

    it('answers one resource type by name', async () => {
      const user = await org.scim('GET', '/ResourceTypes/User');
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject({ schemas: [RESOURCE_TYPE], id: 'User', endpoint: '/Users', schema: USER });
      const group = await org.scim('GET', '/ResourceTypes/Group');
      expect(group.status).toBe(200);
      expect(group.body).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP });
    });

    it('answers 404 in the SCIM error shape for an unknown resource type', async () => {
      const r = await org.scim('GET', '/ResourceTypes/Device');
      expectScimError(r, 404);
    });
  });

  describe('Schemas', () => {
    it('lists the core User, core Group and Enterprise User schemas', async () => {
      const r = await org.scim('GET', '/Schemas');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ schemas: [LIST], totalResults: 3, itemsPerPage: 3, startIndex: 1 });
      expect(r.body.Resources.map((s: { id: string }) => s.id).sort()).toEqual([ENTERPRISE, GROUP, USER].sort());
      for (const s of r.body.Resources) {
        expect(s.schemas).toEqual([SCHEMA]);
        expect(s.meta).toMatchObject({ resourceType: 'Schema', location: `${BASE}/Schemas/${s.id}` });
      }
    });

    it('describes userName, emails and password of the User schema per RFC 7643 §8.7.1', async () => {
      const r = await org.scim('GET', `/Schemas/${USER}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(SCIM_JSON);
      expect(r.body).toMatchObject({ schemas: [SCHEMA], id: USER, name: 'User' });
      expect(attrOf(r.body, 'userName')).toMatchObject({ type: 'string', multiValued: false, required: true, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'server' });
      const emails = attrOf(r.body, 'emails')!;
      expect(emails).toMatchObject({ type: 'complex', multiValued: true, required: false });
      expect(emails.subAttributes!.map((s) => s.name)).toEqual(expect.arrayContaining(['value', 'type', 'primary', 'display']));
      expect(emails.subAttributes!.find((s) => s.name === 'primary')).toMatchObject({ type: 'boolean' });
      expect(attrOf(r.body, 'password')).toMatchObject({ type: 'string', mutability: 'writeOnly', returned: 'never' });
      expect(attrOf(r.body, 'groups')).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
      expect(attrOf(r.body, 'active')).toMatchObject({ type: 'boolean', multiValued: false });
      expect(attrOf(r.body, 'name')!.subAttributes!.map((s) => s.name)).toEqual(expect.arrayContaining(['givenName', 'familyName', 'formatted']));
    });

    it('describes the Group schema with displayName and members', async () => {
      const r = await org.scim('GET', `/Schemas/${GROUP}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: GROUP, name: 'Group' });
      expect(attrOf(r.body, 'displayName')).toMatchObject({ type: 'string', required: true });
      const members = attrOf(r.body, 'members')!;
      expect(members).toMatchObject({ type: 'complex', multiValued: true });
      expect(members.subAttributes!.map((s) => s.name)).toEqual(expect.arrayContaining(['value', '$ref', 'type']));
    });

    it('describes the Enterprise User extension with manager.value, manager.$ref and manager.displayName (RFC 7643 §4.3)', async () => {
      const r = await org.scim('GET', `/Schemas/${ENTERPRISE}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ schemas: [SCHEMA], id: ENTERPRISE });
      for (const name of ['employeeNumber', 'costCenter', 'organization', 'division', 'department']) {
        expect(attrOf(r.body, name)).toMatchObject({ type: 'string', multiValued: false });
      }
      const manager = attrOf(r.body, 'manager')!;
      expect(manager).toMatchObject({ type: 'complex', multiValued: false });
      const subs = Object.fromEntries(manager.subAttributes!.map((s) => [s.name, s]));
      expect(Object.keys(subs).sort()).toEqual(['$ref', 'displayName', 'value']);
      expect(subs.$ref).toMatchObject({ type: 'reference' });
      expect(subs.displayName).toMatchObject({ mutability: 'readOnly' });
    });

    it('answers 404 in the SCIM error shape for an unknown schema URN', async () => {
      const r = await org.scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device');
      expectScimError(r, 404);
    });
  });

  describe('authentication', () => {
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${USER}`]) {
      it(`GET ${path} answers 401 without a token and 200 with one`, async () => {
        const anon = await rawRequest(t, { method: 'GET', url: `/scim/v2${path}` });
        expectScimError(anon, 401);
        expect(anon.headers['www-authenticate']).toMatch(/^Bearer\b/i);
        const authed = await org.scim('GET', path);
        expect(authed.status).toBe(200);
      });
    }
  });
});
