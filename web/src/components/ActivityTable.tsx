/** Activity rows: a compact table (member and group pages) and the full one with expandable details. */
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { escapeInvisible, formatDateTimeSeconds, operationText, showValue, statusMeaning, targetTypeText } from '../format';
import type { ActivityItem } from '../types';
import { Badge, StatusBadge, When } from './ui';

function Target({ item, base }: { item: ActivityItem; base?: string }) {
  if (!item.targetType && !item.targetName && !item.targetId) return <span className="muted">—</span>;
  // Without a name, a long id is shortened (the full id is in its tooltip and the row's details).
  const id = item.targetId ?? '';
  const label = item.targetName != null ? escapeInvisible(item.targetName) : id.length > 13 ? `${id.slice(0, 8)}…` : id;
  const href = base && item.targetId ? (item.targetType === 'User' ? `${base}/members/${item.targetId}` : item.targetType === 'Group' ? `${base}/groups/${item.targetId}` : null) : null;
  return (
    <span>
      {item.targetType ? <span className="muted small">{targetTypeText(item.targetType)} </span> : null}
      {href ? <Link to={href}>{label}</Link> : <span title={item.targetName ? undefined : id}>{label}</span>}
    </span>
  );
}

/** An admin action's details in one short line ("syncGroups: true, defaultRole: viewer"). */
function detailsLine(a: ActivityItem): string | null {
  const d = a.diff?.details;
  if (!d) return null;
  const parts = Object.entries(d)
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k}: ${v === null ? 'none' : String(v)}`);
  if (!parts.length) return null;
  const line = parts.slice(0, 3).join(', ') + (parts.length > 3 ? ', …' : '');
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}

export function ActivityMiniTable({ items }: { items: ActivityItem[] }) {
  return (
    <div className="table-wrap">
      <table className="table responsive compact">
        <caption className="visually-hidden">Recent activity</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Operation</th>
            <th scope="col">Status</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td data-label="When">
                <When iso={a.at} />
              </td>
              <td data-label="Operation">
                {operationText(a.operation)}
                {a.detail && a.status >= 400 ? <div className="small text-danger">{a.detail}</div> : null}
              </td>
              <td data-label="Status">
                <StatusBadge status={a.status} />
              </td>
              <td data-label="By">{a.actor ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Diff({ diff }: { diff: NonNullable<ActivityItem['diff']> }) {
  const parts = [];
  if (diff.changes?.length) {
    parts.push(
      <table className="table diff-table" key="changes">
        <caption>Attribute changes</caption>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {diff.changes.map((c, i) => (
            <tr key={i}>
              <td className="mono">{c.path}</td>
              <td className="mono before">{showValue(c.before)}</td>
              <td className="mono after">{showValue(c.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>,
    );
  }
  if (diff.membersAdded?.length) {
    parts.push(
      <p key="added">
        <strong>Members added ({diff.membersAdded.length + (diff.membersTruncated?.added ?? 0)}):</strong> <span className="mono small">{diff.membersAdded.join(', ')}</span>
        {diff.membersTruncated?.added ? ` and ${diff.membersTruncated.added} more` : ''}
      </p>,
    );
  }
  if (diff.membersRemoved?.length) {
    parts.push(
      <p key="removed">
        <strong>Members removed ({diff.membersRemoved.length + (diff.membersTruncated?.removed ?? 0)}):</strong> <span className="mono small">{diff.membersRemoved.join(', ')}</span>
        {diff.membersTruncated?.removed ? ` and ${diff.membersTruncated.removed} more` : ''}
      </p>,
    );
  }
  if (diff.details && Object.keys(diff.details).length) {
    parts.push(
      <div key="details">
        <strong>Details</strong>
        <pre className="json small">{JSON.stringify(diff.details, null, 2)}</pre>
      </div>,
    );
  }
  if (!parts.length) return <p className="muted">No changes recorded.</p>;
  return <>{parts}</>;
}

function Details({ a }: { a: ActivityItem }) {
  return (
    <div className="activity-details">
      <dl className="facts facts-list">
        <div>
          <dt>Time</dt>
          <dd>{formatDateTimeSeconds(a.at)}</dd>
        </div>
        <div>
          <dt>Request</dt>
          <dd className="mono">{a.method || a.path ? `${a.method ?? ''} ${a.path ?? ''}` : a.source === 'admin' ? 'Admin action' : '—'}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={a.status} /> {statusMeaning(a.status, a.scimType)}
          </dd>
        </div>
        {a.scimType || (a.detail && a.status >= 400) ? (
          <div>
            <dt>SCIM error</dt>
            <dd>
              {a.scimType ? <code>{a.scimType}</code> : null} {a.detail}
            </dd>
          </div>
        ) : a.detail ? (
          <div>
            <dt>Detail</dt>
            <dd>{a.detail}</dd>
          </div>
        ) : null}
        <div>
          <dt>{a.source === 'scim' ? 'Token' : 'Admin'}</dt>
          <dd>{a.actor ?? '—'}</dd>
        </div>
        {a.targetId ? (
          <div>
            <dt>Target ID</dt>
            <dd className="mono small">{a.targetId}</dd>
          </div>
        ) : null}
        {a.durationMs !== null ? (
          <div>
            <dt>Duration</dt>
            <dd>{a.durationMs} ms</dd>
          </div>
        ) : null}
      </dl>
      <h4>Change</h4>
      {a.diff ? <Diff diff={a.diff} /> : <p className="muted">{a.status >= 400 ? 'Nothing changed: the request was refused.' : 'No change (a read, or nothing differed).'}</p>}
    </div>
  );
}

export function ActivityTable({ items, base }: { items: ActivityItem[]; base: string }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <div className="table-wrap">
      <table className="table responsive activity-table">
        <caption className="visually-hidden">Activity, newest first. Expand a row for its details.</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
            <th scope="col">When</th>
            <th scope="col">Operation</th>
            <th scope="col">Target</th>
            <th scope="col">Status</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => {
            const expanded = open.has(a.id);
            return (
              <Fragment key={a.id}>
                <tr className={`${a.status >= 400 ? 'failed' : ''} ${expanded ? 'expanded' : ''}`}>
                  <td className="expander">
                    <button type="button" className="btn-icon" aria-expanded={expanded} aria-controls={`activity-${a.id}`} onClick={() => toggle(a.id)} aria-label={`${expanded ? 'Hide' : 'Show'} details of ${operationText(a.operation)} at ${formatDateTimeSeconds(a.at)}`}>
                      <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                      <span className="expander-text" aria-hidden="true">
                        {expanded ? 'Hide details' : 'Details'}
                      </span>
                    </button>
                  </td>
                  <td data-label="When">
                    <When iso={a.at} />
                  </td>
                  <td data-label="Operation">
                    {operationText(a.operation)} {a.source === 'admin' ? <Badge tone="grey">Admin change</Badge> : null}
                    {a.method ? <div className="muted small mono">{a.method} {a.path}</div> : null}
                    {a.source === 'admin' && detailsLine(a) ? <div className="muted small">{detailsLine(a)}</div> : null}
                  </td>
                  <td data-label="Target">
                    <Target item={a} base={base} />
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={a.status} />
                    {a.status >= 400 && a.scimType ? <span className="small mono"> {a.scimType}</span> : null}
                  </td>
                  <td data-label="By">{a.actor ?? '—'}</td>
                </tr>
                <tr id={`activity-${a.id}`} className="details-row" hidden={!expanded}>
                  <td colSpan={6}>{expanded ? <Details a={a} /> : null}</td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
