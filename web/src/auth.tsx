/**
 * Who is signed in: an org admin (session cookie + CSRF token, one org) or the
 * operator (token in this tab's sessionStorage, every org), or nobody.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, credentials } from './api';
import type { Org, Session } from './types';

export type Principal = { kind: 'admin'; email: string; org: Org } | { kind: 'operator'; orgs: Org[] };

interface AuthState {
  /** undefined while the first check runs. */
  principal: Principal | null | undefined;
  /** Why the last session ended, for the sign-in page. */
  endedBecause: string | null;
  signIn(email: string, password: string): Promise<Principal>;
  signInOperator(token: string): Promise<Principal>;
  signOut(): Promise<void>;
  /** Reloads the operator's list of orgs (after creating one). */
  refreshOrgs(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}

async function operatorPrincipal(): Promise<Principal> {
  const orgs = await api<Org[]>('GET', '/orgs', { expect401: true });
  return { kind: 'operator', orgs };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [principal, setPrincipal] = useState<Principal | null | undefined>(undefined);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  useEffect(() => {
    credentials.onSignedOut((why) => {
      credentials.setOperatorToken(null);
      credentials.setCsrfToken(null);
      setEndedBecause(why);
      setPrincipal(null);
    });
    let cancelled = false;
    (async () => {
      try {
        if (credentials.operatorToken()) {
          const p = await operatorPrincipal();
          if (!cancelled) setPrincipal(p);
          return;
        }
        const s = await api<Session>('GET', '/session', { expect401: true });
        credentials.setCsrfToken(s.csrfToken);
        if (!cancelled) setPrincipal({ kind: 'admin', email: s.admin.email, org: s.admin.org });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          if (credentials.operatorToken()) setEndedBecause('The operator token was refused. Paste it again.');
          credentials.setOperatorToken(null);
        } else {
          setEndedBecause(err instanceof Error ? err.message : String(err));
        }
        if (!cancelled) setPrincipal(null);
      }
    })();
    return () => {
      cancelled = true;
      credentials.onSignedOut(null);
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    credentials.setOperatorToken(null);
    const s = await api<Session>('POST', '/session', { body: { email, password }, expect401: true });
    credentials.setCsrfToken(s.csrfToken);
    const p: Principal = { kind: 'admin', email: s.admin.email, org: s.admin.org };
    setEndedBecause(null);
    setPrincipal(p);
    return p;
  }, []);

  const signInOperator = useCallback(async (token: string) => {
    credentials.setOperatorToken(token);
    try {
      const p = await operatorPrincipal();
      setEndedBecause(null);
      setPrincipal(p);
      return p;
    } catch (err) {
      credentials.setOperatorToken(null);
      if (err instanceof ApiError && err.status === 401) throw new ApiError(401, 'That is not the operator token. Copy it again from SCIMD_OPERATOR_TOKEN or the data folder’s operator-token file.');
      throw err;
    }
  }, []);

  const signOut = useCallback(async () => {
    if (credentials.operatorToken()) credentials.setOperatorToken(null);
    else {
      try {
        await api('DELETE', '/session', { expect401: true });
      } catch {
        // Signed out already, or the server is away: the cookie is useless either way.
      }
    }
    credentials.setCsrfToken(null);
    setEndedBecause(null);
    setPrincipal(null);
  }, []);

  const refreshOrgs = useCallback(async () => {
    if (!credentials.operatorToken()) return;
    setPrincipal(await operatorPrincipal());
  }, []);

  const value = useMemo(() => ({ principal, endedBecause, signIn, signInOperator, signOut, refreshOrgs }), [principal, endedBecause, signIn, signInOperator, signOut, refreshOrgs]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
