/** The one-time set-password link: /console/set-password#token=… (the token never leaves the page except to the API). */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../api';
import { useTitle } from '../components/Layout';
import { ErrorMessage } from '../components/ui';
import { useAction } from '../hooks';

const MIN_LENGTH = 12;

function tokenFromHash(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return params.get('token');
}

export function SetPasswordPage() {
  useTitle('Set your password');
  const navigate = useNavigate();
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();

  // Take the secret out of the address bar (and so out of history and screenshots).
  useEffect(() => {
    if (window.location.hash) history.replaceState(history.state, '', window.location.pathname + window.location.search);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    if (password.length < MIN_LENGTH) return setProblem(`Use at least ${MIN_LENGTH} characters.`);
    if (password !== confirm) return setProblem('The two passwords are not the same.');
    const done = await action.run(() => api<{ email: string }>('POST', '/password', { body: { token, password }, expect401: true }));
    if (done) navigate('/sign-in', { replace: true, state: { email: done.email, passwordSet: true } });
  };

  const err = action.error instanceof ApiError && action.error.status === 401 ? new Error('This link is not valid any more: it was used already, it expired (links last 72 hours), or a newer link replaced it. Ask your scimd operator or another admin for a new one.') : action.error;

  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          scimd
        </div>
        <h1>Set your password</h1>
        {!token ? (
          <>
            <div className="alert alert-error" role="alert">
              This page needs the whole link you were sent, including the part after <code>#token=</code>. Open the link again, or ask for a new one.
            </div>
            <p>
              <Link to="/sign-in">Go to sign-in</Link>
            </p>
          </>
        ) : (
          <form onSubmit={submit} className="form">
            <p className="muted">Choose the password for your console account. The link works once.</p>
            <div className="field">
              <label htmlFor="new-password">New password</label>
              <input id="new-password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="pw-help" autoFocus />
              <p id="pw-help" className="help">
                At least {MIN_LENGTH} characters. A few unrelated words make a good one.
              </p>
            </div>
            <div className="field">
              <label htmlFor="confirm-password">Repeat the password</label>
              <input id="confirm-password" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
            </div>
            {problem ? (
              <div className="alert alert-error" role="alert">
                {problem}
              </div>
            ) : null}
            <ErrorMessage error={err} />
            <button type="submit" className="btn btn-primary btn-block" disabled={action.busy}>
              {action.busy ? 'Saving…' : 'Set password'}
            </button>
          </form>
        )}
      </main>
    </div>
  );
}
