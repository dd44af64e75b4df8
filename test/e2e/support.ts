/**
 * End-to-end harness: a real scimd (createApp + listen on a free port, on the
 * shared embedded test database) serving the built console, and Debian's
 * Chromium driven by playwright-core. Screenshots go to artifacts/ (git-ignored).
 *
 * Chromium comes from `apt-get install -y chromium` (playwright's own browser
 * download is not used). Without it the e2e tests are skipped with a warning,
 * except under CI=true, where a missing browser fails the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../src/app.js';
import { OPERATOR_TOKEN } from '../support/app.js';
import { testDatabase } from '../support/db.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser is there; under CI a missing browser is an error, elsewhere a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  console.warn(`e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return false;
}

/** Builds the console into dist/console unless the build is up to date. */
export function buildConsole(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface Server {
  app: FastifyInstance;
  origin: string;
  /** The admin API with the operator token. */
  operator(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** `/scim/v2` + path with a bearer token, as an IdP calls it. */
  scim(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function startServer(): Promise<Server> {
  const { db } = await testDatabase('pglite');
  // No publicUrl: the Base URL and the set-password link use the request's origin, as a plain `npm start` does.
  const app = createApp({ db, operatorToken: OPERATOR_TOKEN });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call = async (url: string, method: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(url, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': headers['content-type'] ?? 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    app,
    origin,
    operator: (method, path, body) => call(`${origin}/api/v1${path}`, method, { authorization: `Bearer ${OPERATOR_TOKEN}` }, body),
    scim: (token, method, path, body) => call(`${origin}/scim/v2${path}`, method, { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Accessibility problems axe-core found (WCAG 2 A and AA rules), per screenshotted page. */
export const a11yFindings: { page: string; id: string; impact: string | null; help: string; targets: string[] }[] = [];

/** Runs axe-core on the page as it is and records what it finds. */
export async function audit(page: Page, name: string): Promise<void> {
  // Evaluated through the DevTools protocol: the console's CSP rightly refuses an injected <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  for (const v of violations) a11yFindings.push({ page: name, ...v });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'a11y.json'), JSON.stringify(a11yFindings, null, 2));
}

/** A full-page screenshot into artifacts/<name>.png, after an accessibility audit of the page. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await audit(page, name);
  mkdirSync(ARTIFACTS, { recursive: true });
  // Let the chart and fonts settle; no animations are left running.
  // From the top, so the sticky header sits where a person sees it.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts.ready;
  });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** A screenshot of one part of a page into artifacts/docs/<name>.png (for docs/idp/img). */
export async function screenshotOf(target: Locator, name: string): Promise<void> {
  mkdirSync(join(ARTIFACTS, 'docs'), { recursive: true });
  await target.screenshot({ path: join(ARTIFACTS, 'docs', `${name}.png`), animations: 'disabled' });
}

/**
 * Every Content-Security-Policy violation any watched page reported, from its
 * `securitypolicyviolation` events and Chromium's "Refused to …" console
 * messages: the console must work under its CSP without tripping it once.
 */
export const cspViolations: string[] = [];

/** Records the page's console errors, failed requests, any request to another origin, and CSP violations (cspViolations). */
export function watchPage(page: Page, origin: string): { problems: string[] } {
  const problems: string[] = [];
  // An init script runs through the DevTools protocol, outside the page's CSP; console.error reaches the listener below.
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/securitypolicyviolation|Content Security Policy/i.test(msg.text())) cspViolations.push(`${page.url()}: ${msg.text()}`);
    // The API's deliberate 401/404 answers are logged by Chromium as failed loads; those are expected.
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|404|409)/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request to another origin: ${url}`);
  });
  return { problems };
}
