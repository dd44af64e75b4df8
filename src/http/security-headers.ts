/**
 * Browser security headers on every answer, set by @fastify/helmet (issue 6,
 * "Console: security headers and a strict Content-Security-Policy"):
 *
 * - everywhere: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
 *   no-referrer` (a console URL never travels to another site),
 *   `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'` (no framing, so
 *   no clickjacking), `Cross-Origin-Opener-Policy`/`-Resource-Policy:
 *   same-origin`, and `Strict-Transport-Security` when the request arrived over
 *   HTTPS or SCIMD_PUBLIC_URL is https (RFC 6797 §7.2: never over plain HTTP);
 * - the APIs (JSON, never rendered): CSP `default-src 'none'`, so a response
 *   opened in a browser can run or load nothing;
 * - the console (`/console`): CONSOLE_CSP, this origin only, no inline script;
 * - the API reference (`/api/v1/docs`, @fastify/swagger-ui): SWAGGER_UI_CSP,
 *   which allows the two inline scripts and styles of that page by hash.
 */
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** One year, seconds: the `max-age` HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

const FRAMING = { 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"] };

/** The APIs' policy (also 404s and the `/` redirect). */
const API_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], ...FRAMING } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // Set per request below: only over HTTPS.
  strictTransportSecurity: false,
};

/**
 * The console's Content-Security-Policy directives. The built console (Vite)
 * is one script and one stylesheet file from this origin, and calls only this
 * origin's API. React and Recharts set styles through the CSSOM (element.style),
 * which CSP does not govern, so no inline style is allowed either; fonts and
 * images come from the build, images also as data: URLs (the favicon).
 */
export const CONSOLE_CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The console's `Content-Security-Policy` header value, as helmet writes it. */
export const CONSOLE_CSP = Object.entries(CONSOLE_CSP_DIRECTIVES)
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join(';');

/** Route option `helmet` for the console's routes. */
export const CONSOLE_HELMET = { contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP_DIRECTIVES } };

/**
 * The one `<style>` element swagger-ui-bundle.js inserts at run time, allowed
 * by its hash (CSP3 §8.3). Chromium names the hash in its refusal when an
 * upgrade changes it, and test/e2e/console.test.ts fails on any violation.
 */
export const SWAGGER_UI_INLINE_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * The API reference page (`/api/v1/docs`): @fastify/swagger-ui writes its own
 * policy for it (`staticCSP: true`, with hashes of any inline script or style
 * it ships); this makes it as strict as the console's where the page allows:
 * no framing, no `<base>`, images, fonts and styles from this origin only (the
 * library also allows any https: style and font, and validator.swagger.io
 * images, which the page as served here never uses), and no
 * `upgrade-insecure-requests`, which would break it on a plain-HTTP server.
 * @param header the library's policy, `name value; name value; …`.
 */
export function swaggerUiCsp(header: string): string {
  const tightened: Record<string, (sources: string[]) => string[]> = {
    'frame-ancestors': () => ["'none'"],
    'base-uri': () => ["'none'"],
    'img-src': () => ["'self'", 'data:'],
    'font-src': () => ["'self'", 'data:'],
    'style-src': (sources) => [...sources.filter((s) => s !== 'https:'), SWAGGER_UI_INLINE_STYLE],
  };
  const directives = header
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .filter(([name]) => name && name !== 'upgrade-insecure-requests')
    .map(([name, ...sources]) => [name!, tightened[name!]?.(sources) ?? sources] as const);
  return [...directives, ['form-action', ["'none'"]] as const].map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

/**
 * Registers helmet on the whole app, and HSTS for HTTPS requests.
 * @param publicUrl SCIMD_PUBLIC_URL: when https, every answer carries HSTS
 * (TLS ends at a proxy that may not say so in X-Forwarded-Proto).
 */
export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string | undefined): void {
  app.register(helmet, API_OPTIONS);
  const httpsSite = publicUrl?.toLowerCase().startsWith('https:') === true;
  app.addHook('onRequest', async (req, reply) => {
    if (httpsSite || req.protocol === 'https') reply.header('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`);
  });
}
