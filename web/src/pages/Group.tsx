/** One group: its facts, its members (paged by cursor, in the order they joined) and its recent activity. */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ActivityMiniTable } from '../components/ActivityTable';
import { useOrg, useTitle } from '../components/Layout';
import { ActiveBadge, Badge, Card, DateText, EmptyState, ErrorMessage, Loading, PageHeader, When } from '../components/ui';
import { roleSourceText } from '../format';
import { useApi } from '../hooks';
import type { ActivityItem, Group, GroupMember, Page } from '../types';

const PAGE = 25;

export function GroupPage() {
  const org = useOrg();
  const { id } = useParams();
  const base = `/orgs/${org.slug}`;
  const group = useApi<Group>(`${base}/groups/${id}`);
  // Cursors of the pages seen so far: Previous goes back one, Next follows nextCursor.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const members = useApi<Page<GroupMember>>(`${base}/groups/${id}/members`, { limit: PAGE, cursor });
  const activity = useApi<{ items: ActivityItem[] }>(`${base}/activity`, { target: id, limit: 10 });
  const g = group.data;
  useTitle(g?.displayName ?? 'Group', org.name);
  const pageNo = cursors.length;
  // After a failed load (e.g. a search the API refuses), the old list is not the answer: show only the error.
  const data = members.error ? undefined : members.data;

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`${base}/groups`}>Groups</Link> <span aria-hidden="true">/</span> <span aria-current="page">{g?.displayName ?? '…'}</span>
      </nav>
      <ErrorMessage error={group.error} prefix="Could not load this group." />
      {!g ? (
        group.error ? null : <Loading what="Loading the group" />
      ) : (
        <>
          <PageHeader title={g.displayName} description={`${g.memberCount} member${g.memberCount === 1 ? '' : 's'}`} />
          <Card title="Details">
            <dl className="facts">
              <div>
                <dt>External ID</dt>
                <dd className="mono small">{g.externalId ?? '—'}</dd>
              </div>
              <div>
                <dt>scimd ID</dt>
                <dd className="mono small">{g.id}</dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>
                  <DateText iso={g.createdAt} />
                </dd>
              </div>
              <div>
                <dt>Last changed</dt>
                <dd>
                  <DateText iso={g.updatedAt} />
                </dd>
              </div>
            </dl>
          </Card>
          <Card title="Members" description="In the order they joined the group.">
            <ErrorMessage error={members.error} prefix="Could not load the members." />
            {!data ? (
              members.error ? null : <Loading what="Loading members" />
            ) : data.total === 0 ? (
              <EmptyState title="This group has no members.">Add users to the group in your IdP; the change arrives with the next sync.</EmptyState>
            ) : (
              <>
                <div className="table-wrap" aria-busy={members.loading}>
                  <table className="table responsive">
                    <caption className="visually-hidden">Members of {g.displayName}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Email</th>
                        <th scope="col">Status</th>
                        <th scope="col">Role</th>
                        <th scope="col">Joined</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((m) => (
                        <tr key={m.id}>
                          <td data-label="Name">
                            <Link to={`${base}/members/${m.id}`}>{m.displayName || m.userName}</Link>
                            {m.displayName ? <div className="muted small">{m.userName}</div> : null}
                          </td>
                          <td data-label="Email">{m.email ?? '—'}</td>
                          <td data-label="Status">
                            <ActiveBadge active={m.active} />
                          </td>
                          <td data-label="Role">
                            {m.role ? <Badge tone="blue">{m.role}</Badge> : <span className="muted">No role</span>} <span className="muted small">{roleSourceText(m.roleSource)}</span>
                          </td>
                          <td data-label="Joined">
                            <When iso={m.addedAt} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <nav className="pager" aria-label="Group members pages">
                  <span className="pager-range" aria-live="polite">
                    {(pageNo - 1) * PAGE + 1}–{(pageNo - 1) * PAGE + data.items.length} of {data.total}
                  </span>
                  {pageNo > 1 || data.nextCursor ? (
                    <>
                  <button type="button" className="btn btn-small" disabled={pageNo <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                    Previous
                  </button>
                  <button type="button" className="btn btn-small" disabled={!data.nextCursor} onClick={() => setCursors((c) => [...c, data.nextCursor!])}>
                    Next
                  </button>
                    </>
                  ) : null}
                </nav>
              </>
            )}
          </Card>
          <Card title="Recent activity" actions={<Link to={`${base}/activity?target=${encodeURIComponent(g.id)}`}>All activity for this group</Link>}>
            <ErrorMessage error={activity.error} />
            {activity.data ? activity.data.items.length === 0 ? <EmptyState title="No activity recorded for this group." /> : <ActivityMiniTable items={activity.data.items} /> : null}
          </Card>
        </>
      )}
    </div>
  );
}
