/**
 * scimd's configuration: one schema of environment variables with defaults and
 * units, validated once at start-up and frozen. Nothing else reads `process.env`.
 * Every key is documented in docs/config.md.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Upper bound of SCIMD_MAX_FILTER_DEPTH: 150 nested `not (` already exceed embedded PGlite's stack when the SQL runs (measured). */
export const MAX_CONFIGURABLE_FILTER_DEPTH = 100;
/** Upper bound of SCIMD_MAX_FILTER_CLAUSES: a 5,000-clause and/or chain still compiles and runs on both databases, 10,000 does not (measured; test/http/limits.test.ts). */
export const MAX_CONFIGURABLE_FILTER_CLAUSES = 5000;
/** Upper bound of SCIMD_MAX_MEMBERS_PER_REQUEST: member ids travel as bind parameters, of which PostgreSQL takes 65,535 per statement. */
export const MAX_CONFIGURABLE_MEMBERS = 50_000;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  SCIMD_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a postgres:// or postgresql:// URL (leave unset for the embedded database)',
  }),
  SCIMD_PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: 'must be an absolute http(s) URL such as https://scim.example.com',
  }),
  SCIMD_OPERATOR_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  /** A bearer token that may read /metrics besides the operator token (a scraper needs no admin rights). */
  SCIMD_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  /** Largest accepted request body, bytes (RFC 7644 §3.7.4 maxPayloadSize is the same number). */
  SCIMD_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Largest page a list request returns (RFC 7644 §3.4.2.4: the server may cap `count`). */
  SCIMD_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Most operations one /Bulk request may carry (RFC 7644 §3.7.4 maxOperations). */
  SCIMD_BULK_MAX_OPERATIONS: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Longest filter, characters (RFC 7644 §3.4.2.2 sets none; docs/scim.md "Limits"). */
  SCIMD_MAX_FILTER_LENGTH: z.coerce.number().int().min(256).max(1_048_576).default(4096),
  /** Deepest nesting of `(`, `not (` and `[` in a filter; bounds recursion in the parser, the SQL translator and PostgreSQL. */
  SCIMD_MAX_FILTER_DEPTH: z.coerce.number().int().min(1).max(MAX_CONFIGURABLE_FILTER_DEPTH).default(50),
  /** Most comparison clauses in one filter; bounds SQL size and the depth of and/or chains. */
  SCIMD_MAX_FILTER_CLAUSES: z.coerce.number().int().min(1).max(MAX_CONFIGURABLE_FILTER_CLAUSES).default(500),
  /** Most operations in one PATCH request. */
  SCIMD_MAX_PATCH_OPERATIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Most group member values in one request (a Group POST/PUT body, or one PATCH's member operations summed). */
  SCIMD_MAX_MEMBERS_PER_REQUEST: z.coerce.number().int().min(1).max(MAX_CONFIGURABLE_MEMBERS).default(10_000),
  /** Console sessions end after this many minutes without a request. */
  SCIMD_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Console sessions end this many hours after sign-in, however busy. */
  SCIMD_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  /** Reverse proxies whose X-Forwarded-* headers are believed: unset/false, true (any), or a comma list of addresses/CIDRs. */
  SCIMD_TRUST_PROXY: optionalString.transform((v, ctx) => {
    if (v === undefined || v.toLowerCase() === 'false') return false;
    if (v.toLowerCase() === 'true') return true;
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (!list.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a) || ['loopback', 'linklocal', 'uniquelocal'].includes(a))) {
      ctx.addIssue({ code: 'custom', message: 'must be true, false, or a comma-separated list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal)' });
      return z.NEVER;
    }
    return list;
  }),
  /** Wrong bearer tokens one client address may present per window before it gets 429 (src/http/auth-failures.ts). */
  SCIMD_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** That window, seconds, from the address's first counted failure. */
  SCIMD_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** PostgreSQL connections one instance opens (pg pool `max`). */
  SCIMD_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /** Seconds a request waits for a PostgreSQL connection before it answers 503. */
  SCIMD_DB_CONNECT_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(5),
  /** Seconds a PostgreSQL query may wait for its answer before the request answers 503; 0: no limit. */
  SCIMD_DB_QUERY_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Seconds `serve` waits after SIGTERM/SIGINT for in-flight requests before it exits anyway (exit code 1). */
  SCIMD_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),
  SCIMD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The validated, frozen configuration. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Externally visible base URL without trailing slash, or undefined to derive it from each request's Host. */
  publicUrl: string | undefined;
  operatorToken: string | undefined;
  /** Also accepted at /metrics (besides the operator token); undefined for none. */
  metricsToken: string | undefined;
  maxPayloadBytes: number;
  maxPageSize: number;
  bulkMaxOperations: number;
  maxFilterLength: number;
  maxFilterDepth: number;
  maxFilterClauses: number;
  maxPatchOperations: number;
  maxMembersPerRequest: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Fastify `trustProxy`: false, true, or the trusted proxies' addresses. */
  trustProxy: boolean | string[];
  /** Wrong bearer tokens per client address per window before 429. */
  authFailureLimit: number;
  /** The window of authFailureLimit, seconds. */
  authFailureWindowSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** PostgreSQL pool: connections, and the connect/query timeouts in milliseconds (0: no query limit). */
  dbPoolSize: number;
  dbConnectTimeoutMs: number;
  dbQueryTimeoutMs: number;
  /** Milliseconds between SIGTERM and a forced exit. */
  shutdownGraceMs: number;
}

/** Thrown when an environment variable has a bad value; its message lists every problem. */
export class ConfigError extends Error {}

/**
 * Reads and validates the configuration from `env` (defaults to `process.env`).
 * @throws ConfigError naming each bad variable and what it must be.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Secrets are named, never echoed (a config error goes to logs and terminals).
    const shown = (name: string) => (/TOKEN|PASSWORD|SECRET|DATABASE_URL/.test(name) ? '<hidden>' : JSON.stringify(env[name] ?? ''));
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${shown(String(i.path[0]))}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.SCIMD_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    publicUrl: e.SCIMD_PUBLIC_URL?.replace(/\/+$/, ''),
    operatorToken: e.SCIMD_OPERATOR_TOKEN,
    metricsToken: e.SCIMD_METRICS_TOKEN,
    maxPayloadBytes: e.SCIMD_MAX_PAYLOAD_BYTES,
    maxPageSize: e.SCIMD_MAX_PAGE_SIZE,
    bulkMaxOperations: e.SCIMD_BULK_MAX_OPERATIONS,
    maxFilterLength: e.SCIMD_MAX_FILTER_LENGTH,
    maxFilterDepth: e.SCIMD_MAX_FILTER_DEPTH,
    maxFilterClauses: e.SCIMD_MAX_FILTER_CLAUSES,
    maxPatchOperations: e.SCIMD_MAX_PATCH_OPERATIONS,
    maxMembersPerRequest: e.SCIMD_MAX_MEMBERS_PER_REQUEST,
    sessionIdleMinutes: e.SCIMD_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.SCIMD_SESSION_MAX_HOURS,
    trustProxy: e.SCIMD_TRUST_PROXY,
    authFailureLimit: e.SCIMD_AUTH_FAILURE_LIMIT,
    authFailureWindowSeconds: e.SCIMD_AUTH_FAILURE_WINDOW_SECONDS,
    logLevel: e.SCIMD_LOG_LEVEL,
    dbPoolSize: e.SCIMD_DB_POOL_SIZE,
    dbConnectTimeoutMs: Math.round(e.SCIMD_DB_CONNECT_TIMEOUT_SECONDS * 1000),
    dbQueryTimeoutMs: Math.round(e.SCIMD_DB_QUERY_TIMEOUT_SECONDS * 1000),
    shutdownGraceMs: Math.round(e.SCIMD_SHUTDOWN_GRACE_SECONDS * 1000),
  });
}
