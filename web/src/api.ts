/**
 * The admin API client. Credentials: the console session cookie (sent by the
 * browser; every change also carries `X-CSRF-Token`), or the operator token
 * kept in this tab's sessionStorage and sent as a bearer. Every failure becomes
 * an `ApiError` whose message says in words what happened and what to do.
 */

const OPERATOR_KEY = 'scimd.operatorToken';

let csrfToken: string | null = null;
let onSignedOut: ((why: string) => void) | null = null;

export const credentials = {
  operatorToken: (): string | null => sessionStorage.getItem(OPERATOR_KEY),
  setOperatorToken(token: string | null) {
    if (token) sessionStorage.setItem(OPERATOR_KEY, token);
    else sessionStorage.removeItem(OPERATOR_KEY);
  },
  setCsrfToken(token: string | null) {
    csrfToken = token;
  },
  /** Called when the API answers 401 to a signed-in call (session ended, token refused). */
  onSignedOut(handler: ((why: string) => void) | null) {
    onSignedOut = handler;
  },
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** A sentence for a status when the server said nothing usable. */
function fallbackMessage(status: number): string {
  if (status === 401) return 'You are not signed in, or your session ended. Sign in again.';
  if (status === 403) return 'This action is not allowed for your account.';
  if (status === 404) return 'Not found: it may have been deleted, or belongs to another organisation.';
  if (status === 409) return 'This conflicts with something that already exists.';
  if (status === 429) return 'Too many attempts. Wait a few minutes and try again.';
  if (status >= 500) return `scimd had an internal error (HTTP ${status}); nothing was changed. The server log has the details.`;
  return `The request failed (HTTP ${status}).`;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/v1` + path + the non-empty query parameters. */
export function apiUrl(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Don't treat a 401 as the end of the session (sign-in, set-password, the session probe). */
  expect401?: boolean;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const operator = credentials.operatorToken();
  if (operator) headers.Authorization = `Bearer ${operator}`;
  else if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Could not reach scimd. Check that the server is running and that you are online, then try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    const retry = Number(res.headers.get('Retry-After'));
    const err = new ApiError(res.status, typeof message === 'string' && message ? message : fallbackMessage(res.status), Number.isFinite(retry) && retry > 0 ? retry : undefined);
    if (res.status === 401 && !opts.expect401 && onSignedOut) {
      onSignedOut(operator ? 'The operator token was refused. Paste it again.' : 'Your session ended (signed out, or idle too long). Sign in again.');
    }
    throw err;
  }
  return body as T;
}

/** The words to show for any error a page caught. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
