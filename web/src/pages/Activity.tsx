/**
 * Activity: the requests-per-hour chart and the log with filters (failures
 * only, operation, source, member or group, time range); the filters live in
 * the address, so the member and group pages can link here.
 */
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api';
import { ActivityTable } from '../components/ActivityTable';
import { useOrg, useTitle } from '../components/Layout';
import { Card, EmptyState, ErrorMessage, Loading, Notice, PageHeader } from '../components/ui';
import { OPERATION_TEXT } from '../format';
import { useAction, useApi } from '../hooks';
import type { ActivityItem, HourBucket, Overview } from '../types';

// The chart library is the console's largest dependency: loaded with this page only.
const HourlyChart = lazy(() => import('../components/HourlyChart').then((m) => ({ default: m.HourlyChart })));

const RANGES: { value: string; label: string; ms: number | null }[] = [
  { value: '', label: 'Any time', ms: null },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Between…', ms: null },
];

const SCIM_OPERATIONS = ['create', 'update', 'deactivate', 'reactivate', 'delete', 'membership_add', 'membership_remove', 'membership_change', 'lookup', 'discovery', 'bulk'];
const ADMIN_OPERATIONS = Object.keys(OPERATION_TEXT).filter((k) => !SCIM_OPERATIONS.includes(k));

/** A datetime-local value (local time) as ISO 8601, or undefined. */
const localToIso = (v: string | null): string | undefined => (v ? new Date(v).toISOString() : undefined);

type Listing = { items: ActivityItem[]; nextCursor: string | null };

/** How many days the log keeps rows (PATCH …/scim {activityRetentionDays}). */
function Retention({ base }: { base: string }) {
  const overview = useApi<Overview>(`${base}/scim/overview`);
  const [days, setDays] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const current = overview.data?.activityRetentionDays;
  const value = days ?? (current !== undefined ? String(current) : '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(value);
    const done = await action.run(() => api('PATCH', `${base}/scim`, { body: { activityRetentionDays: n } }));
    if (done) {
      setSaved(`The log now keeps ${n} day${n === 1 ? '' : 's'} of activity; older rows are removed within the hour.`);
      setDays(null);
      overview.reload();
    }
  };
  return (
    <Card title="Retention" description="Activity older than this is deleted, hourly.">
      <form onSubmit={submit} className="form form-inline">
        <div className="field">
          <label htmlFor="retention-days">Keep activity for (days)</label>
          <input id="retention-days" type="number" min={1} max={3650} required value={value} onChange={(e) => setDays(e.target.value)} />
        </div>
        <button type="submit" className="btn" disabled={action.busy || days === null}>
          Save
        </button>
      </form>
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      <ErrorMessage error={action.error ?? overview.error} />
    </Card>
  );
}

export function ActivityPage() {
  const org = useOrg();
  useTitle('Activity', org.name);
  const base = `/orgs/${org.slug}`;
  const [params, setParams] = useSearchParams();
  const failures = params.get('failures') === '1';
  const operation = params.get('operation') ?? '';
  const source = params.get('source') ?? '';
  const target = params.get('target') ?? '';
  const range = params.get('range') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  // The checkbox answers at once; the address (and the list) follow.
  const [failuresBox, setFailuresBox] = useState(failures);
  useEffect(() => setFailuresBox(failures), [failures]);
  const [targetInput, setTargetInput] = useState(target);
  useEffect(() => setTargetInput(target), [target]);
  const [days, setDays] = useState(7);
  // The range's start is fixed when the filters change, not on every render.
  const [now, setNow] = useState(Date.now());
  useEffect(() => setNow(Date.now()), [range, failures, operation, source, target, from, to]);

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    setParams(next, { replace: true });
  };

  const rangeMs = RANGES.find((r) => r.value === range)?.ms ?? null;
  const query = {
    status: failures ? 'failures' : undefined,
    operation: operation || undefined,
    source: source || undefined,
    target: target || undefined,
    from: range === 'custom' ? localToIso(from) : rangeMs ? new Date(now - rangeMs).toISOString() : undefined,
    to: range === 'custom' ? localToIso(to) : undefined,
    limit: 50,
  };
  const first = useApi<Listing>(`${base}/activity`, query);
  const hourly = useApi<HourBucket[]>(`${base}/activity/hourly`, { days });
  const [more, setMore] = useState<Listing | null>(null);
  useEffect(() => setMore(null), [first.data]);
  const loadMore = useAction();
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const filtered = failures || operation || source || target || range;

  const submitTarget = (e: FormEvent) => {
    e.preventDefault();
    set({ target: targetInput.trim() });
  };

  return (
    <div className="page">
      <PageHeader
        title="Activity"
        description="Every SCIM request your IdP made and every admin change, newest first. Expand a row for the request, the status and what it changed."
        actions={
          <button
            type="button"
            className="btn"
            onClick={() => {
              first.reload();
              hourly.reload();
            }}
          >
            Refresh
          </button>
        }
      />
      <Card
        title="SCIM requests per hour"
        actions={
          <div className="field field-inline">
            <label htmlFor="chart-days">Show</label>
            <select id="chart-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
              <option value={1}>Last 24 hours</option>
              <option value={7}>Last 7 days</option>
              <option value={30}>Last 30 days</option>
            </select>
          </div>
        }
      >
        <ErrorMessage error={hourly.error} prefix="Could not load the chart." />
        {hourly.data ? (
          <Suspense fallback={<Loading what="Loading the chart" />}>
            <HourlyChart buckets={hourly.data} days={days} />
          </Suspense>
        ) : hourly.error ? null : (
          <Loading what="Loading the chart" />
        )}
      </Card>

      <form className="toolbar filters" onSubmit={submitTarget} aria-label="Filter the activity">
        <div className="field checkbox-field">
          <input
            id="failures-only"
            type="checkbox"
            checked={failuresBox}
            onChange={(e) => {
              setFailuresBox(e.target.checked);
              set({ failures: e.target.checked ? '1' : null });
            }}
          />
          <label htmlFor="failures-only">Failures only</label>
        </div>
        <div className="field">
          <label htmlFor="activity-operation">Operation</label>
          <select id="activity-operation" value={operation} onChange={(e) => set({ operation: e.target.value })}>
            <option value="">All operations</option>
            <optgroup label="SCIM requests">
              {SCIM_OPERATIONS.map((op) => (
                <option key={op} value={op}>
                  {OPERATION_TEXT[op]}
                </option>
              ))}
            </optgroup>
            <optgroup label="Admin actions">
              {ADMIN_OPERATIONS.map((op) => (
                <option key={op} value={op}>
                  {OPERATION_TEXT[op]}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div className="field">
          <label htmlFor="activity-source">Source</label>
          <select id="activity-source" value={source} onChange={(e) => set({ source: e.target.value })}>
            <option value="">IdP and admins</option>
            <option value="scim">IdP (SCIM) only</option>
            <option value="admin">Admins only</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="activity-range">Time</label>
          <select id="activity-range" value={range} onChange={(e) => set({ range: e.target.value })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {range === 'custom' ? (
          <>
            <div className="field">
              <label htmlFor="activity-from">From</label>
              <input id="activity-from" type="datetime-local" value={from} onChange={(e) => set({ from: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="activity-to">To</label>
              <input id="activity-to" type="datetime-local" value={to} onChange={(e) => set({ to: e.target.value })} />
            </div>
          </>
        ) : null}
        <div className="field target-field">
          <label htmlFor="activity-target">Member or group</label>
          <div className="copy-row">
            <input id="activity-target" type="search" value={targetInput} onChange={(e) => setTargetInput(e.target.value)} placeholder="Part of a name, or an ID" />
            <button type="submit" className="btn">
              Filter
            </button>
          </div>
        </div>
        {filtered ? (
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setTargetInput('');
              setParams(new URLSearchParams(), { replace: true });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>

      <ErrorMessage error={first.error} prefix="Could not load the activity." />
      {!first.data ? (
        first.error ? null : <Loading what="Loading activity" />
      ) : items.length === 0 ? (
        filtered ? (
          <EmptyState title="Nothing matches these filters.">Widen the time range or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No activity yet.">
            Once your IdP sends its first request (Test Connection in Entra or Okta counts), it shows here with its status, and so does every change an admin makes.
          </EmptyState>
        )
      ) : (
        <>
          <ActivityTable items={items} base={base} />
          <ErrorMessage error={loadMore.error} />
          {nextCursor ? (
            <button
              type="button"
              className="btn load-more"
              disabled={loadMore.busy}
              onClick={() =>
                loadMore.run(async () => {
                  const page = await api<Listing>('GET', `${base}/activity`, { query: { ...query, cursor: nextCursor } });
                  setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
                })
              }
            >
              {loadMore.busy ? 'Loading…' : 'Load older activity'}
            </button>
          ) : (
            <p className="muted small end-of-list">That is all{filtered ? ' that matches' : ''}: the log keeps activity for the retention period below.</p>
          )}
        </>
      )}
      <Retention base={base} />
    </div>
  );
}
