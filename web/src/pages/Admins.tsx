/** The organisation's console admins: list, invite (a one-time set-password link, shown once), remove. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useAuth } from '../auth';
import { useOrg, useTitle } from '../components/Layout';
import { Badge, Card, ConfirmDialog, CopyField, DateText, Dialog, ErrorMessage, Loading, Notice, PageHeader } from '../components/ui';
import { useAction, useApi } from '../hooks';

interface Admin {
  id: string;
  email: string;
  createdAt: string;
  passwordSet: boolean;
}

export function AdminsPage() {
  const org = useOrg();
  useTitle('Console admins', org.name);
  const { principal } = useAuth();
  const base = `/orgs/${org.slug}`;
  const admins = useApi<Admin[]>(`${base}/admins`);
  const [email, setEmail] = useState('');
  const [invited, setInvited] = useState<{ email: string; url: string } | null>(null);
  const [removing, setRemoving] = useState<Admin | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const invite = useAction();
  const remove = useAction();
  const me = principal?.kind === 'admin' ? principal.email : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const a = await invite.run(() => api<Admin & { setPasswordUrl?: string }>('POST', `${base}/admins`, { body: { email: email.trim() } }));
    if (a) {
      setEmail('');
      setSaved(null);
      if (a.setPasswordUrl) setInvited({ email: a.email, url: a.setPasswordUrl });
      admins.reload();
    }
  };

  const confirmRemove = async () => {
    if (!removing) return;
    const ok = await remove.run(() => api('DELETE', `${base}/admins/${removing.id}`).then(() => true));
    if (ok) {
      setSaved(`${removing.email} can no longer sign in; their sessions have ended.`);
      setRemoving(null);
      admins.reload();
    }
  };

  return (
    <div className="page">
      <PageHeader title="Console admins" description={`The people who can sign in to this console for ${org.name}. They are separate from the members your IdP provisions.`} />
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      <Card title="Admins">
        <ErrorMessage error={admins.error} prefix="Could not load the admins." />
        {!admins.data ? (
          admins.error ? null : <Loading what="Loading admins" />
        ) : (
          <div className="table-wrap">
            <table className="table responsive">
              <caption className="visually-hidden">Console admins</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Added</th>
                  <th scope="col">Password</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {admins.data.map((a) => (
                  <tr key={a.id}>
                    <td data-label="Email">
                      {a.email} {a.email === me ? <Badge tone="blue">you</Badge> : null}
                    </td>
                    <td data-label="Added">
                      <DateText iso={a.createdAt} />
                    </td>
                    <td data-label="Password">{a.passwordSet ? <Badge tone="green">Set</Badge> : <Badge tone="amber">Invited, not set yet</Badge>}</td>
                    <td className="actions">
                      {a.email !== me ? (
                        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setRemoving(a)} aria-label={`Remove ${a.email}`}>
                          Remove
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="Invite an admin" description="They get a one-time link (valid 72 hours) to choose their password. Send it to them yourself: scimd sends no email.">
        <form onSubmit={submit} className="form form-inline">
          <div className="field grow">
            <label htmlFor="invite-email">Email</label>
            <input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="colleague@example.com" />
          </div>
          <button type="submit" className="btn btn-primary" disabled={invite.busy}>
            {invite.busy ? 'Inviting…' : 'Invite'}
          </button>
        </form>
        <ErrorMessage error={invite.error} />
      </Card>
      <Dialog
        open={invited !== null}
        title="Invitation link"
        onClose={() => setInvited(null)}
        dismissable={false}
        footer={
          <button type="button" className="btn btn-primary" onClick={() => setInvited(null)}>
            I have copied the link
          </button>
        }
      >
        {invited ? (
          <>
            <div className="alert alert-warning" role="note">
              <strong>Copy this link now: you will not see it again.</strong> Send it to {invited.email}; it works once, for 72 hours.
            </div>
            <CopyField label="Set-password link" value={invited.url} secret id="invite-link" />
          </>
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.email ?? ''}?`}
        confirmLabel="Remove admin"
        danger
        busy={remove.busy}
        error={remove.error}
        onConfirm={confirmRemove}
        onCancel={() => {
          setRemoving(null);
          remove.setError(null);
        }}
      >
        <p>They can no longer sign in, and any session they have open ends at once.</p>
      </ConfirmDialog>
    </div>
  );
}
