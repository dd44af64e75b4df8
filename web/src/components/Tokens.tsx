/** SCIM tokens: generate (the secret shown once), the table, revoke and regenerate. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatDateTime } from '../format';
import { useAction, useApi } from '../hooks';
import type { IssuedToken, Token } from '../types';
import { Badge, Card, ConfirmDialog, CopyField, DateText, Dialog, EmptyState, ErrorMessage, Loading, When } from './ui';

const EXPIRY_CHOICES: { label: string; days: number | null }[] = [
  { label: 'Never', days: null },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
  { label: 'In 1 year', days: 365 },
  { label: 'In 2 years', days: 730 },
];

function TokenStatus({ t }: { t: Token }) {
  if (t.status === 'active') return <Badge tone="green">Active</Badge>;
  if (t.status === 'expired') return <Badge tone="amber">Expired</Badge>;
  return <Badge tone="grey">Revoked</Badge>;
}

/** The secret, once: copy it now. */
function SecretDialog({ issued, regenerated, onDone }: { issued: IssuedToken | null; regenerated: boolean; onDone(): void }) {
  return (
    <Dialog
      open={issued !== null}
      title={regenerated ? 'New secret for this token' : 'Token generated'}
      onClose={onDone}
      dismissable={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have copied the token
        </button>
      }
    >
      {issued ? (
        <>
          <div className="alert alert-warning" role="note">
            <strong>Copy this token now: you will not see it again.</strong> scimd stores only a hash of it. If you lose it, regenerate it here and paste the new one into your IdP.
          </div>
          <CopyField label="SCIM token" value={issued.token} secret id="new-token-secret" />
          <p className="help">
            Paste it into your IdP as the <strong>Secret Token</strong> (Entra) or <strong>API token</strong> (Okta), together with the Base URL. Name: “{issued.name}”
            {issued.expiresAt ? `, expires ${formatDateTime(issued.expiresAt)}` : ', does not expire'}.
            {regenerated ? ' The previous secret of this token has stopped working.' : ''}
          </p>
        </>
      ) : null}
    </Dialog>
  );
}

export function TokensCard({ base, enabled, onChange }: { base: string; enabled: boolean; onChange(): void }) {
  const tokens = useApi<Token[]>(`${base}/scim/tokens`);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [expiryDays, setExpiryDays] = useState<string>('');
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [regenerated, setRegenerated] = useState(false);
  const [pending, setPending] = useState<{ kind: 'revoke' | 'regenerate'; token: Token } | null>(null);
  const create = useAction();
  const change = useAction();
  const [showRevoked, setShowRevoked] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const days = expiryDays ? Number(expiryDays) : null;
    const body = { name: name.trim(), ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}) };
    const t = await create.run(() => api<IssuedToken>('POST', `${base}/scim/tokens`, { body }));
    if (t) {
      setCreating(false);
      setName('');
      setExpiryDays('');
      setRegenerated(false);
      setIssued(t);
      tokens.reload();
      onChange();
    }
  };

  const confirmPending = async () => {
    if (!pending) return;
    const { kind, token } = pending;
    if (kind === 'revoke') {
      const ok = await change.run(() => api('DELETE', `${base}/scim/tokens/${token.id}`).then(() => true));
      if (ok) setPending(null);
    } else {
      const t = await change.run(() => api<IssuedToken>('POST', `${base}/scim/tokens/${token.id}/regenerate`));
      if (t) {
        setPending(null);
        setRegenerated(true);
        setIssued(t);
      }
    }
    tokens.reload();
    onChange();
  };

  const list = tokens.data ?? [];
  const visible = showRevoked ? list : list.filter((t) => t.status !== 'revoked');
  const hiddenCount = list.length - visible.length;

  return (
    <Card
      title="SCIM tokens"
      description="Your IdP sends a token with every request; the token decides the organisation. Keep several to rotate without downtime."
      actions={
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          Generate token
        </button>
      }
    >
      {!enabled ? <p className="help">SCIM is not enabled: a token works only once it is.</p> : null}
      <ErrorMessage error={tokens.error} prefix="Could not load the tokens." />
      {tokens.loading && !tokens.data ? (
        <Loading what="Loading tokens" />
      ) : visible.length === 0 ? (
        <EmptyState title={list.length === 0 ? 'No tokens yet.' : 'No active tokens.'}>
          Click <strong>Generate token</strong>, name it after the IdP connection (e.g. “Entra Production”), and paste the secret into your IdP with the Base URL.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table responsive">
            <caption className="visually-hidden">SCIM tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visible.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">
                    <strong>{t.name}</strong>
                    <div className="muted mono small" title="The token's public prefix: the secret starts with it">
                      {t.prefix}…
                    </div>
                  </td>
                  <td data-label="Created">
                    <DateText iso={t.createdAt} />
                  </td>
                  <td data-label="Last used">
                    <When iso={t.lastUsedAt} />
                  </td>
                  <td data-label="Expires">
                    <DateText iso={t.expiresAt} empty="Never" />
                  </td>
                  <td data-label="Status">
                    <TokenStatus t={t} />
                  </td>
                  <td className="actions">
                    {t.status !== 'revoked' ? (
                      <>
                        <button type="button" className="btn btn-small" onClick={() => setPending({ kind: 'regenerate', token: t })} aria-label={`Regenerate ${t.name}`}>
                          Regenerate
                        </button>
                        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setPending({ kind: 'revoke', token: t })} aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </button>
                      </>
                    ) : (
                      <span className="muted small">Revoked {t.revokedAt ? formatDateTime(t.revokedAt) : ''}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hiddenCount > 0 || showRevoked ? (
        <button type="button" className="btn-link" onClick={() => setShowRevoked((v) => !v)} aria-expanded={showRevoked}>
          {showRevoked ? 'Hide revoked tokens' : `Show ${hiddenCount} revoked token${hiddenCount === 1 ? '' : 's'}`}
        </button>
      ) : null}

      <Dialog
        open={creating}
        title="Generate a SCIM token"
        onClose={() => {
          setCreating(false);
          create.setError(null);
        }}
      >
        <form onSubmit={submit} className="form" id="generate-token-form">
          <div className="field">
            <label htmlFor="token-name">Token name</label>
            <input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="Entra Production" aria-describedby="token-name-help" autoFocus />
            <p id="token-name-help" className="help">
              Name it after the IdP connection that will use it (up to 100 characters, {name.length} used). The Activity log shows this name on every request the token makes.
            </p>
          </div>
          <div className="field">
            <label htmlFor="token-expiry">Expires</label>
            <select id="token-expiry" value={expiryDays} onChange={(e) => setExpiryDays(e.target.value)}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.label} value={c.days ?? ''}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <ErrorMessage error={create.error} />
          <div className="dialog-footer">
            <button
              type="button"
              className="btn"
              onClick={() => {
                setCreating(false);
                create.setError(null);
              }}
            >
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={create.busy}>
              {create.busy ? 'Generating…' : 'Generate'}
            </button>
          </div>
        </form>
      </Dialog>

      <SecretDialog issued={issued} regenerated={regenerated} onDone={() => setIssued(null)} />

      <ConfirmDialog
        open={pending?.kind === 'revoke'}
        title={`Revoke “${pending?.token.name ?? ''}”?`}
        confirmLabel="Revoke token"
        danger
        busy={change.busy}
        error={change.error}
        onConfirm={confirmPending}
        onCancel={() => {
          setPending(null);
          change.setError(null);
        }}
      >
        <p>The token stops working at once: every request the IdP makes with it answers 401 Unauthorized, and provisioning stops until you give the IdP another token. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'regenerate'}
        title={`Regenerate “${pending?.token.name ?? ''}”?`}
        confirmLabel="Regenerate"
        busy={change.busy}
        error={change.error}
        onConfirm={confirmPending}
        onCancel={() => {
          setPending(null);
          change.setError(null);
        }}
      >
        <p>A new secret is issued under the same name and expiry, and the current secret stops working at once. Paste the new secret into your IdP straight away.</p>
      </ConfirmDialog>
    </Card>
  );
}
