/**
 * The inputs the property tests of test/property/ found mishandled, end to end
 * over HTTP on both databases: each was a 500 or a stored document that the
 * validator itself would change, and is now a SCIM answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects } from '../support/db.js';
import { createGroup, createUser, ENTERPRISE, expectScimError, GROUP, patchOp } from '../support/scim.js';

describe.each(dialects())('property-test findings on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  it('Group PATCH with a members sub-attribute or filter as a path-less key is 400 invalidPath, not 500, and changes nothing', async () => {
    const g = await createGroup(org, 'pf-keys');
    for (const value of [{ 'members.value': 'x' }, { [`${GROUP}:members[value eq "x"]`]: [{ value: 'x' }] }, { [GROUP]: { 'Members.display': 'x' } }]) {
      const r = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', value }));
      expectScimError(r, 400, 'invalidPath');
    }
    const after = await org.scim('GET', `/Groups/${g.id}`);
    expect(after.body.meta.version).toBe(g.meta.version);
  });

  it('Group PATCH whose path is the core schema URN adds the members in its value and applies the rest', async () => {
    const u = await createUser(org, 'pf-member@example.com');
    const g = await createGroup(org, 'pf-whole');
    const r = await org.scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: GROUP, value: { Members: [{ value: u.id }], displayName: 'pf-whole-renamed' } }));
    expect([200, 204]).toContain(r.status);
    const after = await org.scim('GET', `/Groups/${g.id}`);
    expect(after.body.displayName).toBe('pf-whole-renamed');
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([u.id]);
  });

  it('adding an e-mail without a value twice stores it once', async () => {
    const u = await createUser(org, 'pf-email@example.com', { emails: [] });
    const op = { op: 'add', path: 'emails', value: [{ primary: true }] };
    await org.scim('PATCH', `/Users/${u.id}`, patchOp(op));
    const r = await org.scim('PATCH', `/Users/${u.id}`, patchOp(op));
    expect(r.status).toBe(200);
    expect(r.body.emails).toEqual([{ primary: true, type: 'work' }]);
  });

  it('a manager given as {value: "", Value: "boss"} is stored as the manager "boss", and a GET shows it', async () => {
    const u = await createUser(org, 'pf-manager@example.com', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE], [ENTERPRISE]: { manager: { value: '', Value: 'boss' } } });
    expect(u[ENTERPRISE].manager.value).toBe('boss');
    const r = await org.scim('GET', `/Users/${u.id}`);
    expect(r.body[ENTERPRISE].manager.value).toBe('boss');
  });
});
