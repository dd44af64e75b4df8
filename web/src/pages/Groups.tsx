/** Groups: searchable, sortable, paginated, with member counts. */
import { Link } from 'react-router';
import { useOrg, useTitle } from '../components/Layout';
import { DateText, EmptyState, ErrorMessage, Loading, PageHeader, Pager, SortHeader } from '../components/ui';
import { useApi, useTableParams } from '../hooks';
import type { Group, Overview, Page } from '../types';

type Sort = 'displayName' | 'createdAt' | 'updatedAt';
const SORTS: Sort[] = ['displayName', 'createdAt', 'updatedAt'];

export function GroupsPage() {
  const org = useOrg();
  useTitle('Groups', org.name);
  const base = `/orgs/${org.slug}`;
  const { sort, order, page, search, setSearch, q, update } = useTableParams(SORTS, 'displayName');
  const groups = useApi<Page<Group>>(`${base}/groups`, { search: q, sort, order, page, limit: 25 });
  const overview = useApi<Overview>(`${base}/scim/overview`);
  // After a failed load (e.g. a search the API refuses), the old list is not the answer: show only the error.
  const data = groups.error ? undefined : groups.data;
  const onSort = (f: Sort, o: 'asc' | 'desc') => update({ sort: f, order: o });

  return (
    <div className="page">
      <PageHeader title="Groups" description="The groups your identity provider syncs, with the same names and members as in the IdP." />
      <div className="toolbar" role="search">
        <div className="field grow">
          <label htmlFor="group-search">Search groups</label>
          <input id="group-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Group name" />
        </div>
      </div>
      <ErrorMessage error={groups.error} prefix="Could not load the groups." />
      {!data ? (
        groups.error ? null : <Loading what="Loading groups" />
      ) : data.total === 0 ? (
        q ? (
          <EmptyState title={`No groups match “${q}”.`} action={<button type="button" className="btn" onClick={() => setSearch('')}>Clear the search</button>} />
        ) : (
          <EmptyState
            title="No groups yet."
            action={overview.data && !overview.data.syncGroups ? <Link to={`${base}/scim`} className="btn btn-primary">Turn on Sync groups</Link> : undefined}
          >
            {overview.data && !overview.data.syncGroups
              ? 'Sync groups is off, so your IdP’s group requests are refused (403). Turn it on on the SCIM Provisioning page, then assign the groups themselves to the app in your IdP.'
              : 'Assign groups (the groups themselves, not only their members) to the app in your IdP; they appear here after the next sync or a Provision on demand.'}
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-wrap" aria-busy={groups.loading}>
            <table className="table responsive">
              <caption className="visually-hidden">Groups</caption>
              <thead>
                <tr>
                  <SortHeader label="Name" field="displayName" sort={sort} order={order} onSort={onSort} />
                  <th scope="col">Members</th>
                  <th scope="col">External ID</th>
                  <SortHeader label="Created" field="createdAt" sort={sort} order={order} onSort={onSort} />
                  <SortHeader label="Last changed" field="updatedAt" sort={sort} order={order} onSort={onSort} />
                </tr>
              </thead>
              <tbody>
                {data.items.map((g) => (
                  <tr key={g.id}>
                    <td data-label="Name">
                      <Link to={`${base}/groups/${g.id}`} className="row-link">
                        {g.displayName}
                      </Link>
                    </td>
                    <td data-label="Members">{g.memberCount}</td>
                    <td data-label="External ID" className="mono small">
                      {g.externalId ?? <span className="muted">—</span>}
                    </td>
                    <td data-label="Created">
                      <DateText iso={g.createdAt} />
                    </td>
                    <td data-label="Last changed">
                      <DateText iso={g.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="list-footer">
            <Pager page={page} limit={data.limit} total={data.total} onPage={(p) => update({ page: String(p) }, false)} label="Groups" />
          </div>
        </>
      )}
    </div>
  );
}
