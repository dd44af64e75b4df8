/** One member: facts, the role and why (role explanation), a manual role change, groups, recent activity, the SCIM document. */
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import { ActivityMiniTable } from '../components/ActivityTable';
import { useOrg, useTitle } from '../components/Layout';
import { ActiveBadge, Badge, Card, DateText, EmptyState, ErrorMessage, Loading, Notice, PageHeader } from '../components/ui';
import { differenceText, escapeInvisible, formatDateTime, personName, roleSourceText } from '../format';
import { useAction, useApi } from '../hooks';
import type { ActivityItem, MemberDetail, Role, RoleExplanation } from '../types';

function Explanation({ e }: { e: RoleExplanation }) {
  return (
    <div className="explanation">
      <p className="summary">{e.summary}</p>
      <ol className="steps">
        <li>
          <strong>Received</strong>{' '}
          {e.received === null || e.received.length === 0 ? (
            <span>no <code>roles</code> in the user’s record.</span>
          ) : (
            <code className="wrap">{JSON.stringify(e.received)}</code>
          )}
        </li>
        {e.primary ? (
          <li>
            <strong>
              Used entry {e.primary.index + 1} of {Array.isArray(e.received) ? e.received.length : 1}
            </strong>
            : <code>{e.primary.valueEscaped ?? '(no value)'}</code> <span className="muted">({e.primary.reason})</span>
          </li>
        ) : null}
        {e.normalizedEscaped !== null ? (
          <li>
            <strong>Normalised</strong> (trimmed, lower-cased): <code>{e.normalizedEscaped}</code>
          </li>
        ) : null}
        <li>
          {e.matchedMapping ? (
            <>
              <strong>Mapping</strong> matched <code>{escapeInvisible(e.matchedMapping.idpRoleValue)}</code> → <Badge tone="blue">{e.matchedMapping.role}</Badge>
              {e.matchedMapping.differences.length ? <span className="muted"> (ignoring {e.matchedMapping.differences.map((d) => differenceText(d.kind)).join(' and ')})</span> : null}
            </>
          ) : (
            <span><strong>No mapping matched</strong>{e.noMatchReason ? `: ${e.noMatchReason}` : '.'}</span>
          )}
        </li>
        <li>
          <strong>Result now</strong> {e.resolved.role ? <Badge tone="blue">{e.resolved.role}</Badge> : <span>no role</span>} <span className="muted">({roleSourceText(e.resolved.source)})</span>
        </li>
      </ol>
      {e.nearMisses.length > 0 ? (
        <div className="alert alert-warning" role="note">
          <strong>Near misses</strong>
          <ul>
            {e.nearMisses.map((n) => (
              <li key={n.mappingId}>{n.message}</li>
            ))}
          </ul>
          Fix the value on the IdP side (in Entra: the App Role’s Value), or add a mapping for the value as it arrives.
        </div>
      ) : null}
      {e.hints.length > 0 ? (
        <ul className="hints">
          {e.hints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      ) : null}
      {e.differsFromCurrentSettings && e.differenceNote ? <Notice tone="info">{e.differenceNote}</Notice> : null}
    </div>
  );
}

function RoleChange({ base, member, onChanged }: { base: string; member: MemberDetail; onChanged(message: string): void }) {
  const roles = useApi<Role[]>(`${base}/roles`);
  const [role, setRole] = useState(member.role ?? '');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await action.run(() => api<MemberDetail>('PATCH', `${base}/members/${member.id}`, { body: { role: role || null } }));
    if (done) onChanged(role ? `Role set to “${done.role}” by hand.` : `Role handed back to automatic resolution: now “${done.role ?? 'no role'}”.`);
  };
  const automatic = async () => {
    const done = await action.run(() => api<MemberDetail>('PATCH', `${base}/members/${member.id}`, { body: { role: null } }));
    if (done) onChanged(`Role handed back to automatic resolution: now ${done.role ? `“${done.role}”` : 'no role'} (${roleSourceText(done.roleSource)}).`);
  };
  return (
    <form onSubmit={submit} className="form">
      <div className="form-inline">
        <div className="field">
          <label htmlFor="manual-role">Set role by hand</label>
          <select id="manual-role" value={role} onChange={(e) => setRole(e.target.value)} required>
            <option value="" disabled>
              Choose a role
            </option>
            {(roles.data ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={action.busy || !role}>
          Set role
        </button>
        {member.roleSource === 'manual' ? (
          <button type="button" className="btn" onClick={automatic} disabled={action.busy}>
            Return to automatic
          </button>
        ) : null}
      </div>
      <p className="help">A role set by hand stays until the IdP changes this user’s roles; then the mappings decide again. The IdP does not see it.</p>
      <ErrorMessage error={action.error} />
    </form>
  );
}

export function MemberPage() {
  const org = useOrg();
  const { id } = useParams();
  const base = `/orgs/${org.slug}`;
  const member = useApi<MemberDetail>(`${base}/members/${id}`);
  const explanation = useApi<RoleExplanation>(`${base}/members/${id}/role-explanation`);
  const activity = useApi<{ items: ActivityItem[]; nextCursor: string | null }>(`${base}/activity`, { target: id, limit: 10 });
  const [message, setMessage] = useState<string | null>(null);
  const m = member.data;
  useTitle(m ? personName(m) : 'Member', org.name);
  const scim = m?.scim as { externalId?: string } | undefined;

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`${base}/members`}>Members</Link> <span aria-hidden="true">/</span> <span aria-current="page">{m ? personName(m) : '…'}</span>
      </nav>
      <ErrorMessage error={member.error} prefix="Could not load this member." />
      {!m ? (
        member.error ? null : <Loading what="Loading the member" />
      ) : (
        <>
          <PageHeader
            title={
              <>
                {personName(m)} <ActiveBadge active={m.active} />
              </>
            }
            description={m.email ?? m.userName}
          />
          {message ? <Notice tone="success">{message}</Notice> : null}
          <div className="grid-2">
            <Card title="Profile">
              <dl className="facts facts-list">
                <div>
                  <dt>User name</dt>
                  <dd className="mono">{m.userName}</dd>
                </div>
                <div>
                  <dt>Display name</dt>
                  <dd>{m.displayName ?? '—'}</dd>
                </div>
                <div>
                  <dt>Email</dt>
                  <dd>{m.email ?? '—'}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>{m.active ? 'Active' : 'Inactive (deactivated by the IdP; the record is kept)'}</dd>
                </div>
                <div>
                  <dt>External ID</dt>
                  <dd className="mono">{scim?.externalId ?? '—'}</dd>
                </div>
                <div>
                  <dt>scimd ID</dt>
                  <dd className="mono small">{m.id}</dd>
                </div>
                <div>
                  <dt>Created</dt>
                  <dd>
                    <DateText iso={m.createdAt} />
                  </dd>
                </div>
                <div>
                  <dt>Last changed</dt>
                  <dd>
                    <DateText iso={m.updatedAt} />
                  </dd>
                </div>
              </dl>
            </Card>
            <Card title="Groups">
              {m.groups.length === 0 ? (
                <EmptyState title="Not in any group.">Groups appear when Sync groups is on and the IdP provisions a group this user belongs to.</EmptyState>
              ) : (
                <ul className="link-list">
                  {m.groups.map((g) => (
                    <li key={g.id}>
                      <Link to={`${base}/groups/${g.id}`}>{g.displayName}</Link>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
          <Card
            title="Role"
            description={
              <>
                Current role: {m.role ? <Badge tone="blue">{m.role}</Badge> : <strong>no role</strong>} — {roleSourceText(m.roleSource)}
                {m.roleSource === 'manual' && m.roleSourceDetail?.setBy ? ` (${m.roleSourceDetail.setBy}${m.roleSourceDetail.setAt ? `, ${formatDateTime(m.roleSourceDetail.setAt)}` : ''})` : ''}
              </>
            }
          >
            <h3>Why this role</h3>
            <ErrorMessage error={explanation.error} prefix="Could not explain the role." />
            {explanation.data ? <Explanation e={explanation.data} /> : explanation.error ? null : <Loading what="Explaining" />}
            <h3>Change the role</h3>
            <RoleChange
              key={`${m.role}-${m.roleSource}`}
              base={base}
              member={m}
              onChanged={(msg) => {
                setMessage(msg);
                member.reload();
                explanation.reload();
                activity.reload();
              }}
            />
          </Card>
          <Card title="Recent activity" actions={<Link to={`${base}/activity?target=${encodeURIComponent(m.id)}`}>All activity for this member</Link>}>
            <ErrorMessage error={activity.error} />
            {activity.data ? (
              activity.data.items.length === 0 ? (
                <EmptyState title="No activity recorded for this member." >Requests older than the retention period are pruned.</EmptyState>
              ) : (
                <ActivityMiniTable items={activity.data.items} />
              )
            ) : activity.error ? null : (
              <Loading what="Loading activity" />
            )}
          </Card>
          <Card title="SCIM document" description={`As GET /scim/v2/Users/${m.id} answers it.`}>
            <details className="json-details">
              <summary>Show the SCIM document</summary>
              <pre className="json" tabIndex={0} aria-label="SCIM document JSON">
                {JSON.stringify(m.scim, null, 2)}
              </pre>
            </details>
          </Card>
        </>
      )}
    </div>
  );
}

