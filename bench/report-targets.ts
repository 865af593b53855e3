/**
 * The targets of issue #18 (a sidecar that fits), one row each with its
 * result and met/missed, from one run's results; a measure the run did not
 * make is "not measured".
 */
import type { Results } from './run.js';
import { type LivePeer } from './plane.js';
import { AS_IMAGE, IMAGE_LABEL } from './image.js';
import { median, type Memory } from './proc.js';
import type { Run } from './suites.js';
import { idleTarget, relistTarget, snapshotTarget, type TargetRow } from './report-footprint.js';
import { FLOOR_LABEL, FLOOR_NO_HASH_LABEL, INFORMER_HASH_LABEL, NODE_FLOOR_LABEL } from './peers.js';

const MiB = 2 ** 20;
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmt1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const mibs = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const verdict = (b: boolean | undefined) => (b === undefined ? 'not measured' : b ? 'met' : 'missed');

/** A plane row's RSS once the run settled, when the plane suite measured it (an optional field of newer results). */
type Steady = LivePeer & { steady?: Memory };

/** Of the steady RSS, the file-backed part (the binary's pages) of cmwatch, kubectl and an idle `node`, when the run split it. */
function splitText(own: Memory, kube: Memory, idle: Memory | undefined): string {
  if (own.file === undefined || kube.file === undefined) return '';
  const node = idle?.file !== undefined ? `; \`node\` idle: ${mibs(idle.file)} of its ${mibs(idle.rss)}` : '';
  return `. File-backed pages (RssFile: the binary's own, shared, clean): cmwatch ${mibs(own.file)}, kubectl ${mibs(kube.file)}${node}`;
}

function planeTargets(r: Results): TargetRow[] {
  const peakName = 'peak RSS, 10,000 ConfigMaps of 1 KiB, real control plane, list + 5,000 updates ≤ 96 MiB';
  const steadyName = 'steady RSS afterwards ≤ kubectl\'s (real control plane)';
  const anonName = 'steady anonymous memory (RssAnon: the RSS without the binary\'s file-backed pages), beside kubectl\'s (real control plane)';
  const live = r.plane?.live as Steady[] | undefined;
  const own = live?.find((x) => x.peer === 'cmwatch (direct)') ?? live?.find((x) => x.peer.startsWith('cmwatch'));
  if (!r.plane || !own) return [[peakName, 'the control plane was not run', 'not measured'], [steadyName, 'the control plane was not run', 'not measured']];
  const peak = Math.max(own.end?.hwm ?? NaN, own.synced?.hwm ?? NaN);
  const size = r.plane.n === 10_000 && r.plane.updates === 5000 ? '' : ` (this run: ${fmtInt(r.plane.n)} ConfigMaps, ${fmtInt(r.plane.updates)} updates)`;
  const rows: TargetRow[] = [[peakName, `${mibs(peak)}${size}`, Number.isFinite(peak) ? verdict(peak <= 96 * MiB) : 'not measured']];
  const kube = live!.find((x) => x.peer.startsWith('kubectl'));
  if (own.steady && kube?.steady) {
    const floor = r.plane.floor?.steady ? `; cmwatch with no object on the same API: ${mibs(r.plane.floor.steady.rss)}` : '';
    const image = live!.find((x) => x.peer === IMAGE_LABEL)?.steady;
    const asImage = image ? `; ${AS_IMAGE}: ${mibs(image.rss)}` : '';
    const node = live!.find((x) => x.peer === NODE_FLOOR_LABEL)?.steady;
    const nodeFloor = node ? `; a minimal Node watcher doing the same job: ${mibs(node.rss)}` : '';
    rows.push([steadyName, `${mibs(own.steady.rss)} against kubectl's ${mibs(kube.steady.rss)}${asImage}${nodeFloor}${floor}${splitText(own.steady, kube.steady, r.plane.nodeIdle)}`, verdict(own.steady.rss <= kube.steady.rss)]);
    if (own.steady.anon !== undefined && kube.steady.anon !== undefined) {
      const imageAnon = image?.anon !== undefined ? `; ${AS_IMAGE}: ${mibs(image.anon)}` : '';
      rows.push([anonName, `${mibs(own.steady.anon)} against kubectl's ${mibs(kube.steady.anon)}${imageAnon}${node?.anon !== undefined ? `; the minimal Node watcher: ${mibs(node.anon)}` : ''}`, 'reported']);
    }
  } else {
    rows.push([steadyName, 'not measured (this run has no steady RSS of the plane rows)', 'not measured']);
  }
  return rows;
}

function runsOf(r: Results, peer: string, size: number): Run[] | undefined {
  return r.throughput?.find((t) => t.peer === peer && t.size === size)?.runs;
}

/** CPU per 1,000 events ≤ the informer's, and events/s ≥ the informer's, at 1 KiB and 64 KiB (the `cmwatch` row: default log level). */
function informerTargets(r: Results): TargetRow[] {
  const cpuName = 'CPU per 1,000 events ≤ the client-node informer\'s (bench server; `cmwatch` at its default log level)';
  const rateName = 'events/s ≥ the client-node informer\'s (bench server; `cmwatch` at its default log level)';
  const sizes = [1024, 65536].map((size) => {
    const c = runsOf(r, 'cmwatch', size);
    const i = runsOf(r, 'informer', size);
    return {
      name: `${size / 1024} KiB`,
      measured: !!c?.length && !!i?.length,
      cpu: [median((c ?? []).map((x) => x.cpuMsPer1k)), median((i ?? []).map((x) => x.cpuMsPer1k))] as const,
      rate: [median((c ?? []).map((x) => x.rate)), median((i ?? []).map((x) => x.rate))] as const,
    };
  });
  if (!sizes.some((s) => s.measured)) return [[cpuName, 'not measured', 'not measured'], [rateName, 'not measured', 'not measured']];
  const each = (f: (s: (typeof sizes)[number]) => string, ok: (s: (typeof sizes)[number]) => boolean) =>
    [sizes.map((s) => `${s.name}: ${s.measured ? f(s) : 'not measured'}`).join('; '), sizes.map((s) => `${s.name} ${s.measured ? verdict(ok(s)) : 'not measured'}`).join(', ')] as const;
  const cpu = each((s) => `${fmt1(s.cpu[0])} ms against ${fmt1(s.cpu[1])} ms`, (s) => s.cpu[0] <= s.cpu[1]);
  const rate = each((s) => `${fmtInt(s.rate[0])} against ${fmtInt(s.rate[1])} (${ratio(s.rate[0] / s.rate[1])})`, (s) => s.rate[0] >= s.rate[1]);
  return [[cpuName, cpu[0], cpu[1]], [rateName, rate[0], rate[1]]];
}

/**
 * Where the informer targets stand against the floor of the design (reported, not a target): the least a
 * program spends for cmwatch's output, with and without the content SHA-256, and the informer making the same check.
 */
function floorRow(r: Results): TargetRow[] {
  const cpuOf = (peer: string, size: number) => median((runsOf(r, peer, size) ?? []).map((x) => x.cpuMsPer1k));
  if (!runsOf(r, FLOOR_LABEL, 1024)?.length) return [];
  const text = [1024, 65536].map((size) => `${size / 1024} KiB: cmwatch ${fmt1(cpuOf('cmwatch', size))}, floor ${fmt1(cpuOf(FLOOR_LABEL, size))} (${fmt1(cpuOf(FLOOR_NO_HASH_LABEL, size))} without the SHA-256), informer ${fmt1(cpuOf('informer', size))}, informer with the same content check ${fmt1(cpuOf(INFORMER_HASH_LABEL, size))}`).join('; ');
  return [['CPU ms per 1,000 events against the floor of the design (undici + JSON.parse + the content SHA-256 + the log line, nothing else: bench/peers/floor.mjs)', text, 'reported']];
}

function coldStartTarget(r: Results): TargetRow {
  const name = 'cold start: `cmwatch --version` and `cmwatch --help` ≤ 1.5× `node -e 0`';
  const c = r.coldstart;
  if (!c) return [name, 'not measured', 'not measured'];
  const n = median(c.node);
  const v = median(c.version) / n;
  const h = median(c.help) / n;
  return [name, `--version ${fmtInt(median(c.version))} ms (${ratio(v)}), --help ${fmtInt(median(c.help))} ms (${ratio(h)}), \`node -e 0\` ${fmtInt(n)} ms`, `--version ${verdict(v <= 1.5)}, --help ${verdict(h <= 1.5)}`];
}

/** Issue #18's rows, in the issue's order. */
export function issue18Targets(r: Results): TargetRow[] {
  return [idleTarget(r), ...planeTargets(r), ...informerTargets(r), ...floorRow(r), coldStartTarget(r), relistTarget(r), snapshotTarget(r)];
}
