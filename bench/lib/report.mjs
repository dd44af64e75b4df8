/** The printed table, the ratio line, and latency percentiles. */

/** Percentile (nearest rank) of an ascending-sorted array; undefined when empty. */
export function percentile(sorted, p) {
  if (!sorted.length) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const fmt = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(digits));

const COLUMNS = [
  ['scenario', (r) => r.name, 'left'],
  ['req/s', (r) => fmt(r.reqPerSec, 0)],
  ['p50 ms', (r) => fmt(r.p50Ms, 1)],
  ['p99 ms', (r) => fmt(r.p99Ms, 1)],
  ['errors', (r) => String(r.errors)],
  // The peak of the server's RSS sampled every 100 ms during the scenario (else its value after).
  ['peak RSS MB', (r) => (r.rssMaxMb ?? r.rssMb) === undefined ? '-' : String(r.rssMaxMb ?? r.rssMb)],
];

/** A Markdown table (it reads as plain text too), one row per scenario. */
export function table(rows) {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => `| ${vals.map((v, i) => (COLUMNS[i][2] === 'left' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (COLUMNS[i][2] === 'left' ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(COLUMNS.map(([h]) => h)), rule, ...cells.map(line)].join('\n');
}

/** Ratios between scenarios that tell whether a path scales like it should. */
export function ratios(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const out = {};
  const div = (a, b) => (a !== undefined && b ? a / b : undefined);
  if (by.lookup && by['get-by-id']) out['lookup/get-by-id req/s'] = div(by.lookup.reqPerSec, by['get-by-id'].reqPerSec);
  // Issue 5's goal: scimd's lookup at ≥ 60 % of the floor (one SQL statement on the same pool).
  if (by.lookup && by.floor) out['lookup/floor req/s'] = div(by.lookup.reqPerSec, by.floor.reqPerSec);
  if (by['patch-active'] && by['get-by-id']) out['patch-active/get-by-id req/s'] = div(by['patch-active'].reqPerSec, by['get-by-id'].reqPerSec);
  if (by['page-deep'] && by['page-walk']) out['page-deep/page-walk p50'] = div(by['page-deep'].p50Ms, by['page-walk'].p50Ms);
  if (by['group-lookup'] && by.lookup) out['group-lookup/lookup req/s'] = div(by['group-lookup'].reqPerSec, by.lookup.reqPerSec);
  if (by.create) out['create pairs/s'] = by.create.reqPerSec / 2;
  if (by['group-members']) out['group member changes/s'] = (by['group-members'].reqPerSec * 100);
  // Independence of group size: the same PATCHes on the big group and on the small one (≈ 1 when independent).
  if (by['group-members'] && by['group-members-small']) {
    const big = by['group-members'].groupMembers;
    const small = by['group-members-small'].groupMembers;
    out[`group-members ${big}/${small} members p99`] = div(by['group-members'].p99Ms, by['group-members-small'].p99Ms);
    out[`group-members ${big}/${small} members req/s`] = div(by['group-members'].reqPerSec, by['group-members-small'].reqPerSec);
  }
  return out;
}

export function ratioLine(r) {
  const parts = Object.entries(r).map(([k, v]) => `${k} = ${v === undefined ? '-' : v >= 10 ? v.toFixed(0) : v.toFixed(2)}`);
  return `ratios: ${parts.length ? parts.join(' · ') : 'none (the scenarios they compare did not run)'}`;
}

/** The per-shape table of `mixed`: shape, share of requests, p50/p99 of its 2xx answers (ms), non-2xx, wrong 2xx. */
export function shapeTable(shapes) {
  const rows = Object.entries(shapes).sort((a, b) => b[1].requests - a[1].requests);
  const head = ['mixed shape', 'share', 'p50 ms', 'p99 ms', 'non-2xx', 'wrong'];
  const cells = rows.map(([name, s]) => [name, `${s.sharePct.toFixed(1)} %`, fmt(s.p50Ms), fmt(s.p99Ms), String(s.non2xx), String(s.unexpected)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => `| ${vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(head), rule, ...cells.map(line)].join('\n');
}
