/**
 * The any-resource rows of latest.md (bench/resources.ts): throughput for a
 * custom resource of 1 KiB, and RSS watching 3 resources against 1 above
 * Node's floor, with its target row.
 */
import type { Results } from './run.js';
import { median } from './proc.js';
import type { ResourcesRow } from './resources.js';
import type { Run } from './suites.js';

const MiB = 2 ** 20;
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmt1 = (x: number) => (!Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const mibs = (b: number) => (Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const rate = (runs: Run[]) => median(runs.map((x) => x.rate));
const cpu = (runs: Run[]) => median(runs.map((x) => x.cpuMsPer1k));
const cut = (runs: Run[]) => (runs.some((x) => !x.completed) ? ' (cut at its time cap)' : '');

/** The CR rows' table. */
export function renderCr(r: Results): string[] {
  if (!r.cr?.length) return [];
  const L: string[] = [];
  const own = r.cr.find((x) => x.peer === 'cmwatch widgets.bench.example.com');
  const c = own ? rate(own.runs) : NaN;
  L.push('### A custom resource of 1 KiB: widgets.bench.example.com against the peers, bench server', '');
  L.push('The same measure as the ConfigMap rows, in its own run: 100 Widgets (kind Widget, `bench.example.com/v1`, listed as a `WidgetList`, keys sorted as the API encodes custom resources) of about 1 KiB with `metadata.generation`, then M MODIFIED events, each bumping the generation (cmwatch\'s default content for such a CR is generation + labels + annotations, so every one is delivered). cmwatch and kubectl find the resource through discovery (the bench server answers aggregated discovery v2). cmwatch on 1 KiB ConfigMaps runs alongside as the reference. The book\'s loop watches ConfigMaps only.', '');
  L.push('| contender | events/s | cmwatch (CR) ÷ it | CPU ms / 1000 events | M |', '|---|---|---|---|---|');
  for (const x of r.cr) {
    // A command in backticks, what follows it in parentheses not.
    const [, cmd, rest] = /^(.*?)( \(.*\))?$/.exec(x.peer)!;
    const name = x.peer.startsWith('cmwatch') || x.peer.startsWith('kubectl') ? `\`${cmd}\`${rest ?? ''}` : x.peer;
    L.push(`| ${name} | ${fmtInt(rate(x.runs))}${cut(x.runs)} | ${x === own ? '1' : ratio(c / rate(x.runs))} | ${fmt1(cpu(x.runs))} | ${fmtInt(x.m)} |`);
  }
  L.push('');
  return L;
}

interface Increments {
  floor: number;
  /** Per row: RSS after the lists, after the events, peak; each minus the floor. */
  rows: Array<{ row: ResourcesRow; synced: number; end: number; peak: number }>;
}

function increments(r: Results): Increments | undefined {
  const s = r.resources;
  if (!s?.rows.length) return undefined;
  const floor = median(s.floor);
  const rows = s.rows.map((row) => ({
    row,
    synced: median(row.runs.map((x) => x.synced?.rss ?? NaN)) - floor,
    end: median(row.runs.map((x) => (x.completed ? x.end?.rss ?? NaN : NaN))) - floor,
    peak: median(row.runs.map((x) => (x.completed ? x.end?.hwm ?? NaN : NaN))) - floor,
  }));
  return { floor, rows };
}

/** The target row: the 3-resource increment after the events ÷ the 1-resource one, ≤ 3. */
export function resourcesTarget(r: Results): [string, string, string] | undefined {
  const inc = increments(r);
  if (!inc) return undefined;
  const one = inc.rows.find((x) => x.row.resources.length === 1);
  const threes = inc.rows.filter((x) => x.row.resources.length === 3);
  if (!one || !threes.length) return undefined;
  // Judged on both the RSS after the events and the peak RSS: met only when each is within 3×.
  const parts = threes.map((t) => ({ name: t.row.nPer === one.row.nPer ? 'same number each' : 'same total', q: t.end / one.end, peak: t.peak / one.peak }));
  const all = parts.flatMap((p) => [p.q, p.peak]);
  const ok = all.every((q) => Number.isFinite(q)) ? (all.every((q) => q <= 3) ? 'met' : 'missed') : 'not measured';
  return ['watching 3 resources ≤ 3× the RSS increment of 1, above `node -e 0` (after the events; peak)', parts.map((p) => `${p.name}: ${ratio(p.q)}; peak ${ratio(p.peak)}`).join(', '), ok];
}

/** The 3-against-1 table. */
export function renderResources(r: Results): string[] {
  const inc = increments(r);
  if (!inc) return [];
  const one = inc.rows.find((x) => x.row.resources.length === 1);
  const L: string[] = [];
  L.push('### Watching 3 resources against 1, above Node\'s floor', '');
  L.push(`One cmwatch with RESOURCE arguments on the bench server: \`configmaps\`, or \`configmaps secrets widgets.bench.example.com\` (one reflector each, one queue), with \`--log-level warn --on ADDED --exec bench/handlers/notify.sh\` (the markers are seen through the handler: under load a full stderr drops log lines), objects of about 1 KiB. RSS once every list is done (the server holds the events back), then after M MODIFIED events on each resource's watch; each minus Node's floor, the peak RSS of \`node -e 0\` (GNU time's %M), **${mibs(inc.floor)}** (median of ${r.resources!.floor.length} in this run). The ratios are the row's increments (after the events; peak) to those of the 1-resource row.`, '');
  L.push('| cmwatch watching | objects listed | events | RSS after the lists (above the floor) | RSS after the events (above the floor) | peak RSS (above the floor) | increment ÷ 1 resource\'s: after the events; peak | runs |', '|---|---|---|---|---|---|---|---|');
  for (const x of inc.rows) {
    const k = x.row.resources.length;
    const done = x.row.runs.every((q) => q.completed) ? '' : ' (cut at its time cap)';
    L.push(`| ${x.row.label}${done} | ${fmtInt(x.row.nPer * k)} (${fmtInt(x.row.nPer)} each) | ${fmtInt(x.row.mPer * k)} | ${mibs(x.synced + inc.floor)} (${mibs(x.synced)}) | ${mibs(x.end + inc.floor)} (${mibs(x.end)}) | ${mibs(x.peak + inc.floor)} (${mibs(x.peak)}) | ${x === one ? '1; 1' : one ? `${ratio(x.end / one.end)}; ${ratio(x.peak / one.peak)}` : 'n/a'} | ${x.row.runs.length} |`);
  }
  L.push('');
  return L;
}
