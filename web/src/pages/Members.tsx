/** Members: searchable, sortable, paginated; the state lives in the address (?q=&sort=&order=&page=). */
import { Link } from 'react-router';
import { useOrg, useTitle } from '../components/Layout';
import { ActiveBadge, Badge, EmptyState, ErrorMessage, Loading, PageHeader, Pager, SortHeader } from '../components/ui';
import { roleSourceText } from '../format';
import { useApi, useTableParams } from '../hooks';
import type { Member, Overview, Page, Role } from '../types';

type Sort = 'userName' | 'name' | 'email' | 'role' | 'createdAt' | 'updatedAt';
const SORTS: Sort[] = ['userName', 'name', 'email', 'role', 'createdAt', 'updatedAt'];

export function MembersPage() {
  const org = useOrg();
  useTitle('Members', org.name);
  const base = `/orgs/${org.slug}`;
  const { params, sort, order, page, search, setSearch, q, update } = useTableParams(SORTS, 'name');
  const active = params.get('active') ?? '';
  const role = params.get('role') ?? '';
  const limit = Number(params.get('limit')) || 25;

  const members = useApi<Page<Member>>(`${base}/members`, { search: q, sort, order, page, limit, active, role });
  const roles = useApi<Role[]>(`${base}/roles`);
  const overview = useApi<Overview>(`${base}/scim/overview`);
  const filtered = q !== '' || active !== '' || role !== '';
  // After a failed load (e.g. a search the API refuses), the old list is not the answer: show only the error.
  const data = members.error ? undefined : members.data;

  return (
    <div className="page">
      <PageHeader title="Members" description="Everyone your identity provider provisioned, with the app role each one has and where it came from." />
      {data && data.total === 0 && !filtered ? null : (
      <div className="toolbar" role="search">
        <div className="field grow">
          <label htmlFor="member-search">Search members</label>
          <input id="member-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, email or user name" />
        </div>
        <div className="field">
          <label htmlFor="member-active">Status</label>
          <select id="member-active" value={active} onChange={(e) => update({ active: e.target.value })}>
            <option value="">All</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <select id="member-role" value={role} onChange={(e) => update({ role: e.target.value })}>
            <option value="">All roles</option>
            {(roles.data ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      )}
      <ErrorMessage error={members.error} prefix="Could not load the members." />
      {!data ? (
        members.error ? null : <Loading what="Loading members" />
      ) : data.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No members match these filters."
            action={
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setSearch('');
                  update({ q: null, active: null, role: null });
                }}
              >
                Clear search and filters
              </button>
            }
          />
        ) : (
          <EmptyState
            title="No members yet."
            action={
              overview.data && !overview.data.enabled ? (
                <Link to={`${base}/scim`} className="btn btn-primary">
                  Enable SCIM
                </Link>
              ) : (
                <Link to={`${base}/activity`}>See what the IdP sent in Activity</Link>
              )
            }
          >
            {overview.data && !overview.data.enabled
              ? 'SCIM is not enabled for this organisation. Enable it and generate a token on the SCIM Provisioning page, give both to your IdP, then assign users to the app there.'
              : 'Assign users to the app in your IdP and start provisioning (or use Provision on demand for one user). They appear here as soon as the IdP sends them.'}
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-wrap" aria-busy={members.loading}>
            <table className="table responsive members-table">
              <caption className="visually-hidden">Members, sorted by {sort} {order === 'asc' ? 'ascending' : 'descending'}</caption>
              <thead>
                <tr>
                  <SortHeader label="Name" field="name" sort={sort} order={order} onSort={(f, o) => update({ sort: f, order: o })} />
                  <SortHeader label="Email" field="email" sort={sort} order={order} onSort={(f, o) => update({ sort: f, order: o })} />
                  <th scope="col">Status</th>
                  <SortHeader label="Role" field="role" sort={sort} order={order} onSort={(f, o) => update({ sort: f, order: o })} />
                  <th scope="col">Role source</th>
                  <th scope="col">Groups</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((m) => (
                  <tr key={m.id} className={m.active ? undefined : 'inactive'}>
                    <td data-label="Name">
                      <Link to={`${base}/members/${m.id}`} className="row-link">
                        {m.name || m.displayName || m.userName}
                      </Link>
                      {m.name || m.displayName ? <div className="muted small">{m.userName}</div> : null}
                    </td>
                    <td data-label="Email">{m.email ?? <span className="muted">—</span>}</td>
                    <td data-label="Status">
                      <ActiveBadge active={m.active} />
                    </td>
                    <td data-label="Role">{m.role ? <Badge tone="blue">{m.role}</Badge> : <span className="muted">No role</span>}</td>
                    <td data-label="Role source">{roleSourceText(m.roleSource)}</td>
                    <td data-label="Groups">
                      {m.groups.length === 0 ? (
                        <span className="muted">—</span>
                      ) : (
                        <span className="group-list">
                          {m.groups.slice(0, 3).map((g, i) => (
                            <span key={g.id}>
                              {i > 0 ? ', ' : ''}
                              <Link to={`${base}/groups/${g.id}`}>{g.displayName}</Link>
                            </span>
                          ))}
                          {m.groups.length > 3 ? <span className="muted"> +{m.groups.length - 3} more</span> : null}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="list-footer">
            <Pager page={page} limit={data.limit} total={data.total} onPage={(p) => update({ page: String(p) }, false)} label="Members" />
            <div className="field field-inline">
              <label htmlFor="member-limit">Per page</label>
              <select id="member-limit" value={limit} onChange={(e) => update({ limit: e.target.value })}>
                {[25, 50, 100, 200].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
