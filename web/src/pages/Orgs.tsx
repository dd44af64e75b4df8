/** The operator's list of organisations, and creating one. */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api';
import { useAuth } from '../auth';
import { useTitle } from '../components/Layout';
import { Card, EmptyState, ErrorMessage, Notice, PageHeader } from '../components/ui';
import { useAction } from '../hooks';
import type { Org } from '../types';

export function OrgsPage() {
  useTitle('Organisations');
  const { principal, refreshOrgs } = useAuth();
  const navigate = useNavigate();
  const unknown = (useLocation().state as { unknown?: string } | null)?.unknown;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  if (principal?.kind === 'admin') {
    return <Notice>You are an admin of {principal.org.name}. <Link to={`/orgs/${principal.org.slug}/scim`}>Open it</Link>.</Notice>;
  }
  const orgs = principal?.kind === 'operator' ? principal.orgs : [];
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const org = await action.run(() => api<Org>('POST', '/orgs', { body: { slug: slug.trim(), ...(name.trim() ? { name: name.trim() } : {}) } }));
    if (org) {
      await refreshOrgs();
      navigate(`/orgs/${org.slug}/scim`);
    }
  };
  return (
    <div className="page">
      <PageHeader title="Organisations" description="You are signed in as the operator: every organisation is reachable. Pick one to set up its SCIM provisioning." />
      {unknown ? <Notice tone="warning">There is no organisation “{unknown}”.</Notice> : null}
      <Card title="All organisations">
        {orgs.length === 0 ? (
          <EmptyState title="No organisations yet.">Create the first one below; each organisation connects its own identity provider with its own tokens.</EmptyState>
        ) : (
          <ul className="org-list">
            {orgs.map((o) => (
              <li key={o.id}>
                <Link to={`/orgs/${o.slug}/scim`}>{o.name}</Link> <span className="muted mono">{o.slug}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Create an organisation">
        <form onSubmit={create} className="form form-inline">
          <div className="field">
            <label htmlFor="org-slug">Slug</label>
            <input id="org-slug" required pattern="[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?" value={slug} onChange={(e) => setSlug(e.target.value)} aria-describedby="slug-help" />
          </div>
          <div className="field">
            <label htmlFor="org-name">Name</label>
            <input id="org-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Inc" />
          </div>
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Create
          </button>
        </form>
        <p id="slug-help" className="help">
          The slug is the organisation’s short name in the admin API and the CLI: lower-case letters, digits and inner hyphens, e.g. <code>acme</code>.
        </p>
        <ErrorMessage error={action.error} />
      </Card>
    </div>
  );
}
