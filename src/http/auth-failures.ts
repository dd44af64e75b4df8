/**
 * Rate limiting of failed bearer authentications, per client address, for the
 * SCIM API and the admin API's operator token (issue 6, "Secrets").
 *
 * A client address (`req.ip`: the socket's peer, or the X-Forwarded-For
 * client when SCIMD_TRUST_PROXY trusts the proxy) that presents `limit` wrong
 * bearer tokens within `windowMs` gets 429 with `Retry-After` (RFC 6585 §4,
 * RFC 9110 §10.2.3) instead of 401 until its window ends: on the SCIM API for
 * every request without a valid token, on the admin API for every wrong
 * operator token (a request with no credential still gets its 401 there: the
 * console's sign-in page starts with one). A request without any credential
 * guesses nothing, so only wrong tokens are counted. The callers check the presented token *before* asking here: a valid
 * token is never refused or slowed, even from an address that is throttled,
 * because an identity provider's egress addresses may be shared with whoever
 * is guessing.
 *
 * Counted in memory, per process, unlike the sign-in throttle
 * (accounts/login-throttle.ts), which is counted in the database so that every
 * instance sees the same sign-ins: here counting in the database would turn
 * each wrong token of a flood into a write. Behind N instances a client gets up
 * to N × `limit` tries per window, which is still nothing against 256-bit tokens.
 *
 * An IPv6 client is counted by its /64 network: one host is normally given a
 * whole /64 (RFC 4291 §2.5.4, RFC 7421), so counting single addresses would
 * give it 2^64 fresh counts.
 *
 * Memory is bounded: at most `maxClients` addresses are remembered, least
 * recently failed first out (a Map keeps insertion order, and a failure
 * re-inserts its address). Addresses that present valid tokens are never stored.
 */
import { isIPv6 } from 'node:net';
import type { FastifyReply } from 'fastify';
import { retryAfterSecondsUntil } from '../accounts/login-throttle.js';
import { ScimError } from '../scim/errors.js';

/** How the limiter counts; `SCIMD_AUTH_FAILURE_LIMIT` / `SCIMD_AUTH_FAILURE_WINDOW_SECONDS`. */
export interface AuthFailureLimits {
  /** Wrong tokens one address may present per window before it gets 429 (≥ 1). */
  limit: number;
  /** Window length, milliseconds; it starts at the address's first counted failure. */
  windowMs: number;
  /** Most addresses remembered at once (default 10,000, about 1 MB). */
  maxClients?: number;
  /** The clock, milliseconds since the epoch (tests inject a fake one). */
  now?: () => number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT = 20;
export const DEFAULT_AUTH_FAILURE_WINDOW_SECONDS = 60;

/**
 * The key an address is counted under: an IPv6 address's /64 network
 * (`2001:db8:0:1::/64`), any other address (IPv4, IPv4-mapped IPv6) itself.
 */
export function clientKey(address: string): string {
  const ip = address.split('%')[0]!;
  if (!isIPv6(ip) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, '');
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** Failed-authentication counts per client address, in one process; see the module comment. */
export class AuthFailureLimiter {
  private readonly clients = new Map<string, { windowStart: number; failures: number }>();
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(private readonly limits: AuthFailureLimits) {
    this.maxClients = limits.maxClients ?? 10_000;
    this.now = limits.now ?? Date.now;
  }

  /** The address's live window, forgetting one that has ended. */
  private current(key: string) {
    const entry = this.clients.get(key);
    if (entry && this.now() - entry.windowStart >= this.limits.windowMs) {
      this.clients.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Seconds until `client` may be answered 401 again, or 0 when it is not
   * throttled. Ask only for a request whose credential failed.
   */
  retryAfterSeconds(client: string): number {
    const entry = this.current(clientKey(client));
    if (!entry || entry.failures < this.limits.limit) return 0;
    return retryAfterSecondsUntil(entry.windowStart + this.limits.windowMs, this.now());
  }

  /** Counts one wrong token presented by `client`. */
  recordFailure(client: string): void {
    const key = clientKey(client);
    const entry = this.current(key) ?? { windowStart: this.now(), failures: 0 };
    entry.failures++;
    this.clients.delete(key);
    this.clients.set(key, entry);
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value!);
  }

  /**
   * The 429 to throw when `client` is throttled, with `Retry-After` set on
   * `reply`; undefined when it is not. Counts nothing.
   */
  throttled(client: string, reply: FastifyReply): ScimError | undefined {
    const wait = this.retryAfterSeconds(client);
    if (wait === 0) return undefined;
    reply.header('Retry-After', String(wait));
    return new ScimError(429, undefined, `Too many requests with a wrong bearer token from this address; try again in ${wait} seconds (a valid token is served at any time)`);
  }

  /**
   * For a request whose token failed: the 429 when `client` is throttled,
   * else undefined after counting the failure (the caller answers 401).
   */
  refuse(client: string, reply: FastifyReply): ScimError | undefined {
    const throttled = this.throttled(client, reply);
    if (!throttled) this.recordFailure(client);
    return throttled;
  }

  /** How many addresses are remembered (for tests of the bound). */
  get size(): number {
    return this.clients.size;
  }
}
