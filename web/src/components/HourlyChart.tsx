/** SCIM requests per hour by outcome (succeeded, client errors, server errors), stacked. */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HourBucket } from '../types';

const HOUR = 3_600_000;
const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });
const hourLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const SERIES = ['ok', 'clientErrors', 'serverErrors'];

export const COLORS = { ok: '#2f9e6b', clientErrors: '#e0a100', serverErrors: '#d64545' };

/** Every hour of the last `days`, zero where nothing happened. */
export function fillHours(buckets: HourBucket[], days: number, now = Date.now()): HourBucket[] {
  const byHour = new Map(buckets.map((b) => [Math.floor(new Date(b.hour).getTime() / HOUR), b]));
  const last = Math.floor(now / HOUR);
  const out: HourBucket[] = [];
  for (let h = last - days * 24 + 1; h <= last; h++) {
    const b = byHour.get(h);
    out.push({ hour: new Date(h * HOUR).toISOString(), ok: b?.ok ?? 0, clientErrors: b?.clientErrors ?? 0, serverErrors: b?.serverErrors ?? 0 });
  }
  return out;
}

export function summarise(buckets: HourBucket[], days: number): string {
  const t = buckets.reduce((s, b) => ({ ok: s.ok + b.ok, c: s.c + b.clientErrors, x: s.x + b.serverErrors }), { ok: 0, c: 0, x: 0 });
  const firstFailure = [...buckets].sort((a, b) => a.hour.localeCompare(b.hour)).find((b) => b.clientErrors + b.serverErrors > 0);
  const lastFailure = [...buckets].sort((a, b) => b.hour.localeCompare(a.hour)).find((b) => b.clientErrors + b.serverErrors > 0);
  const span = days === 1 ? 'the last 24 hours' : `the last ${days} days`;
  if (t.ok + t.c + t.x === 0) return `No SCIM requests in ${span}.`;
  let s = `In ${span}: ${t.ok} succeeded, ${t.c} client errors (4xx), ${t.x} server errors (5xx).`;
  if (firstFailure && lastFailure) {
    s +=
      firstFailure.hour === lastFailure.hour
        ? ` Failures in the hour from ${hourLabel.format(new Date(firstFailure.hour))}.`
        : ` Failures between the hours from ${hourLabel.format(new Date(firstFailure.hour))} and ${hourLabel.format(new Date(lastFailure.hour))}.`;
  }
  return s;
}

export function HourlyChart({ buckets, days }: { buckets: HourBucket[]; days: number }) {
  const data = fillHours(buckets, days).map((b) => ({ ...b, t: new Date(b.hour).getTime() }));
  const summary = summarise(buckets, days);
  // One tick a day at midnight (or every 3 hours for a single day).
  const ticks = data.filter((d) => (days === 1 ? new Date(d.t).getHours() % 3 === 0 : new Date(d.t).getHours() === 0)).map((d) => d.t);
  return (
    <figure className="chart">
      <div role="img" aria-label={`Bar chart of SCIM requests per hour. ${summary}`} className="chart-box">
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} barCategoryGap={0.5}>
            <CartesianGrid vertical={false} stroke="#e5e7ef" />
            <XAxis dataKey="t" type="category" ticks={ticks} tickFormatter={(t: number) => (days === 1 ? timeLabel.format(new Date(t)) : dayLabel.format(new Date(t)))} tick={{ fontSize: 12, fill: '#5b6275' }} tickLine={false} axisLine={{ stroke: '#c9cedb' }} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: '#5b6275' }} tickLine={false} axisLine={false} width={48} />
            <Tooltip labelFormatter={(t) => hourLabel.format(new Date(Number(t)))} isAnimationActive={false} />
            <Legend wrapperStyle={{ fontSize: 13 }} itemSorter={(item) => SERIES.indexOf(String(item.dataKey))} formatter={(value) => <span className="legend-text">{value}</span>} />
            <Bar dataKey="ok" name="Succeeded" stackId="a" fill={COLORS.ok} isAnimationActive={false} />
            <Bar dataKey="clientErrors" name="Client errors (4xx)" stackId="a" fill={COLORS.clientErrors} isAnimationActive={false} />
            <Bar dataKey="serverErrors" name="Server errors (5xx)" stackId="a" fill={COLORS.serverErrors} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="chart-summary">{summary}</figcaption>
    </figure>
  );
}
