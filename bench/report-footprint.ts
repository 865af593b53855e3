/**
 * The footprint rows of latest.md (issue #18): idle RSS beside Node's floor,
 * the list and relist of N ConfigMaps in all namespaces, and --snapshot beside
 * the plain run (bench/footprint.ts, bench/relist.ts), with their target rows.
 */
import type { Results } from './run.js';
import { median } from './proc.js';
import { SETTLE_MS, type IdleRow } from './footprint.js';
import type { RelistRow } from './relist.js';

const MiB = 2 ** 20;
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const mibs = (b: number) => (Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');
const signed = (b: number) => (Number.isFinite(b) ? `${b >= 0 ? '+' : '−'}${(Math.abs(b) / MiB).toFixed(1)} MiB` : 'n/a');
const med = <T>(xs: T[], f: (x: T) => number | undefined) => median(xs.map((x) => f(x) ?? NaN));

export type TargetRow = [string, string, string];

/** The row with a handler configured: the one the idle target is about. */
function handlerRow(r: Results): IdleRow | undefined {
  return r.idle?.rows.find((x) => x.label.includes('--exec'));
}

/** Idle RSS, 100 ConfigMaps, handlers configured ≤ 64 MiB: judged on the RSS after the idle wait. */
export function idleTarget(r: Results): TargetRow {
  const name = 'idle RSS, 100 ConfigMaps, a handler configured ≤ 64 MiB (bench server)';
  const row = handlerRow(r);
  if (!r.idle || !row?.runs.length) return [name, 'not measured', 'not measured'];
  const idle = med(row.runs, (x) => x.idle?.rss);
  const floor = median(r.idle.floor);
  const verdict = Number.isFinite(idle) ? (idle <= 64 * MiB ? 'met' : 'missed') : 'not measured';
  return [name, `${mibs(idle)} after ${r.idle.idleS} s idle (peak ${mibs(med(row.runs, (x) => x.idle?.hwm))}; \`node -e 0\` ${mibs(floor)})`, verdict];
}

export function renderIdle(r: Results): string[] {
  const s = r.idle;
  if (!s?.rows.length) return [];
  const floor = median(s.floor);
  const L: string[] = [];
  L.push(`### Idle: ${fmtInt(s.n)} ConfigMaps of 1 KiB, no events, beside Node's floor`, '');
  L.push(`Bench server with ${fmtInt(s.n)} ConfigMaps of about 1 KiB and a watch that stays open and silent. RSS (VmRSS) and peak RSS (VmHWM) of each contender's process ${SETTLE_MS / 1000} s after it has listed, and after ${s.idleS} s more idle; in parentheses, above Node's floor: the peak RSS of \`node -e 0\` (GNU time's %M), **${mibs(floor)}** (median of ${s.floor.length} in this run). The handler (\`bench/handlers/notify.sh\` on MODIFIED) never runs: it is configured, as in a real sidecar.`, '');
  L.push(`| contender | RSS once listed | RSS after ${s.idleS} s idle | peak RSS | runs |`, '|---|---|---|---|---|');
  for (const row of s.rows) {
    const synced = med(row.runs, (x) => x.synced?.rss);
    const idle = med(row.runs, (x) => x.idle?.rss);
    const peak = med(row.runs, (x) => x.idle?.hwm ?? x.synced?.hwm);
    const name = row.label.startsWith('cmwatch') || row.label.startsWith('kubectl') ? `\`${row.label.replace(/ \(.*\)$/, '')}\`${/ \(.*\)$/.exec(row.label)?.[0] ?? ''}` : row.label;
    L.push(`| ${name} | ${mibs(synced)} (${signed(synced - floor)}) | ${mibs(idle)} (${signed(idle - floor)}) | ${mibs(peak)} (${signed(peak - floor)}) | ${row.runs.length} |`);
  }
  L.push('');
  return L;
}

interface RelistStats {
  row: RelistRow;
  listed: number;
  listedPeak: number;
  relisted: number;
  relistedPeak: number;
  pageSize: number | undefined;
  listS: number;
  relistS: number;
}

function relistStats(r: Results): RelistStats[] {
  return (r.relist?.rows ?? []).map((row) => {
    const done = row.runs.filter((x) => x.completed);
    return {
      row,
      listed: med(row.runs, (x) => x.listed?.rss),
      listedPeak: med(row.runs, (x) => x.listed?.hwm),
      relisted: med(done, (x) => x.relisted?.rss),
      relistedPeak: med(done, (x) => x.relisted?.hwm),
      pageSize: row.runs.find((x) => x.pageSize !== undefined)?.pageSize,
      listS: med(row.runs, (x) => x.listS),
      relistS: med(done, (x) => x.relistS),
    };
  });
}

/** Bytes of peak RSS per object above the smallest N (cmwatch rows), at the largest N. */
function growth(rows: RelistStats[]): { smallest: RelistStats; largest: RelistStats; perObject: number } | undefined {
  const own = rows.filter((x) => x.row.peer === 'cmwatch' && Number.isFinite(x.relistedPeak)).sort((a, b) => a.row.n - b.row.n);
  if (own.length < 2) return undefined;
  const smallest = own[0]!;
  const largest = own.at(-1)!;
  return { smallest, largest, perObject: (largest.relistedPeak - smallest.relistedPeak) / (largest.row.n - smallest.row.n) };
}

/**
 * Relist of 100,000 ConfigMaps: the peak is reported, and it must not grow with the pages held at
 * once. Judged: the peak grows by less per object than one object's JSON (1 KiB), so no page of
 * objects is kept, only something smaller per object (its fingerprint).
 */
export function relistTarget(r: Results): TargetRow {
  const name = 'relist of 100,000 ConfigMaps (all namespaces): peak RSS reported, and its growth per object < one object\'s JSON (1 KiB: nothing but fingerprints kept)';
  const rows = relistStats(r);
  const g = growth(rows);
  if (!g) return [name, 'not measured', 'not measured'];
  const page = g.largest.pageSize;
  const at = g.largest.row.n === 100_000 ? '' : ` (this run's largest N is ${fmtInt(g.largest.row.n)}, not 100,000)`;
  const result = `peak ${mibs(g.largest.relistedPeak)} at ${fmtInt(g.largest.row.n)}${at}; ${fmtInt(g.perObject)} bytes per object above ${fmtInt(g.smallest.row.n)}${page ? ` (${mibs(g.perObject * page)} per page of ${fmtInt(page)})` : ''}`;
  return [name, result, g.perObject < 1024 ? 'met' : 'missed'];
}

export function renderRelist(r: Results): string[] {
  const rows = relistStats(r);
  if (!rows.length) return [];
  const g = growth(rows);
  const smallest = g?.smallest;
  const page = rows.find((x) => x.row.peer === 'cmwatch' && x.pageSize !== undefined)?.pageSize;
  const L: string[] = [];
  L.push('### List and relist: N ConfigMaps of 1 KiB in all namespaces', '');
  L.push(`Bench server: N ConfigMaps of about 1 KiB spread over ${rows[0]!.row.namespaces} namespaces, served as the cluster-wide collection \`/api/v1/configmaps\` (paged with \`limit\` and \`continue\`, each object in its own namespace), watched with \`cmwatch -A\`. RSS and peak RSS ${SETTLE_MS / 1000} s after the first list is done ("synced N object(s)"); then the first watch, after a BOOKMARK past the list, ends with an \`ERROR\` event of a Status 410 Expired, as the API does for a resource version too old, and cmwatch lists everything again and diffs ("relisted N object(s)"): RSS and peak RSS ${SETTLE_MS / 1000} s after that. cmwatch's list page size (the \`limit\` of its requests; it has no flag for it): **${page ?? 'n/a'}**. The growth column is the peak after the relist, per object above the smallest N's (${smallest ? fmtInt(smallest.row.n) : 'n/a'}): a client that keeps the objects grows by at least their size (about 1 KiB of JSON each); one that keeps a fingerprint per object, by far less. The client-node informer (one unpaged list; it keeps every object) is the reference at the smallest N.`, '');
  L.push('| contender | N | list requests (both lists) | RSS after the list | peak after the list | RSS after the relist | peak after the relist | peak growth per object | list; relist | runs |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const x of rows) {
    const per = smallest && x.row.peer === 'cmwatch' && x !== smallest ? `${fmtInt((x.relistedPeak - smallest.relistedPeak) / (x.row.n - smallest.row.n))} B` : x === smallest ? '(the base)' : '';
    const reqs = median(x.row.runs.filter((q) => q.completed).map((q) => q.listRequests));
    const done = x.row.runs.every((q) => q.completed) ? '' : ' (no relist within its cap)';
    const name = x.row.peer === 'cmwatch' ? '`cmwatch -A`' : x.row.label;
    L.push(`| ${name}${done} | ${fmtInt(x.row.n)} | ${fmtInt(reqs)}${x.pageSize ? ` (limit ${fmtInt(x.pageSize)})` : ' (no limit)'} | ${mibs(x.listed)} | ${mibs(x.listedPeak)} | ${mibs(x.relisted)} | ${mibs(x.relistedPeak)} | ${per} | ${x.listS.toFixed(1)} s; ${Number.isFinite(x.relistS) ? x.relistS.toFixed(1) : 'n/a'} s | ${x.row.runs.length} |`);
  }
  L.push('');
  return L;
}

/** The --snapshot row of the targets: reported beside the plain run. */
export function snapshotTarget(r: Results): TargetRow {
  const name = '`--snapshot` of 10,000 CRs: RSS beside the plain run (reported)';
  const s = r.snapshot;
  const plain = s?.rows.find((x) => x.widgets === 0);
  const snap = s?.rows.find((x) => x.widgets > 0);
  if (!plain?.runs.length || !snap?.runs.length) return [name, 'not measured', 'not measured'];
  const a = med(plain.runs, (x) => x.synced?.rss);
  const b = med(snap.runs, (x) => x.synced?.rss);
  return [name, `${mibs(b)} with ${fmtInt(snap.widgets)} Widgets against ${mibs(a)} plain (${signed(b - a)})`, Number.isFinite(b - a) ? 'reported' : 'not measured'];
}

export function renderSnapshot(r: Results): string[] {
  const s = r.snapshot;
  if (!s?.rows.length) return [];
  const plain = s.rows.find((x) => x.widgets === 0);
  const base = plain ? med(plain.runs, (x) => x.synced?.rss) : NaN;
  const basePeak = plain ? med(plain.runs, (x) => x.synced?.hwm) : NaN;
  const L: string[] = [];
  L.push(`### \`--snapshot\` of ${fmtInt(s.widgets)} custom resources beside the plain run`, '');
  L.push(`Bench server holding ${fmtInt(s.configmaps)} ConfigMaps and ${fmtInt(s.widgets)} Widgets (\`widgets.bench.example.com\`) of about 1 KiB each; cmwatch watches the ConfigMaps, plain and with \`--snapshot widgets.bench.example.com\` (a cache of every Widget as JSON text for the handlers), the same server for both. RSS and peak RSS once every reflector logged "synced N object(s)" (the snapshot's too), ${SETTLE_MS / 1000} s after.`, '');
  L.push('| run | objects listed | RSS once listed | peak RSS | beside the plain run: RSS; peak | runs |', '|---|---|---|---|---|---|');
  for (const row of s.rows) {
    const rss = med(row.runs, (x) => x.synced?.rss);
    const peak = med(row.runs, (x) => x.synced?.hwm);
    const listed = row.widgets ? `${fmtInt(s.configmaps)} ConfigMaps + ${fmtInt(row.widgets)} Widgets` : `${fmtInt(s.configmaps)} ConfigMaps`;
    L.push(`| \`${row.label.replace(/ \(plain\)$/, '')}\`${row.widgets ? '' : ' (plain)'} | ${listed} | ${mibs(rss)} | ${mibs(peak)} | ${row === plain ? '—' : `${signed(rss - base)}; ${signed(peak - basePeak)}`} | ${row.runs.length} |`);
  }
  L.push('');
  return L;
}
