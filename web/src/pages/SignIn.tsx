/** Sign in: an org admin by email and password, or the operator by pasting the operator token. */
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api';
import { useAuth, type Principal } from '../auth';
import { useTitle } from '../components/Layout';
import { ErrorMessage, Loading, Notice } from '../components/ui';
import { plural } from '../format';
import { useAction } from '../hooks';

interface LocationState {
  from?: string;
  email?: string;
  passwordSet?: boolean;
}

function destination(p: Principal, from: string | undefined): string {
  if (from && from !== '/' && !from.startsWith('/sign-in')) return from;
  if (p.kind === 'admin') return `/orgs/${p.org.slug}/scim`;
  return p.orgs.length === 1 ? `/orgs/${p.orgs[0]!.slug}/scim` : '/orgs';
}

export function SignInPage() {
  useTitle('Sign in');
  const { principal, endedBecause, signIn, signInOperator } = useAuth();
  const navigate = useNavigate();
  const state = (useLocation().state ?? {}) as LocationState;
  const [email, setEmail] = useState(state.email ?? '');
  const [password, setPassword] = useState('');
  const [operatorToken, setOperatorToken] = useState('');
  const [mode, setModeState] = useState<'admin' | 'operator'>('admin');
  const action = useAction();
  // An error belongs to the tab that caused it.
  const setMode = (m: 'admin' | 'operator') => {
    if (m !== mode) action.setError(null);
    setModeState(m);
  };

  if (principal === undefined) return <Loading what="Checking your sign-in" />;
  if (principal && !action.busy) return <Navigate to={destination(principal, state.from)} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = await action.run(() => (mode === 'admin' ? signIn(email.trim(), password) : signInOperator(operatorToken.trim())));
    if (p) navigate(destination(p, state.from), { replace: true });
  };

  const err = action.error;
  const errorWords =
    err instanceof ApiError && err.status === 429 && err.retryAfterSeconds
      ? new Error(`Too many failed sign-ins for this account. Try again in ${plural(Math.ceil(err.retryAfterSeconds / 60), 'minute')}.`)
      : err;

  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          scimd
        </div>
        <h1>Sign in to the console</h1>
        <p className="muted">Set up SCIM provisioning for your organisation: connect your identity provider, map its roles, and see what it sent.</p>
        {state.passwordSet ? <Notice tone="success">Your password is set. Sign in with it now.</Notice> : null}
        {endedBecause && !err ? <Notice tone="warning">{endedBecause}</Notice> : null}
        <div className="segmented" role="group" aria-label="Sign in as">
          <button type="button" aria-pressed={mode === 'admin'} onClick={() => setMode('admin')}>
            Organisation admin
          </button>
          <button type="button" aria-pressed={mode === 'operator'} onClick={() => setMode('operator')}>
            Operator
          </button>
        </div>
        <div className="sign-in-panel">
        <form onSubmit={submit} className="form" noValidate={false}>
          {mode === 'admin' ? (
            <>
              <div className="field">
                <label htmlFor="email">Email</label>
                <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
              </div>
              <div className="field">
                <label htmlFor="password">Password</label>
                <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
              </div>
            </>
          ) : (
            <div className="field">
              <label htmlFor="operator-token">Operator token</label>
              <input id="operator-token" type="password" autoComplete="off" required value={operatorToken} onChange={(e) => setOperatorToken(e.target.value)} spellCheck={false} aria-describedby="operator-help" autoFocus />
              <p id="operator-help" className="help">
                The value of <code>SCIMD_OPERATOR_TOKEN</code>, or of the <code>operator-token</code> file in scimd’s data folder. It reaches every organisation and is kept only in this browser tab until you sign out or close it.
              </p>
            </div>
          )}
          <ErrorMessage error={errorWords} />
          <button type="submit" className="btn btn-primary btn-block" disabled={action.busy}>
            {action.busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {mode === 'admin' ? (
          <p className="help">
            No password yet? Use the one-time link you were sent: another admin of your organisation makes one under Console admins, or your scimd operator with <code>scimd admin create</code>.
          </p>
        ) : null}
        </div>
      </main>
    </div>
  );
}
