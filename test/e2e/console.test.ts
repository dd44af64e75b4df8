/**
 * The console end to end, in Chromium against a real scimd: an admin sets their
 * password from the one-time link, signs in, enables SCIM, generates a token,
 * turns on group sync, sets the default role and role mappings; an "IdP" then
 * uses that token with Entra-shaped requests (Test Connection, users with app
 * roles, a group and its members, a deactivation); the admin sees all of it on
 * Members and Groups, revokes the token, and finds the IdP's 401 in Activity.
 * The operator signs in with the operator token and switches orgs. Every page
 * is screenshotted into artifacts/ at 1280×800 (Members also at 390×844).
 *
 * The steps share one browser page and run in order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN } from '../support/app.js';
import { a11yFindings, buildConsole, chromiumAvailable, cspViolations, launchBrowser, screenshot, screenshotOf, startServer, watchPage, type Server } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'correct horse battery staple';

/** A user as Entra's provisioning service creates it, with SingleAppRoleAssignment's `roles`. */
function entraUser(given: string, family: string, upn: string, role: string | null) {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: randomUUID(),
    userName: upn,
    active: true,
    displayName: `${given} ${family}`,
    emails: [{ primary: true, type: 'work', value: upn }],
    meta: { resourceType: 'User' },
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    roles: role ? [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: role }] : [],
    [ENTERPRISE]: { department: 'Engineering' },
  };
}

const run = randomBytes(3).toString('hex');
const slug = `e2e-${run}`;
const orgName = `Acme ${run}`;
const email = `admin-${run}@acme.example`;
const people = {
  alice: { given: 'Alice', family: 'Johnson', upn: `alice.johnson-${run}@acme.example`, role: 'Admin' },
  bob: { given: 'Bob', family: 'Martinez', upn: `bob.martinez-${run}@acme.example`, role: 'member' },
  carol: { given: 'Carol', family: 'Nguyen', upn: `carol.nguyen-${run}@acme.example`, role: null },
};

const enabled = chromiumAvailable();

describe.runIf(enabled)('Console end to end (Chromium)', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watcher: { problems: string[] };
  let setPasswordUrl: string;
  let token: string;
  const ids: Record<string, string> = {};
  let groupId: string;
  const url = (path: string) => `${server.origin}/console${path}`;

  beforeAll(async () => {
    buildConsole();
    server = await startServer();
    const org = await server.operator('POST', '/orgs', { slug, name: orgName });
    expect(org.status).toBe(201);
    // A second org, so the operator has something to switch between.
    await server.operator('POST', '/orgs', { slug: `${slug}-b`, name: `Globex ${run}` });
    const admin = await server.operator('POST', `/orgs/${slug}/admins`, { email });
    expect(admin.status).toBe(201);
    setPasswordUrl = admin.body.setPasswordUrl;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    watcher = watchPage(page, server.origin);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.app.close();
  });

  it('serves the console at /console with a same-origin-only CSP, and client routes fall back to the app', async () => {
    const res = await fetch(url('/orgs/x/members'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await res.text()).toContain('<div id="root">');
    expect((await fetch(url('/assets/missing.js'))).status).toBe(404);
    expect((await fetch(url('/..%2f..%2fpackage.json'))).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('sets the password from the one-time link, then signs in', async () => {
    expect(setPasswordUrl).toBe(`${server.origin}/console/set-password#token=${setPasswordUrl.split('#token=')[1]}`);
    await page.goto(setPasswordUrl);
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await screenshot(page, '01-set-password');
    await page.getByLabel('New password').fill('too short');
    await page.getByLabel('Repeat the password').fill('too short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set').waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe(email);
    await screenshot(page, '02-sign-in');

    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'SCIM Provisioning', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/orgs/${slug}/scim`);
    await page.getByText('SCIM is not enabled yet').waitFor();
    await screenshot(page, '03-scim-not-enabled');
  }, 60_000);

  it('enables SCIM after a confirmation and shows the Base URL with a copy button', async () => {
    await page.getByRole('button', { name: 'Enable SCIM' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enable SCIM?' });
    await dialog.waitFor();
    await screenshotOf(dialog, 'enable-scim-confirm');
    await dialog.getByRole('button', { name: 'Enable SCIM' }).click();
    await page.getByText('SCIM is enabled.').waitFor();
    const overview = page.getByRole('region', { name: 'Overview' });
    await overview.getByText('Enabled', { exact: true }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Base URL' }).inputValue()).toBe(`${server.origin}/scim/v2`);
    await page.getByRole('button', { name: 'Copy Base URL' }).click();
    await page.getByRole('button', { name: 'Copied Base URL' }).waitFor();
    await page.getByText('Base URL copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${server.origin}/scim/v2`);
    expect((await server.operator('GET', `/orgs/${slug}/scim`)).body.enabled).toBe(true);

    // Disabling leaves one notice, a warning (not a green success), then enable again.
    await overview.getByRole('button', { name: 'Disable SCIM' }).click();
    await page.getByRole('dialog', { name: 'Disable SCIM?' }).getByRole('button', { name: 'Disable SCIM' }).click();
    await overview.getByText('Disabled', { exact: true }).waitFor();
    expect(await overview.locator('.alert').count()).toBe(1);
    expect(await overview.locator('.alert-success').count()).toBe(0);
    await overview.getByRole('button', { name: 'Enable SCIM' }).click();
    await page.getByRole('dialog', { name: 'Enable SCIM?' }).getByRole('button', { name: 'Enable SCIM' }).click();
    await overview.getByText('Enabled', { exact: true }).waitFor();
    expect((await server.operator('GET', `/orgs/${slug}/scim`)).body.enabled).toBe(true);
  }, 30_000);

  it('generates a named token and shows the secret once, with a copy button', async () => {
    const tokens = page.getByRole('region', { name: 'SCIM tokens' });
    await tokens.getByText('No tokens yet.').waitFor();
    // Keyboard: the dialog takes focus on its first field, and Escape closes it.
    await tokens.getByRole('button', { name: 'Generate token' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Generate a SCIM token' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('token-name');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await tokens.getByRole('button', { name: 'Generate token' }).click();
    await dialog.getByLabel('Token name').fill('Entra Production');
    await screenshotOf(dialog, 'generate-token');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    const secret = page.getByRole('dialog', { name: 'Token generated' });
    await secret.getByText('you will not see it again').waitFor();
    token = await secret.getByRole('textbox', { name: 'SCIM token' }).inputValue();
    expect(token.length).toBeGreaterThan(30);
    await secret.getByRole('button', { name: 'Copy SCIM token' }).click();
    await secret.getByRole('button', { name: 'Copied SCIM token' }).waitFor();
    await secret.getByText('SCIM token copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await screenshot(page, '04-token-secret');
    await screenshotOf(secret, 'token-secret');
    await secret.getByRole('button', { name: 'I have copied the token' }).click();
    await secret.waitFor({ state: 'hidden' });
    const row = tokens.getByRole('row').filter({ hasText: 'Entra Production' });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain('Never');
    // The secret is nowhere on the page any more.
    expect(await page.content()).not.toContain(token);
  }, 30_000);

  it('turns on Sync groups, sets the default role and adds role mappings (normalised value shown)', async () => {
    const sync = page.getByRole('switch', { name: /Sync groups/ });
    expect(await sync.getAttribute('aria-checked')).toBe('false');
    await sync.click();
    await page.getByText('Sync groups is on').waitFor();
    await expect.poll(() => sync.getAttribute('aria-checked')).toBe('true');
    await screenshotOf(page.getByRole('region', { name: 'Group sync' }), 'group-sync');
    // Turning it off asks first; from the keyboard, focus stays on the switch.
    await sync.focus();
    await page.keyboard.press('Space');
    const off = page.getByRole('dialog', { name: 'Turn Sync groups off?' });
    await off.getByRole('button', { name: 'Cancel' }).click();
    await off.waitFor({ state: 'hidden' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('switch');
    expect(await sync.getAttribute('aria-checked')).toBe('true');

    await page.getByLabel('Default role').selectOption('viewer');
    await page.getByText('Default role set to “viewer”.').waitFor();

    const card = page.getByRole('region', { name: 'Role mappings' });
    await card.getByText('No role mappings yet.').waitFor();
    for (const [value, role] of [
      ['  Admin ', 'admin'],
      ['member', 'member'],
      ['viewer', 'viewer'],
    ] as const) {
      await card.getByRole('button', { name: '+ Add mapping' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a role mapping' });
      await dialog.getByLabel('IdP role value').fill(value);
      await dialog.getByText(`Will match: ${value.trim().toLowerCase()}`).waitFor();
      await dialog.getByLabel('App role').selectOption(role);
      if (role === 'admin') await screenshotOf(dialog, 'add-role-mapping');
      await dialog.getByRole('button', { name: 'Add mapping' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await card.getByRole('row').filter({ hasText: role }).first().waitFor();
      // Focus returns to the button that opened the dialog.
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('+ Add mapping');
    }
    // A colliding value is refused with the server's words.
    await card.getByRole('button', { name: '+ Add mapping' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a role mapping' });
    // Nothing is preselected; invisible and look-alike characters are named and shown escaped.
    expect(await dialog.getByLabel('App role').inputValue()).toBe('');
    await dialog.getByLabel('IdP role value').fill('admin\u200b');
    await dialog.getByRole('note').filter({ hasText: 'invisible characters' }).getByText('admin\\u200B').waitFor();
    await dialog.getByLabel('IdP role value').fill('\uff41\uff44\uff4d\uff49\uff4e');
    await dialog.getByRole('note').filter({ hasText: 'non-ASCII look-alike characters' }).waitFor();
    await dialog.getByLabel('IdP role value').fill('ADMIN');
    expect(await dialog.getByRole('note').count()).toBe(0);
    await dialog.getByLabel('App role').selectOption('admin');
    await dialog.getByRole('button', { name: 'Add mapping' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'collides' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('+ Add mapping');

    // Edit: point "viewer" at member, then back.
    await card.getByRole('button', { name: 'Edit mapping viewer' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit role mapping' });
    await edit.getByLabel('App role').selectOption('member');
    await edit.getByRole('button', { name: 'Save mapping' }).click();
    await edit.waitFor({ state: 'hidden' });
    await card.getByText('Mapping saved.').waitFor();
    // Delete it.
    await card.getByRole('button', { name: 'Delete mapping viewer' }).click();
    await page.getByRole('dialog', { name: /Delete the mapping/ }).getByRole('button', { name: 'Delete mapping' }).click();
    await card.getByText('Mapping “viewer” deleted.').waitFor();

    // The notice can show before the list reloads: wait for the row to go.
    await expect.poll(() => card.locator('tbody tr').count()).toBe(2);
    const rows = await card.locator('tbody tr').allTextContents();
    expect(rows[0]).toContain('admin');
    const mappings = (await server.operator('GET', `/orgs/${slug}/role-mappings`)).body;
    expect(mappings.map((m: { normalizedValue: string; role: string }) => `${m.normalizedValue}→${m.role}`)).toEqual(['admin→admin', 'member→member']);
    expect((await server.operator('GET', `/orgs/${slug}/scim`)).body).toMatchObject({ syncGroups: true, defaultRole: 'viewer' });

    // viewer → viewer again, as the guides set it up; then the page as a returning admin sees it.
    await card.getByRole('button', { name: '+ Add mapping' }).click();
    const again = page.getByRole('dialog', { name: 'Add a role mapping' });
    await again.getByLabel('IdP role value').fill('viewer');
    await again.getByLabel('App role').selectOption('viewer');
    await again.getByRole('button', { name: 'Add mapping' }).click();
    await again.waitFor({ state: 'hidden' });
    await expect.poll(() => card.locator('tbody tr').count()).toBe(3);
    await page.reload();
    await card.locator('tbody tr').nth(2).waitFor();
    await screenshot(page, '05-scim-provisioning');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, '05-scim-provisioning-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshotOf(page.getByRole('region', { name: 'Overview' }), 'overview-card');
    await screenshotOf(card, 'role-mappings-card');
  }, 60_000);

  it('shows empty states before the IdP sends anything', async () => {
    await page.getByRole('link', { name: 'Members' }).first().click();
    await page.getByText('No members yet.').waitFor();
    await page.getByText('Assign users to the app in your IdP').waitFor();
    await screenshot(page, '06-members-empty');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByText('No groups yet.').waitFor();
  }, 30_000);

  it('the IdP provisions users and a group with the token (Entra request shapes)', async () => {
    // Test Connection.
    expect((await server.scim(token, 'GET', '/ServiceProviderConfig')).status).toBe(200);
    expect((await server.scim(token, 'GET', '/Users?count=1')).status).toBe(200);
    const probe = await server.scim(token, 'GET', `/Users?filter=userName+eq+%22${randomUUID()}%22`);
    expect(probe).toMatchObject({ status: 200, body: { totalResults: 0 } });
    // Create: Entra looks the user up by userName first, then POSTs.
    for (const [key, p] of Object.entries(people)) {
      expect((await server.scim(token, 'GET', `/Users?filter=userName+eq+%22${encodeURIComponent(p.upn)}%22`)).body.totalResults).toBe(0);
      const created = await server.scim(token, 'POST', '/Users', entraUser(p.given, p.family, p.upn, p.role));
      expect(created.status).toBe(201);
      ids[key] = created.body.id;
    }
    // The group, then its members as a PATCH add (how Entra sends membership).
    const g = await server.scim(token, 'POST', '/Groups', { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: randomUUID(), displayName: 'Engineering', meta: { resourceType: 'Group' } });
    expect(g.status).toBe(201);
    groupId = g.body.id;
    const add = await server.scim(token, 'PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: ids.alice }, { value: ids.bob }] }] });
    expect(add.status).toBe(204);
    // A refused request, so Activity has a failure to show: a user without userName.
    const bad = await server.scim(token, 'POST', '/Users', { schemas: [USER], active: true, emails: [{ value: 'nobody@acme.example', type: 'work', primary: true }] });
    expect(bad.status).toBe(400);
  }, 30_000);

  it('Members shows their names, emails, active state, roles and where the roles came from', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
    const table = page.getByRole('table', { name: /Members/ });
    await table.getByRole('link', { name: 'Alice Johnson' }).waitFor();
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name }) });
    expect(await row('Alice Johnson').textContent()).toContain(people.alice.upn);
    for (const [name, role, source] of [
      ['Alice Johnson', 'admin', 'Role mapping'],
      ['Bob Martinez', 'member', 'Role mapping'],
      ['Carol Nguyen', 'viewer', 'Default role'],
    ] as const) {
      const cells = await row(name).getByRole('cell').allTextContents();
      expect(cells[2]).toBe('Active');
      expect(cells[3]).toBe(role);
      expect(cells[4]).toBe(source);
    }
    expect(await row('Alice Johnson').getByRole('cell').nth(5).textContent()).toBe('Engineering');
    expect(await row('Carol Nguyen').getByRole('cell').nth(5).textContent()).toBe('—');
    await screenshot(page, '07-members');
    await screenshotOf(table, 'members-table');

    // Search and sort.
    await page.getByLabel('Search members').fill('martinez');
    await page.waitForURL(/q=martinez/);
    await table.getByRole('link', { name: 'Bob Martinez' }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    // A search the API refuses shows its words and no list (the previous one is not the answer).
    await page.getByLabel('Search members').fill('x'.repeat(300));
    await page.getByRole('alert').filter({ hasText: 'Could not load the members' }).waitFor();
    expect(await table.count()).toBe(0);
    // Chromium logs the refused request (400) as a console error; that one is expected here.
    const expected = watcher.problems.findIndex((m) => m.includes('status of 400'));
    expect(expected).toBeGreaterThanOrEqual(0);
    watcher.problems.splice(expected, 1);
    await page.getByLabel('Search members').fill('');
    await page.waitForURL((u) => !u.search.includes('q='));
    await table.getByRole('link', { name: 'Carol Nguyen' }).waitFor();
    await table.getByRole('button', { name: /^Name/ }).click();
    await page.waitForURL(/order=desc/);
    await expect.poll(async () => (await table.locator('tbody tr td:first-child a').allTextContents())[0]).toBe('Carol Nguyen');
    expect(await table.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');

    // The phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await table.getByRole('link', { name: 'Alice Johnson' }).waitFor();
    await screenshot(page, '07-members-390');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it("a member's page explains the role, lists groups and activity, shows the SCIM document and changes the role by hand", async () => {
    await page.getByRole('link', { name: 'Alice Johnson' }).click();
    await page.getByRole('heading', { name: /Alice Johnson/, level: 1 }).waitFor();
    const role = page.getByRole('region', { name: 'Role' });
    await role.getByText('Used entry 1 of 1').waitFor();
    expect(await role.textContent()).toMatch(/Admin/);
    await role.getByText('matched').waitFor();
    await page.getByRole('region', { name: 'Groups' }).getByRole('link', { name: 'Engineering' }).waitFor();
    const activity = page.getByRole('region', { name: 'Recent activity' });
    await activity.getByText('Create').first().waitFor();
    await page.getByText('Show the SCIM document').click();
    expect(await page.getByLabel('SCIM document JSON').textContent()).toContain(`"userName": "${people.alice.upn}"`);
    await screenshot(page, '08-member');
    await screenshotOf(role, 'member-role');

    await role.getByLabel('Set role by hand').selectOption('viewer');
    await role.getByRole('button', { name: 'Set role' }).click();
    await page.getByText('Role set to “viewer” by hand.').waitFor();
    await role.getByText('Set by an admin').first().waitFor();
    await role.getByRole('button', { name: 'Return to automatic' }).click();
    await page.getByText(/Role handed back to automatic resolution: now “admin”/).waitFor();
  }, 30_000);

  it('Groups shows the group with its member count, and the group page its members', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Groups' }).click();
    const table = page.getByRole('table', { name: 'Groups' });
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Engineering' }) });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents())[1]).toBe('2');
    await screenshot(page, '09-groups');
    await row.getByRole('link', { name: 'Engineering' }).click();
    await page.getByRole('heading', { name: 'Engineering', level: 1 }).waitFor();
    const members = page.getByRole('table', { name: 'Members of Engineering' });
    await members.getByRole('link', { name: 'Alice Johnson' }).waitFor();
    await members.getByRole('link', { name: 'Bob Martinez' }).waitFor();
    expect(await members.locator('tbody tr').count()).toBe(2);
    await page.getByText('1–2 of 2').waitFor();
    await screenshot(page, '10-group');
  }, 30_000);

  it('a user the IdP deactivates shows as inactive', async () => {
    const off = await server.scim(token, 'PATCH', `/Users/${ids.bob}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status).toBe(200);
    await page.goto(url(`/orgs/${slug}/members`));
    const table = page.getByRole('table', { name: /Members/ });
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Bob Martinez' }) });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents())[2]).toBe('Inactive');
    expect((await table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Alice Johnson' }) }).getByRole('cell').allTextContents())[2]).toBe('Active');
    await page.getByLabel('Status').selectOption('false');
    await page.waitForURL(/active=false/);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
  }, 30_000);

  it('Members and a group page through more than one page', async () => {
    const extra: string[] = [];
    for (let i = 1; i <= 26; i++) {
      const n = String(i).padStart(2, '0');
      const r = await server.scim(token, 'POST', '/Users', entraUser('Zoe', `Extra ${n}`, `zoe.extra${n}-${run}@acme.example`, 'member'));
      expect(r.status).toBe(201);
      extra.push(r.body.id);
    }
    const add = await server.scim(token, 'PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: extra.map((value) => ({ value })) }] });
    expect(add.status).toBe(204);

    await page.goto(url(`/orgs/${slug}/members`));
    const pager = page.getByRole('navigation', { name: 'Members pages' });
    await pager.getByText('1–25 of 29').waitFor();
    await pager.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/page=2/);
    await pager.getByText('26–29 of 29').waitFor();
    const table = page.getByRole('table', { name: /Members/ });
    await table.getByRole('link', { name: 'Zoe Extra 26' }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(4);

    await page.goto(url(`/orgs/${slug}/groups/${groupId}`));
    const groupPager = page.getByRole('navigation', { name: 'Group members pages' });
    await groupPager.getByText('1–25 of 28').waitFor();
    await groupPager.getByRole('button', { name: 'Next' }).click();
    await groupPager.getByText('26–28 of 28').waitFor();
    // Members added in one request join in id order, so page 2 holds three of the Zoes.
    await expect.poll(async () => (await page.getByRole('table', { name: 'Members of Engineering' }).locator('tbody tr td:first-child a').allTextContents()).filter((t) => t.startsWith('Zoe Extra')).length).toBe(3);
    await groupPager.getByRole('button', { name: 'Previous' }).click();
    await groupPager.getByText('1–25 of 28').waitFor();
  }, 60_000);

  it('revoking the token makes the IdP get 401, and Activity shows it', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'SCIM Provisioning' }).click();
    const tokens = page.getByRole('region', { name: 'SCIM tokens' });
    // Regenerate first: a new secret under the same name, the old one refused at once.
    await tokens.getByRole('button', { name: 'Regenerate Entra Production' }).click();
    await page.getByRole('dialog', { name: 'Regenerate “Entra Production”?' }).getByRole('button', { name: 'Regenerate' }).click();
    const fresh = page.getByRole('dialog', { name: 'New secret for this token' });
    await fresh.getByText('The previous secret of this token has stopped working.').waitFor();
    const old = token;
    token = await fresh.getByRole('textbox', { name: 'SCIM token' }).inputValue();
    expect(token).not.toBe(old);
    await fresh.getByRole('button', { name: 'I have copied the token' }).click();
    expect((await server.scim(old, 'GET', '/Users?count=1')).status).toBe(401);
    expect((await server.scim(token, 'GET', '/Users?count=1')).status).toBe(200);

    await tokens.getByRole('button', { name: 'Revoke Entra Production' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Entra Production”?' });
    await dialog.getByText('answers 401 Unauthorized').waitFor();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await tokens.getByText('No active tokens.').waitFor();
    await tokens.getByRole('button', { name: 'Show 2 revoked tokens' }).click();
    await expect.poll(() => tokens.getByText('Revoked', { exact: true }).count()).toBe(2);

    const refused = await server.scim(token, 'GET', '/Users?count=1');
    expect(refused.status).toBe(401);

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const log = page.getByRole('table', { name: /Activity/ });
    await log.getByRole('cell', { name: '401' }).first().waitFor();
    await page.getByRole('img', { name: /Bar chart of SCIM requests per hour/ }).waitFor();
    // The chart draws once its box is measured: wait for it, so the screenshot and the audit see it.
    await page.locator('.recharts-legend-item').first().waitFor();
    expect(await page.getByText(/client errors \(4xx\)/).first().textContent()).toMatch(/[1-9]\d* client errors/);
    await screenshot(page, '11-activity');
    // Admin rows say what they are, target types in words, and the table fits at 1280 px.
    const logText = (await log.textContent()) ?? '';
    expect(logText).toContain('Admin change');
    expect(logText).toContain('Role mapping');
    expect(logText).not.toContain('role-mapping');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const wrap = page.locator('.table-wrap').filter({ has: log });
    expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, '11-activity-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByLabel('Failures only').check();
    await page.waitForURL(/failures=1/);
    await expect.poll(async () => (await log.locator('tbody tr:not(.details-row) td:nth-child(5)').allTextContents()).every((s) => /^4|^5/.test(s.trim()))).toBe(true);
    const row401 = log.locator('tbody tr:not(.details-row)').filter({ hasText: '401' }).first();
    await row401.getByRole('button', { name: /Show details/ }).click();
    const details = log.locator('tr.details-row:not([hidden])').first();
    await details.getByText('Unauthorized: the token is wrong, expired or revoked').waitFor();
    expect(await details.textContent()).toContain('GET /Users?count=1');
    expect(await details.textContent()).toContain('Entra Production');
    await screenshotOf(log, 'activity-401');
    // The 400 with its SCIM error.
    const row400 = log.locator('tbody tr:not(.details-row)').filter({ hasText: '400' }).first();
    await row400.getByRole('button', { name: /Show details/ }).click();
    await log.getByText('invalidValue').first().waitFor();
    await screenshot(page, '12-activity-failures');

    // Filter by a member: Bob's deactivation, with its diff.
    await page.getByLabel('Failures only').uncheck();
    await page.getByLabel('Member or group').fill('Bob');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/target=Bob/);
    const deactivation = log.locator('tbody tr:not(.details-row)').filter({ hasText: 'Deactivate' }).first();
    await deactivation.getByRole('button', { name: /Show details/ }).click();
    const diff = page.getByRole('table', { name: 'Attribute changes' });
    await diff.waitFor();
    expect(await diff.textContent()).toMatch(/active\s*truefalse/);

    // Retention of the log.
    expect(await page.getByLabel('Keep activity for (days)').inputValue()).toBe('30');
    await page.getByLabel('Keep activity for (days)').fill('45');
    await page.getByRole('region', { name: 'Retention' }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('The log now keeps 45 days of activity').waitFor();
    expect((await server.operator('GET', `/orgs/${slug}/scim/overview`)).body.activityRetentionDays).toBe(45);
  }, 60_000);

  it('the operator signs in with the operator token and switches organisation', async () => {
    const op = await context.browser()!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    const p = await op.newPage();
    const opWatch = watchPage(p, server.origin);
    await p.goto(url('/'));
    await p.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    const cardHeight = async () => (await p.locator('.auth-card').boundingBox())!.height;
    const adminHeight = await cardHeight();
    await p.getByRole('button', { name: 'Operator' }).click();
    await p.getByLabel('Operator token').waitFor();
    expect(await cardHeight()).toBe(adminHeight);
    await p.getByLabel('Operator token').fill('not-the-token-at-all');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('alert').filter({ hasText: 'That is not the operator token' }).waitFor();
    // The error belongs to its tab: switching away and back clears it.
    await p.getByRole('button', { name: 'Organisation admin' }).click();
    expect(await p.getByRole('alert').count()).toBe(0);
    await p.getByRole('button', { name: 'Operator' }).click();
    expect(await p.getByRole('alert').count()).toBe(0);
    await p.getByLabel('Operator token').fill(OPERATOR_TOKEN);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Organisations', level: 1 }).waitFor();
    await screenshot(p, '13-operator-orgs');
    await p.getByRole('link', { name: orgName }).click();
    await p.getByRole('heading', { name: 'SCIM Provisioning', level: 1 }).waitFor();
    await p.getByLabel('Organisation').selectOption(`${slug}-b`);
    await p.waitForURL(new RegExp(`/orgs/${slug}-b/scim$`));
    await p.getByText('SCIM is not enabled yet').waitFor();
    await p.getByLabel('Organisation').selectOption(slug);
    await p.waitForURL(new RegExp(`/orgs/${slug}/scim$`));
    await p.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
    await p.waitForURL(new RegExp(`/orgs/${slug}/members$`));
    await p.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await p.getByLabel('Organisation').selectOption(`${slug}-b`);
    await p.waitForURL(new RegExp(`/orgs/${slug}-b/members$`));
    await p.getByText('SCIM is not enabled for this organisation').waitFor();
    await screenshot(p, '14-operator-org-switcher');
    expect(await p.evaluate(() => sessionStorage.getItem('scimd.operatorToken'))).toBe(OPERATOR_TOKEN);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    expect(await p.evaluate(() => sessionStorage.getItem('scimd.operatorToken'))).toBeNull();
    expect(opWatch.problems).toEqual([]);
    await op.close();
  }, 60_000);

  it('an admin invites another admin (a one-time link, shown once) and removes them', async () => {
    await page.goto(url(`/orgs/${slug}/members`));
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Console admins' }).click();
    const list = page.getByRole('table', { name: 'Console admins' });
    await list.getByRole('row').filter({ hasText: email }).getByText('you').waitFor();
    const colleague = `colleague-${run}@acme.example`;
    await page.getByLabel('Email').fill(colleague);
    await page.getByRole('button', { name: 'Invite' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invitation link' });
    const link = await dialog.getByRole('textbox', { name: 'Set-password link' }).inputValue();
    expect(link).toMatch(new RegExp(`^${server.origin}/console/set-password#token=.+`));
    await dialog.getByRole('button', { name: 'I have copied the link' }).click();
    const row = list.getByRole('row').filter({ hasText: colleague });
    await row.getByText('Invited, not set yet').waitFor();
    await screenshot(page, '15-console-admins');
    await row.getByRole('button', { name: `Remove ${colleague}` }).click();
    await page.getByRole('dialog', { name: `Remove ${colleague}?` }).getByRole('button', { name: 'Remove admin' }).click();
    await page.getByText(`${colleague} can no longer sign in`).waitFor();
    await expect.poll(() => list.getByRole('row').filter({ hasText: colleague }).count()).toBe(0);
  }, 30_000);

  it('a 100-character token and role name wrap instead of pushing the page sideways; selects do not stretch', async () => {
    const longToken = 'T'.repeat(100);
    const longRole = 'r'.repeat(100);
    const t = await server.operator('POST', `/orgs/${slug}/scim/tokens`, { name: longToken });
    expect(t.status).toBe(201);
    expect((await server.operator('POST', `/orgs/${slug}/roles`, { name: longRole })).status).toBe(201);
    const noSideways = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await page.goto(url(`/orgs/${slug}/scim`));
    const revoke = page.getByRole('button', { name: `Revoke ${longToken}` });
    await revoke.waitFor();
    await page.getByRole('table', { name: 'App roles' }).getByText(longRole).waitFor();
    expect(await noSideways()).toBe(true);
    const box = await revoke.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    expect((await page.getByLabel('Default role').boundingBox())!.width).toBeLessThan(400);
    await screenshot(page, '16-long-names');
    await revoke.click();
    const dialog = page.getByRole('dialog', { name: /^Revoke/ });
    const title = (await dialog.getByRole('heading').first().boundingBox())!;
    const frame = (await dialog.boundingBox())!;
    expect(title.x + title.width).toBeLessThanOrEqual(frame.x + frame.width);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.goto(url(`/orgs/${slug}/members`));
    await page.getByRole('table', { name: /Members/ }).waitFor();
    expect((await page.getByLabel('Role', { exact: true }).boundingBox())!.width).toBeLessThan(400);
    expect(await noSideways()).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await noSideways()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect((await server.operator('DELETE', `/orgs/${slug}/scim/tokens/${t.body.id}`)).status).toBeLessThan(300);
  }, 30_000);

  it('a session that ends under the console sends the admin to sign in, saying why', async () => {
    await page.goto(url(`/orgs/${slug}/members`));
    await page.getByRole('table', { name: /Members/ }).waitFor();
    // As if it expired or was ended elsewhere: the server no longer knows the cookie.
    const cookies = await context.cookies(server.origin);
    await context.clearCookies();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.getByText('Your session ended (signed out, or idle too long). Sign in again.').waitFor();
    await context.addCookies(cookies);
  }, 30_000);

  it('signing out ends the session; the console asks to sign in again', async () => {
    await page.goto(url(`/orgs/${slug}/members`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.goto(url(`/orgs/${slug}/groups`));
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    expect(watcher.problems).toEqual([]);
  }, 30_000);

  it('the admin API reference at /api/v1/docs renders under its own CSP, which allows no framing', async () => {
    const res = await fetch(`${server.origin}/api/v1/docs`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const p = await context.newPage();
    const docsWatch = watchPage(p, server.origin);
    await p.goto(`${server.origin}/api/v1/docs`);
    await p.getByRole('heading', { name: /scimd admin API/ }).waitFor();
    await p.locator('.opblock').first().waitFor();
    await p.screenshot({ path: 'artifacts/api-docs.png' });
    expect(docsWatch.problems).toEqual([]);
    await p.close();
  }, 30_000);

  it('no Content-Security-Policy violation on any page of the whole run (console and API reference)', () => {
    expect(cspViolations).toEqual([]);
  });

  it('axe-core finds no WCAG 2.1 A/AA problem on any screenshotted page (artifacts/a11y.json)', () => {
    expect(a11yFindings).toEqual([]);
  });
});
