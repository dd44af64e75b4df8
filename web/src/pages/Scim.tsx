/**
 * SCIM Provisioning: enable/disable, the Overview card (Base URL, status,
 * counts), tokens (generate, shown once; revoke; regenerate), Sync groups,
 * the default role and the role mappings, and the org's app roles.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { useOrg, useTitle } from '../components/Layout';
import { RoleMappingsCard, RolesCard } from '../components/RoleMappings';
import { TokensCard } from '../components/Tokens';
import { Badge, Card, ConfirmDialog, CopyField, ErrorMessage, Loading, Notice, PageHeader, Switch, When } from '../components/ui';
import { useAction, useApi } from '../hooks';
import type { Overview, Role, ScimSettings } from '../types';

function StatusBadge({ status }: { status: Overview['status'] }) {
  if (status === 'enabled') return <Badge tone="green">Enabled</Badge>;
  if (status === 'disabled') return <Badge tone="amber">Disabled</Badge>;
  return <Badge tone="grey">Not enabled yet</Badge>;
}

export function ScimPage() {
  const org = useOrg();
  useTitle('SCIM Provisioning', org.name);
  const base = `/orgs/${org.slug}`;
  const overview = useApi<Overview>(`${base}/scim/overview`);
  const roles = useApi<Role[]>(`${base}/roles`);
  const [confirm, setConfirm] = useState<'enable' | 'disable' | 'sync-off' | null>(null);
  // Each confirmation shows in the card whose control caused it.
  const [saved, setSaved] = useState<{ where: 'overview' | 'sync' | 'roles'; text: string } | null>(null);
  const toggle = useAction();
  const settings = useAction();

  const o = overview.data;

  const setEnabled = async (enabled: boolean) => {
    const done = await toggle.run(() => api<ScimSettings>('PATCH', `${base}/scim`, { body: { enabled } }));
    if (done) {
      overview.setData((o) => (o ? { ...o, enabled: done.enabled, status: done.enabled ? 'enabled' : 'disabled' } : o));
      setConfirm(null);
      // Disabling needs no confirmation of its own: the card's standing warning says it.
      setSaved(enabled ? { where: 'overview', text: 'SCIM is enabled. Generate a token below and give it to your IdP with the Base URL.' } : null);
      overview.reload();
    }
  };

  const patchSettings = async (where: 'sync' | 'roles', body: Record<string, unknown>, message: string) => {
    const done = await settings.run(() => api<ScimSettings>('PATCH', `${base}/scim`, { body }));
    if (done) {
      setConfirm(null);
      overview.setData((o) => (o ? { ...o, syncGroups: done.syncGroups, defaultRole: done.defaultRole } : o));
      setSaved({ where, text: message });
      overview.reload();
      roles.reload();
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="SCIM Provisioning"
        description={`Let ${org.name}’s identity provider (Microsoft Entra ID, Okta, …) create, update and deactivate members and groups here. Work top to bottom: enable SCIM, copy the Base URL, generate a token; then, if you want them, group sync and role mappings.`}
      />
      {overview.error ? <ErrorMessage error={overview.error} prefix="Could not load the SCIM settings." /> : null}
      {!o ? (
        overview.error ? null : <Loading what="Loading the SCIM settings" />
      ) : (
        <>
          <Card
            title="Overview"
            description="Your identity provider needs two values: the Base URL below (Entra calls it Tenant URL) and a SCIM token (generate one in SCIM tokens below)."
            actions={
              o.enabled ? (
                <button type="button" className="btn" onClick={() => setConfirm('disable')}>
                  Disable SCIM
                </button>
              ) : (
                <button type="button" className="btn btn-primary" onClick={() => setConfirm('enable')}>
                  Enable SCIM
                </button>
              )
            }
          >
            <dl className="facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={o.status} />
                </dd>
              </div>
              <div>
                <dt>Last request from the IdP</dt>
                <dd>
                  <When iso={o.lastRequestAt} empty="None yet" />
                </dd>
              </div>
              <div>
                <dt>Members</dt>
                <dd>
                  <Link to={`${base}/members`}>
                    {o.members.total} ({o.members.active} active)
                  </Link>
                </dd>
              </div>
              <div>
                <dt>Groups</dt>
                <dd>
                  <Link to={`${base}/groups`}>{o.groups}</Link>
                </dd>
              </div>
              <div>
                <dt>Active tokens</dt>
                <dd>{o.activeTokens}</dd>
              </div>
              <div>
                <dt>Failed requests, last 24 hours</dt>
                <dd>
                  {o.failuresLast24h > 0 ? (
                    <Link to={`${base}/activity?failures=1`} className="text-danger">
                      {o.failuresLast24h} — see Activity
                    </Link>
                  ) : (
                    '0'
                  )}
                </dd>
              </div>
            </dl>
            {!o.enabled ? (
              <Notice tone={o.status === 'disabled' ? 'warning' : 'info'}>
                {o.status === 'disabled'
                  ? 'SCIM is disabled: your IdP’s requests answer 403 Forbidden until you enable it again. Members and groups already provisioned are kept.'
                  : 'SCIM is not enabled yet. Click Enable SCIM to unlock the SCIM endpoints for this organisation, then generate a token.'}
              </Notice>
            ) : null}
            <CopyField label="Base URL" value={o.baseUrl} id="base-url" />
            {saved?.where === 'overview' ? <Notice tone="success">{saved.text}</Notice> : null}
          </Card>

          <TokensCard base={base} enabled={o.enabled} onChange={overview.reload} />

          <Card title="Group sync" description="Mirror the IdP’s groups (same names, same members). Assign the groups themselves to the app in the IdP.">
            <Switch
              label="Sync groups"
              checked={o.syncGroups}
              disabled={settings.busy}
              onChange={(next) => (next ? patchSettings('sync', { syncGroups: true }, 'Sync groups is on: the IdP can now create and update groups.') : setConfirm('sync-off'))}
              description="When off, every /Groups request from your IdP answers 403 Forbidden and the IdP logs group failures; users are unaffected."
            />
            {saved?.where === 'sync' ? <Notice tone={o.syncGroups ? 'success' : 'warning'}>{saved.text}</Notice> : null}
            {confirm !== 'sync-off' ? <ErrorMessage error={settings.error} /> : null}
          </Card>

          <RoleMappingsCard base={base} roles={roles.data ?? []} defaultRole={o.defaultRole} notice={saved?.where === 'roles' ? saved.text : null} onDefaultRole={(role) => patchSettings('roles', { defaultRole: role }, role ? `Default role set to “${role}”.` : 'Default role cleared: members without a matching mapping get no role.')} busy={settings.busy} onChange={roles.reload} />

          <RolesCard base={base} roles={roles} onChange={overview.reload} />
        </>
      )}

      <ConfirmDialog
        open={confirm === 'enable'}
        title="Enable SCIM?"
        confirmLabel="Enable SCIM"
        busy={toggle.busy}
        error={toggle.error}
        onConfirm={() => setEnabled(true)}
        onCancel={() => {
          setConfirm(null);
          toggle.setError(null);
        }}
      >
        <p>Your identity provider will be able to create, update, deactivate and delete {org.name}’s members (and groups, when Sync groups is on) with a token you generate on this page.</p>
        <p>You can disable it again at any time.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'sync-off'}
        title="Turn Sync groups off?"
        confirmLabel="Turn off"
        danger
        busy={settings.busy}
        error={settings.error}
        onConfirm={() => patchSettings('sync', { syncGroups: false }, 'Sync groups is off: every /Groups request from the IdP now answers 403 Forbidden; users are unaffected.')}
        onCancel={() => {
          setConfirm(null);
          settings.setError(null);
        }}
      >
        <p>Every /Groups request from your IdP will answer 403 Forbidden, so group changes made in the IdP meanwhile do not arrive and the IdP logs group failures. Groups already here are kept; users are unaffected.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'disable'}
        title="Disable SCIM?"
        confirmLabel="Disable SCIM"
        danger
        busy={toggle.busy}
        error={toggle.error}
        onConfirm={() => setEnabled(false)}
        onCancel={() => {
          setConfirm(null);
          toggle.setError(null);
        }}
      >
        <p>Every SCIM request from your IdP will answer 403 Forbidden until you enable SCIM again, so changes made in the IdP meanwhile do not arrive. Members and groups already here are kept, and tokens stay valid.</p>
      </ConfirmDialog>
    </div>
  );
}
