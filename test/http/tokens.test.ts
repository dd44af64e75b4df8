/** SCIM tokens at rest: shown once, only a SHA-256 hash stored (issue 3). */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, testDatabase } from '../support/db.js';
import { testApp, testOrg, type TestApp } from '../support/app.js';

describe.each(dialects())('SCIM tokens at rest on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.app.close());

  it('stores only the hash, returns the secret once, and a regenerated secret replaces it', async () => {
    const org = await testOrg(t);
    const created = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'Entra Production' });
    expect(created.status).toBe(201);
    const secret: string = created.body.token;
    expect(secret).toMatch(/^scimd_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(created.body.prefix + '_')).toBe(true);

    const { db } = await testDatabase(dialect);
    const row = await db.selectFrom('scim_tokens').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret.split('_').at(-1));

    const listed = await t.admin('GET', `/orgs/${org.slug}/scim/tokens`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.find((x: { id: string }) => x.id === created.body.id)).toMatchObject({ name: 'Entra Production', status: 'active', lastUsedAt: null });

    const regen = await t.admin('POST', `/orgs/${org.slug}/scim/tokens/${created.body.id}/regenerate`);
    const old = await db.selectFrom('scim_tokens').select(['revoked_at']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(old.revoked_at).toBeInstanceOf(Date);
    const fresh = await db.selectFrom('scim_tokens').select(['token_hash', 'name']).where('id', '=', regen.body.id).executeTakeFirstOrThrow();
    expect(fresh).toEqual({ token_hash: createHash('sha256').update(regen.body.token).digest('hex'), name: 'Entra Production' });
  });
});

describe.each(dialects())('SCIM token names on %s', (dialect) => {
  it('refuses a second active token with the same name and blank names, in plain words', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    const dup = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'TEST' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('A token named "TEST" is already active; choose another name, or regenerate that token');
    const blank = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.message).toBe('name: must not be empty');
    const long = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'x'.repeat(101) });
    expect(long.body.message).toBe('name: must be at most 100 characters');
    const missing = await t.admin('POST', `/orgs/${org.slug}/scim/tokens`, {});
    expect(missing.body.message).toBe('name: is required');
    await t.app.close();
  });
});

describe.each(dialects())('token revoke in the activity log on %s', (dialect) => {
  it('names the revoked token', async () => {
    const t = await testApp(dialect);
    const org = await testOrg(t);
    const tokenId = (await t.admin('GET', `/orgs/${org.slug}/scim/tokens`)).body[0].id;
    expect((await t.admin('DELETE', `/orgs/${org.slug}/scim/tokens/${tokenId}`)).status).toBe(204);
    const rows = (await t.admin('GET', `/orgs/${org.slug}/activity?operation=token.revoke`)).body.items;
    expect(rows.map((r: { targetId: string; targetName: string }) => [r.targetId, r.targetName])).toEqual([[tokenId, 'test']]);
    await t.app.close();
  });
});
