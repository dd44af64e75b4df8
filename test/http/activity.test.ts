/**
 * The activity log (issue 3): every SCIM request kind leaves a row with its
 * cause, writes in their own transaction, no secret in any row; admin actions
 * are recorded with who did them; the troubleshooting list of the reference
 * document can be answered from the API alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pruneActivity } from '../../src/activity/retention.js';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe.each(dialects())('Activity log on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  async function activity(org: TestOrg, query = ''): Promise<any[]> {
    const r = await t.admin('GET', `/orgs/${org.slug}/activity?limit=200${query}`);
    expect(r.status).toBe(200);
    return r.body.items;
  }

  it('records every SCIM operation kind with target, status and diff, newest first', async () => {
    const org = await testOrg(t);
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'act@example.com', password: 'Sup3r-secret!', title: 'A' })).body;
    await org.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'B' }] });
    await org.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    await org.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    const g = (await org.scim('POST', '/Groups', { displayName: 'Eng', members: [] })).body;
    await org.scim('PATCH', `/Groups/${g.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }] });
    await org.scim('PATCH', `/Groups/${g.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }] });
    await org.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "act@example.com"')}`);
    await org.scim('DELETE', `/Users/${u.id}`);

    const rows = (await activity(org, '&source=scim')).reverse();
    expect(rows.map((r) => [r.method, r.operation, r.status, r.targetType])).toEqual([
      ['POST', 'create', 201, 'User'],
      ['PATCH', 'update', 200, 'User'],
      ['PATCH', 'deactivate', 200, 'User'],
      ['PATCH', 'reactivate', 200, 'User'],
      ['POST', 'create', 201, 'Group'],
      ['PATCH', 'membership_add', 204, 'Group'],
      ['PATCH', 'membership_remove', 204, 'Group'],
      ['GET', 'lookup', 200, 'User'],
      ['DELETE', 'delete', 204, 'User'],
    ]);
    expect(rows[0]).toMatchObject({ actor: 'test', targetId: u.id, targetName: 'act@example.com', path: '/Users' });
    expect(rows[1].diff.changes).toEqual([{ path: 'title', before: 'A', after: 'B' }]);
    expect(rows[2].diff.changes).toEqual([{ path: 'active', before: true, after: false }]);
    expect(rows[5].diff).toEqual({ membersAdded: [u.id] });
    expect(rows[6].diff).toEqual({ membersRemoved: [u.id] });
    expect(rows[7].path).toBe('/Users?filter=userName%20eq%20%22act%40example.com%22');
    expect(typeof rows[0].durationMs).toBe('number');
  });

  it('answers the reference troubleshooting list: 401 after revoke, 403 after disable, 400 missing userName, default role fallback', async () => {
    const org = await testOrg(t);
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { defaultRole: 'viewer' });
    await org.scim('POST', '/Users', { schemas: [USER] });
    await org.scim('POST', '/Users', { schemas: [USER], userName: 'fallback@example.com', roles: [{ value: 'Unmapped', primary: true }] });
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: false });
    await org.scim('GET', '/Users?count=1');
    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true });
    const tokenId = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0].id;
    await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tokenId}`);
    await org.scim('GET', '/Users?count=1');

    const failures = (await activity(org, '&status=failures')).reverse();
    expect(failures.map((r) => [r.status, r.scimType, r.operation])).toEqual([
      [400, 'invalidValue', 'create'],
      [403, null, 'lookup'],
      [401, null, 'lookup'],
    ]);
    expect(failures[0].detail).toContain('userName');
    expect(failures[1].detail).toContain('disabled');
    expect(failures[2].detail).toContain('revoked');
    expect(failures[2].actor).toBe('test');
    const { db } = await testDatabase(dialect);
    const u = await db.selectFrom('scim_users').select(['app_role', 'app_role_source']).where('org_id', '=', org.orgId).executeTakeFirstOrThrow();
    expect(u).toMatchObject({ app_role: 'viewer', app_role_source: { kind: 'default', received: 'Unmapped' } });
  });

  it('leaves no success row when a write fails, and never stores a secret', async () => {
    const org = await testOrg(t);
    const u = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'sec@example.com', password: 'Pa55word-never-logged' })).body;
    await org.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: 'An0ther-secret-value' }] });
    const bad = await org.scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'X' }, { op: 'replace', path: 'active', value: 'maybe' }] });
    expect(bad.status).toBe(400);
    const rows = await activity(org);
    expect(rows.filter((r) => r.status < 400 && r.method === 'PATCH').map((r) => r.diff.changes)).toEqual([[{ path: 'password', before: null, after: '[changed]' }]]);
    expect(rows[0]).toMatchObject({ status: 400, scimType: 'invalidValue', operation: 'update', diff: null });
    const { db } = await testDatabase(dialect);
    const all = await db.selectFrom('activity').selectAll().where('org_id', '=', org.orgId).execute();
    const text = JSON.stringify(all);
    expect(text).not.toContain('Pa55word-never-logged');
    expect(text).not.toContain('An0ther-secret-value');
    expect(text).not.toContain(org.token);
  });

  it('records admin actions with the actor, and token regeneration works in one step', async () => {
    const org = await testOrg(t);
    const tokenId = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0].id;
    const regen = await t.admin('POST', `/orgs/${org.slug}/scim/tokens/${tokenId}/regenerate`);
    expect(regen.status).toBe(201);
    expect(regen.body).toMatchObject({ name: 'test', status: 'active' });
    expect((await org.scim('GET', '/Users')).status).toBe(401);
    const fresh = await t.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${regen.body.token}` } });
    expect(fresh.statusCode).toBe(200);
    expect((await t.admin('POST', `/orgs/${org.slug}/scim/tokens/${tokenId}/regenerate`)).status).toBe(404);
    await t.admin('PUT', `/orgs/${org.slug}/role-mappings`, [{ idpRoleValue: 'Admin', role: 'admin' }]);
    const admin = await activity(org, '&source=admin');
    expect(admin.map((r) => [r.operation, r.actor]).reverse()).toEqual([
      ['scim.settings.update', 'operator'],
      ['token.create', 'operator'],
      ['token.regenerate', 'operator'],
      ['role-mappings.replace', 'operator'],
    ]);
    expect(JSON.stringify(admin)).not.toContain(regen.body.token);
  });

  it('pages with a cursor and filters by target and time', async () => {
    const org = await testOrg(t);
    for (let i = 0; i < 5; i++) await org.scim('POST', '/Users', { schemas: [USER], userName: `page${i}@example.com` });
    const first = await t.admin('GET', `/orgs/${org.slug}/activity?limit=2&source=scim`);
    expect(first.body.items.map((r: any) => r.targetName)).toEqual(['page4@example.com', 'page3@example.com']);
    const second = await t.admin('GET', `/orgs/${org.slug}/activity?limit=2&source=scim&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((r: any) => r.targetName)).toEqual(['page2@example.com', 'page1@example.com']);
    const third = await t.admin('GET', `/orgs/${org.slug}/activity?limit=2&source=scim&cursor=${second.body.nextCursor}`);
    expect(third.body).toMatchObject({ nextCursor: null });
    expect(third.body.items).toHaveLength(1);
    expect((await activity(org, '&target=PAGE3')).map((r) => r.targetName)).toEqual(['page3@example.com']);
    expect(await activity(org, `&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect((await t.admin('GET', `/orgs/${org.slug}/activity?limit=999`)).status).toBe(400);
  });

  it('shows the Overview and prunes past retention', async () => {
    const org = await testOrg(t);
    await org.scim('POST', '/Users', { schemas: [USER], userName: 'ov1@example.com' });
    const u2 = (await org.scim('POST', '/Users', { schemas: [USER], userName: 'ov2@example.com', active: false })).body;
    await org.scim('POST', '/Groups', { displayName: 'G', members: [{ value: u2.id }] });
    const ov = await t.admin('GET', `/orgs/${org.slug}/scim/overview`);
    expect(ov.body).toMatchObject({ baseUrl: 'https://scim.test/scim/v2', status: 'enabled', members: { total: 2, active: 1 }, groups: 1, activeTokens: 1, failuresLast24h: 0, activityRetentionDays: 30 });
    expect(Date.parse(ov.body.lastRequestAt)).toBeGreaterThan(Date.now() - 120_000);

    await t.admin('PATCH', `/orgs/${org.slug}/scim`, { activityRetentionDays: 7 });
    const { db } = await testDatabase(dialect);
    await db.updateTable('activity').set({ at: sql`now() - interval '8 days'` }).where('org_id', '=', org.orgId).where('operation', '=', 'create').execute();
    await pruneActivity(db);
    const left = await activity(org);
    expect(left.some((r) => r.operation === 'create')).toBe(false);
    expect(left.some((r) => r.operation === 'scim.settings.update')).toBe(true);
  });
});
