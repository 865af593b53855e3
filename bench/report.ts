/**
 * The results as a Markdown page (medians, ratios to baselines of the same
 * run, the targets of issue #8) and an SVG chart written by hand.
 */
import type { Results } from './run.js';
import { median, percentile } from './proc.js';
import type { MemoryRun, Run } from './suites.js';
import { renderCr, renderResources, resourcesTarget } from './report-resources.js';
import { renderIdle, renderRelist, renderSnapshot } from './report-footprint.js';
import { issue18Targets } from './report-targets.js';
import { renderPlaneMemory } from './report-plane.js';
import { renderState } from './report-state.js';
import { FLOOR_LABEL, FLOOR_NO_HASH_LABEL, INFORMER_HASH_LABEL } from './peers.js';

const MiB = 2 ** 20;
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmt1 = (x: number) => (!Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const fmt2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const mib = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? (b / MiB).toFixed(1) : 'n/a');
const ratio = (x: number) => (!Number.isFinite(x) ? 'n/a' : x >= 100 ? `${fmtInt(x)}×` : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);
const pct = (x: number) => {
  if (!Number.isFinite(x)) return 'n/a';
  const p = Math.round(x * 100);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p)}%`;
};
const mibs = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');

function rate(runs: Run[] | undefined): number {
  return median((runs ?? []).map((r) => r.rate));
}
function cpu(runs: Run[] | undefined): number {
  return median((runs ?? []).map((r) => r.cpuMsPer1k));
}
function cut(runs: Run[] | undefined): string {
  return (runs ?? []).some((r) => !r.completed) ? ' (cut at its time cap)' : '';
}
function sizeName(size: number): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

/** Median over runs of the RSS at the point with `events` (in the run's own units). */
function memAt(runs: MemoryRun[], i: number, k: 'rss' | 'hwm'): number {
  return median(runs.map((r) => r.points[i]?.[k] ?? NaN));
}

export interface Verdicts {
  rows: Array<[string, string, string]>;
}

function throughputOf(r: Results, peer: string, size: number): { runs: Run[] } | undefined {
  return r.throughput?.find((t) => t.peer === peer && t.size === size);
}

/** Issue #18's targets first, then the older ones that still stand (issue #8's, #13's). */
export function targets(r: Results): Verdicts {
  const rows: Array<[string, string, string]> = [...issue18Targets(r)];
  const ok = (b: boolean | undefined) => (b === undefined ? 'not measured' : b ? 'met' : 'missed');
  if (r.inproc?.length) {
    const parts = r.inproc.map((x) => {
      const q = median(x.pipeline.map((p, i) => p / x.jsonParse[i]!));
      return { size: x.size, q };
    });
    rows.push(['event throughput ≥ 0.5× JSON.parse of the same lines (in one process)', parts.map((p) => `${sizeName(p.size)}: ${ratio(p.q)}`).join(', '), parts.map((p) => `${sizeName(p.size)} ${ok(p.q >= 0.5)}`).join(', ')]);
  }
  if (r.throughput?.length) {
    const parts = [1024, 65536].map((size) => {
      const c = rate(throughputOf(r, 'cmwatch', size)?.runs);
      const b = rate(throughputOf(r, 'book', size)?.runs);
      return { size, q: c / b };
    });
    rows.push(['event throughput ≥ 100× the book\'s loop (bench server)', parts.map((p) => `${sizeName(p.size)}: ${ratio(p.q)}`).join(', '), parts.map((p) => `${sizeName(p.size)} ${ok(p.q >= 100)}`).join(', ')]);
  }
  const mem = r.memory?.find((m) => m.peer === 'cmwatch');
  if (mem?.runs.length) {
    // Issue #8's 64 MiB peak on the bench server is superseded by issue #18's 96 MiB on the real control plane.
    const a = memAt(mem.runs, 0, 'rss');
    const b = memAt(mem.runs, mem.phases.length - 1, 'rss');
    const total = mem.phases.reduce((x, y) => x + y, 0);
    rows.push([`RSS after ${fmtInt(total)} events within 10% of that after ${fmtInt(mem.phases[0]!)}`, `${mib(a)} → ${mib(b)} MiB (${pct(b / a - 1)})`, ok(Math.abs(b / a - 1) <= 0.1)]);
  }
  const direct = r.plane?.latency.find((l) => l.mode === 'direct');
  if (direct) {
    const p99 = percentile(direct.samplesMs, 99);
    rows.push(['p99 API write accepted → handler start ≤ 30 ms (loopback, direct)', `${fmt1(p99)} ms over ${direct.samplesMs.length} changes`, ok(p99 <= 30 && direct.lost === 0)]);
  } else {
    rows.push(['p99 API write accepted → handler start ≤ 30 ms (loopback, direct)', 'the control plane was not run', 'not measured']);
  }
  const three = resourcesTarget(r);
  if (three) rows.push(three);
  // Issue #8's cold start (≤ 2×) is superseded by issue #18's (≤ 1.5×, --help too).
  return { rows };
}

export function renderMarkdown(r: Results): string {
  const m = r.meta;
  const L: string[] = [];
  L.push('# cmwatch benchmarks', '');
  L.push(`${m.date.slice(0, 16).replace('T', ' ')} UTC · commit ${m.commit} · ${m.mode} run (\`npm run bench${m.args ? (m.args.length ? ` -- ${m.args.join(' ')}` : '') : m.mode === 'quick' ? ' -- --quick' : ''}\`, ${fmtInt(m.seconds)} s) · ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB · Node ${m.node} · kubectl ${m.kubectl} · @kubernetes/client-node ${m.clientNode} · load average ${m.loadBefore.map(fmt2).join(' ')} before, ${m.loadAfter.map(fmt2).join(' ')} after`);
  L.push('');
  L.push(`Medians of ${m.reps} run(s) unless said otherwise; every ratio is to a baseline measured in the same run. All traffic on 127.0.0.1. CPU is user+system of the contender's whole process group (10 ms ticks).`);
  for (const n of m.notes) L.push('', `**Note:** ${n}`);
  // The chart draws the ConfigMap throughput and memory rows: a run without them (--only=cr,resources) has none to show.
  if (r.inproc?.length || r.throughput?.length || r.memory?.length) L.push('', '![throughput and memory against the peers](chart.svg)', '');
  else L.push('');

  L.push('## Targets', '', '| target | result | |', '|---|---|---|');
  for (const [a, b, c] of targets(r).rows) L.push(`| ${a} | ${b} | ${c} |`);
  L.push('');

  if (r.inproc?.length) {
    L.push('## 1. Event throughput', '');
    L.push('### In one process: first byte of the watch to the dispatch decision, against JSON.parse of the same lines', '');
    L.push('The bench server (a separate process) streams M MODIFIED events of 100 ConfigMaps; events/s.', '');
    L.push('| payload | M | JSON.parse of the lines (baseline) | wire: bytes only | undici + ndjson framing | cmwatch pipeline | pipeline ÷ JSON.parse |', '|---|---|---|---|---|---|---|');
    for (const x of r.inproc) {
      const q = median(x.pipeline.map((p, i) => p / x.jsonParse[i]!));
      L.push(`| ${sizeName(x.size)} | ${fmtInt(x.m)} | ${fmtInt(median(x.jsonParse))} | ${fmtInt(median(x.wire))} | ${fmtInt(median(x.frames))} | ${fmtInt(median(x.pipeline))} | **${ratio(q)}** |`);
    }
    L.push('', 'pipeline = the real Reflector (HttpSource, framing, event checks, change detection) and the intake of `cmwatch watch` (filter, its log line formatted at info level into a no-op sink, the handler engine deciding that nothing runs). wire = undici reading the body and counting bytes: the most the bench server and the socket deliver.', '');
    L.push('Where the time goes, per event (µs = 1e6 ÷ the median rate; the same process, no socket for the last two):', '');
    L.push('| payload | JSON.parse | framing over HTTP (incl. JSON.parse) | pipeline over HTTP | pipeline from memory, no socket | change detection alone (SHA-256 of the content) |', '|---|---|---|---|---|---|');
    for (const x of r.inproc) {
      const us = (a: number[] | undefined) => fmt1(1e6 / median(a ?? []));
      L.push(`| ${sizeName(x.size)} | ${us(x.jsonParse)} µs | ${us(x.frames)} µs | ${us(x.pipeline)} µs | ${us(x.memPipeline)} µs | ${us(x.detect)} µs |`);
    }
    L.push('');
  }

  if (r.throughput?.length) {
    L.push('### Against the peers: bench server, 100 ConfigMaps listed, then M MODIFIED events at full speed', '');
    L.push('From the server\'s first byte of the watch to the contender showing the last event (a marker ConfigMap); events/s. The book\'s loop never finishes: its rate is the events it handled before its time cap.', '');
    L.push('| contender | 1 KiB: events/s | cmwatch ÷ it | CPU ms / 1000 events | 64 KiB: events/s | cmwatch ÷ it | CPU ms / 1000 events |', '|---|---|---|---|---|---|---|');
    const peers = [...new Set(r.throughput.map((t) => t.peer))];
    const c1 = rate(throughputOf(r, 'cmwatch', 1024)?.runs);
    const c64 = rate(throughputOf(r, 'cmwatch', 65536)?.runs);
    for (const p of peers) {
      const a = throughputOf(r, p, 1024)?.runs;
      const b = throughputOf(r, p, 65536)?.runs;
      const name = p === 'book' ? 'the book\'s loop (curl \\| while read; jq)' : p === 'informer' ? '@kubernetes/client-node informer' : p === 'kubectl' ? '`kubectl get cm --watch --output-watch-events -o json`' : `\`${p}\``;
      L.push(`| ${name} | ${fmtInt(rate(a))}${cut(a)} | ${p === 'cmwatch' ? '1' : ratio(c1 / rate(a))} | ${fmt1(cpu(a))} | ${fmtInt(rate(b))}${cut(b)} | ${p === 'cmwatch' ? '1' : ratio(c64 / rate(b))} | ${fmt1(cpu(b))} |`);
    }
    L.push('', '`cmwatch` runs as users run it: one log line per event on stderr (read by the harness). `cmwatch --log-level warn` drops that line (its end is seen by a handler on the marker\'s ADDED). The informer row with the content check gives each update the check cmwatch makes (cmwatch\'s content text and SHA-256, compared with the one kept for the key). The floor rows (bench/peers/floor.mjs) are the least a program can do for cmwatch\'s output: undici\'s body split into lines, JSON.parse, cmwatch\'s own content text and SHA-256 per event, a record per key and the log line, batched; nothing else (no checks, no resume point, no queue); the second leaves out the content text and hash. M per contender: ' +
      r.throughput.filter((t) => t.size === 1024).map((t) => `${t.peer} ${fmtInt(t.m)}`).join(', ') + ' (1 KiB); ' +
      r.throughput.filter((t) => t.size === 65536).map((t) => `${t.peer} ${fmtInt(t.m)}`).join(', ') + ' (64 KiB).', '');
  }

  if (r.cr?.length && !r.inproc?.length && !r.throughput?.length) L.push('## 1. Event throughput', '');
  L.push(...renderCr(r));

  if (r.plane) {
    const p = r.plane;
    L.push(`### Real control plane (kube-apiserver ${p.version}, etcd, on 127.0.0.1): live events`, '');
    L.push(`${fmtInt(p.n)} ConfigMaps of 1 KiB, all contenders listing and watching at once while the harness PATCHes ${fmtInt(p.updates)} of them, 8 requests in flight: the API took **${fmtInt(p.writerRate)} writes/s**, the ceiling for everyone. One run.`, '');
    L.push('| contender | events/s | behind the last write | CPU ms / 1000 events |', '|---|---|---|---|');
    for (const x of p.live) L.push(`| ${x.peer} | ${fmtInt(x.rate)}${x.completed ? '' : ' (cut)'} | ${fmtInt(x.lagMs)} ms | ${fmt1(x.cpuMsPer1k)} |`);
    L.push('');
  }

  if (r.handlers?.length) {
    L.push('## 2. Handler throughput', '');
    L.push('cmwatch: N ConfigMaps, one MODIFIED each (so nothing coalesces), `/bin/true` as the handler; from the first byte of the watch to the N-th `exit 0`. The book\'s loop: `/bin/true` in place of its pod deletion, for each MODIFIED.', '');
    L.push('| contender | runs/s | CPU ms / run |', '|---|---|---|');
    for (const h of r.handlers) L.push(`| ${h.label} | ${fmtInt(rate(h.runs))}${cut(h.runs)} | ${fmt1(cpu(h.runs) / 1000)} |`);
    L.push('');
  }

  if (r.plane) {
    L.push('## 3. Latency: API write accepted → handler process start', '');
    L.push('One PATCH at a time to one ConfigMap; from the PATCH\'s response to `bench/handlers/notify.sh` (a `/bin/sh` script) writing its first line into a FIFO the harness reads, so it includes the shell\'s start.', '');
    L.push('| mode | p50 | p99 | max | changes | lost | the PATCH itself, p50 |', '|---|---|---|---|---|---|---|');
    for (const l of r.plane.latency) L.push(`| ${l.mode} | ${fmt1(percentile(l.samplesMs, 50))} ms | ${fmt1(percentile(l.samplesMs, 99))} ms | ${fmt1(Math.max(...l.samplesMs))} ms | ${l.samplesMs.length} | ${l.lost} | ${fmt1(percentile(l.writeMs, 50))} ms |`);
    L.push('');
  }

  if (r.memory?.length) {
    L.push('## 4. Memory', '');
    const ph = r.memory[0]!.phases;
    const at: number[] = [];
    ph.reduce((a, b) => (at.push(a + b), a + b), 0);
    L.push(`Bench server: 10,000 ConfigMaps of 1 KiB listed (unless the row says otherwise), then ${fmtInt(at.at(-1)!)} MODIFIED events over them; RSS read from /proc at each point while the server waits. For scale: \`node -e 0\` alone is about 40 MiB; cmwatch's own floor in this run is the 1-ConfigMap row, and its idle RSS is in the idle table below. The row with V8's own settings is cmwatch with node flags that undo src/ops/v8-defaults.ts.`, '');
    L.push(`| contender | RSS after the list | peak RSS at ${fmtInt(at[0]!)} events | ${at.map((a) => `RSS at ${fmtInt(a)}`).join(' | ')} | ${fmtInt(at.at(-1)!)} vs ${fmtInt(at[0]!)} | peak RSS at the end | runs |`);
    L.push(`|---|---|---|${at.map(() => '---|').join('')}---|---|---|`);
    for (const x of r.memory) {
      const synced = median(x.runs.map((q) => q.synced?.rss ?? NaN));
      const peak0 = median(x.runs.map((q) => Math.max(q.synced?.hwm ?? 0, q.points[0]?.hwm ?? NaN)));
      const cells = at.map((_, i) => mibs(memAt(x.runs, i, 'rss')));
      const a = memAt(x.runs, 0, 'rss');
      const b = memAt(x.runs, at.length - 1, 'rss');
      const hw = median(x.runs.map((q) => q.points.at(-1)?.hwm ?? NaN));
      const done = x.runs.every((q) => q.completed) ? '' : ' (cut at its time cap)';
      L.push(`| ${x.peer}${done} | ${mibs(synced)} | ${mibs(peak0)} | ${cells.join(' | ')} | ${pct(b / a - 1)} | ${mibs(hw)} | ${x.runs.length} |`);
    }
    L.push('');
  }

  if (!r.memory?.length && (r.plane?.live.length || r.resources?.rows.length || r.state?.runs.length || r.idle || r.relist || r.snapshot)) L.push('## 4. Memory', '');
  L.push(...renderPlaneMemory(r));
  L.push(...renderResources(r));
  L.push(...renderIdle(r), ...renderRelist(r), ...renderSnapshot(r));
  L.push(...renderState(r));

  if (r.coldstart) {
    const c = r.coldstart;
    const n = median(c.node);
    L.push('## 5. Cold start', '', `Wall time of a fresh process, ${c.node.length} runs each, interleaved; cmwatch is the bin itself, as installed (its #! line starts node).`, '');
    L.push('| command | median | × `node -e 0` |', '|---|---|---|');
    L.push(`| \`node -e 0\` | ${fmtInt(n)} ms | 1 |`);
    L.push(`| \`cmwatch --version\` | ${fmtInt(median(c.version))} ms | ${ratio(median(c.version) / n)} |`);
    L.push(`| \`cmwatch --help\` | ${fmtInt(median(c.help))} ms | ${ratio(median(c.help) / n)} |`);
    L.push('');
  }
  return L.join('\n');
}

/** The README's table: the targets, and each contender on the same workloads. */
export function renderSummary(r: Results): string {
  const m = r.meta;
  const L: string[] = [];
  L.push(`${m.date.slice(0, 10)}, commit ${m.commit}, ${m.mode} run: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${fmt2(m.loadBefore[0]!)} at the start. Medians of ${m.reps} run(s).`, '');
  L.push('| target | result | |', '|---|---|---|');
  for (const [a, b, c] of targets(r).rows) L.push(`| ${a} | ${b} | ${c} |`);
  L.push('');
  const peers: Array<[string, string, string | undefined, string | undefined]> = [
    // label, throughput peer, memory peer, plane peer prefix
    ['cmwatch', 'cmwatch', 'cmwatch', 'cmwatch'],
    ['cmwatch --log-level warn', 'cmwatch --log-level warn', undefined, undefined],
    ['@kubernetes/client-node informer', 'informer', '@kubernetes/client-node informer', '@kubernetes/client-node'],
    ['kubectl get --watch -o json', 'kubectl', 'kubectl get --watch', 'kubectl'],
    ['the book\'s curl | jq loop', 'book', undefined, undefined],
  ];
  const total = r.memory?.[0]?.phases.reduce((x, y) => x + y, 0) ?? 0;
  L.push(`| contender (bench server unless said) | events/s, 1 KiB | events/s, 64 KiB | CPU ms / 1000 events, 1 KiB | peak RSS, 10k ConfigMaps | RSS after ${total >= 1e6 ? `${total / 1e6}M` : `${total / 1000}k`} events | live on the real API: CPU ms / 1000 events |`, '|---|---|---|---|---|---|---|');
  for (const [label, tp, mp, pp] of peers) {
    const a = throughputOf(r, tp, 1024)?.runs;
    const b = throughputOf(r, tp, 65536)?.runs;
    const mem = mp ? r.memory?.find((x) => x.peer === mp) : undefined;
    const peak = mem ? median(mem.runs.map((q) => Math.max(q.synced?.hwm ?? 0, q.points[0]?.hwm ?? NaN))) : NaN;
    const lastRss = mem && mem.runs.every((q) => q.completed) ? memAt(mem.runs, mem.phases.length - 1, 'rss') : NaN;
    const live = pp ? r.plane?.live.find((x) => x.peer.startsWith(pp)) : undefined;
    L.push(`| ${label.replace(/\|/g, '\\|')} | ${fmtInt(rate(a))} | ${fmtInt(rate(b))} | ${fmt1(cpu(a))} | ${mem ? `${mib(peak)} MiB` : ''} | ${Number.isFinite(lastRss) ? `${mib(lastRss)} MiB` : mem ? 'not reached' : ''} | ${live ? fmt1(live.cpuMsPer1k) : ''} |`);
  }
  const direct = r.plane?.latency.find((l) => l.mode === 'direct');
  const proxy = r.plane?.latency.find((l) => l.mode === 'kubectl proxy');
  if (direct && proxy) L.push('', `Write accepted → handler start, real API: p50 ${fmt1(percentile(direct.samplesMs, 50))} ms, p99 ${fmt1(percentile(direct.samplesMs, 99))} ms direct; p50 ${fmt1(percentile(proxy.samplesMs, 50))} ms, p99 ${fmt1(percentile(proxy.samplesMs, 99))} ms through kubectl proxy.`);
  const h = r.handlers?.find((x) => x.label.includes('concurrency 4'));
  const hb = r.handlers?.find((x) => x.label.includes('book'));
  if (h && hb) L.push('', `Handler runs/s with /bin/true: ${fmtInt(rate(r.handlers?.find((x) => x.label.includes('concurrency 1'))?.runs))} (concurrency 1), ${fmtInt(rate(h.runs))} (concurrency 4); the book's loop ${fmt1(rate(hb.runs))}.`);
  return L.join('\n');
}

// ---------------------------------------------------------------------------
// SVG

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  label: string;
  values: Array<number | undefined>;
  note?: string;
}

function niceStep(x: number): number {
  const e = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= x) return m * e;
  return 10 * e;
}

/** Horizontal grouped bars; log scale when `log`. Returns the SVG fragment and its height. */
function barPanel(x0: number, y0: number, w: number, title: string, unit: string, series: string[], colors: string[], bars: Bar[], log: boolean): { svg: string; h: number } {
  const labelW = 250;
  const rowH = 14 * series.length + 10;
  const plotW = w - labelW - 70;
  const all = bars.flatMap((b) => b.values).filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const max = Math.max(...all, 1);
  const min = log ? Math.max(Math.min(...all, max) / 2, 0.1) : 0;
  const lo = log ? Math.floor(Math.log10(min)) : 0;
  const step = niceStep(max / 4);
  const hi = log ? Math.ceil(Math.log10(max)) : Math.ceil((max * 1.02) / step) * step;
  const xs = (v: number) => (log ? ((Math.log10(v) - lo) / (hi - lo)) * plotW : (v / hi) * plotW);
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${y0 + 14}" class="t">${esc(title)}</text>`);
  let y = y0 + 28;
  // legend
  series.forEach((s, i) => {
    out.push(`<rect x="${x0 + labelW + i * 110}" y="${y - 9}" width="10" height="10" fill="${colors[i]}"/><text x="${x0 + labelW + 14 + i * 110}" y="${y}" class="s">${esc(s)}</text>`);
  });
  y += 10;
  const top = y;
  for (const b of bars) {
    out.push(`<text x="${x0 + labelW - 8}" y="${y + rowH / 2 + 3}" class="l" text-anchor="end">${esc(b.label)}</text>`);
    b.values.forEach((v, i) => {
      const by = y + 4 + i * 14;
      if (v === undefined || !Number.isFinite(v) || v <= 0) {
        out.push(`<text x="${x0 + labelW + 4}" y="${by + 10}" class="s">not measured</text>`);
        return;
      }
      const bw = Math.max(1, xs(Math.max(v, log ? 10 ** lo : 0)));
      out.push(`<rect x="${x0 + labelW}" y="${by}" width="${bw.toFixed(1)}" height="11" fill="${colors[i]}"/>`);
      out.push(`<text x="${(x0 + labelW + bw + 4).toFixed(1)}" y="${by + 9.5}" class="v">${esc(v >= 100 ? fmtInt(v) : v.toFixed(1))}${unit}</text>`);
    });
    y += rowH;
  }
  // axis ticks
  const ticks: number[] = log ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)) : Array.from({ length: Math.round(hi / step) + 1 }, (_, i) => i * step);
  for (const t of ticks) {
    const tx = x0 + labelW + xs(Math.max(t, log ? 10 ** lo : 0));
    out.push(`<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${y}" class="g"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${y + 12}" class="s" text-anchor="middle">${t >= 1000 ? `${t / 1000}k` : t}</text>`);
  }
  return { svg: out.join('\n'), h: y + 20 - y0 };
}

function linePanel(x0: number, y0: number, w: number, title: string, xs: number[], series: Array<{ label: string; color: string; ys: Array<number | undefined> }>, limit?: number): { svg: string; h: number } {
  const h = 190;
  const left = x0 + 60;
  const plotW = w - 60 - 230;
  const top = y0 + 26;
  const plotH = h - 60;
  const all = series.flatMap((s) => s.ys).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const ystep = niceStep((Math.max(...all, limit ?? 0) || 1) / 4);
  const max = Math.ceil((Math.max(...all, limit ?? 0) * 1.05) / ystep) * ystep || 1;
  const px = (i: number) => left + (xs.length > 1 ? (i / (xs.length - 1)) * plotW : 0);
  const py = (v: number) => top + plotH - (v / max) * plotH;
  const out: string[] = [`<text x="${x0}" y="${y0 + 14}" class="t">${esc(title)}</text>`];
  for (let k = 0; k * ystep <= max; k++) {
    const v = k * ystep;
    out.push(`<line x1="${left}" y1="${py(v).toFixed(1)}" x2="${left + plotW}" y2="${py(v).toFixed(1)}" class="g"/><text x="${left - 6}" y="${(py(v) + 3).toFixed(1)}" class="s" text-anchor="end">${v.toFixed(0)}</text>`);
  }
  xs.forEach((x, i) => out.push(`<text x="${px(i).toFixed(1)}" y="${top + plotH + 14}" class="s" text-anchor="middle">${x >= 1e6 ? `${x / 1e6}M` : `${x / 1000}k`} events</text>`));
  if (limit !== undefined) out.push(`<line x1="${left}" y1="${py(limit).toFixed(1)}" x2="${left + plotW}" y2="${py(limit).toFixed(1)}" stroke="#c00" stroke-dasharray="4 3"/><text x="${left + plotW + 4}" y="${(py(limit) + 3).toFixed(1)}" class="s" fill="#c00">target ${limit} MiB</text>`);
  series.forEach((s, si) => {
    const pts = s.ys.map((v, i) => (v === undefined || !Number.isFinite(v) ? undefined : `${px(i).toFixed(1)},${py(v).toFixed(1)}`)).filter(Boolean);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of pts) out.push(`<circle cx="${p!.split(',')[0]}" cy="${p!.split(',')[1]}" r="3" fill="${s.color}"/>`);
    out.push(`<rect x="${left + plotW + 14}" y="${top + 8 + si * 16}" width="10" height="10" fill="${s.color}"/><text x="${left + plotW + 28}" y="${top + 17 + si * 16}" class="s">${esc(s.label)}</text>`);
  });
  out.push(`<text x="${x0 + 8}" y="${top + plotH / 2}" class="s" transform="rotate(-90 ${x0 + 8} ${top + plotH / 2})" text-anchor="middle">RSS, MiB</text>`);
  return { svg: out.join('\n'), h };
}

/** Chart labels: the contenders' names, short enough for the label column. */
function short(peer: string): string {
  return peer
    .replace('@kubernetes/client-node informer', 'client-node informer')
    .replace('cmwatch, node --max-semi-space-size=1', 'cmwatch, semi-space 1 MiB')
    .replace(/cmwatch, 1 ConfigMap.*/, 'cmwatch, 1 ConfigMap (floor)');
}

export function renderSvg(r: Results): string {
  const W = 900;
  const parts: string[] = [];
  let y = 10;
  const blue = '#2b6cb0';
  const orange = '#dd8a2b';
  const gray = '#888';
  if (r.throughput?.length || r.inproc?.length) {
    const bars: Bar[] = [];
    const inp = (size: number) => r.inproc?.find((x) => x.size === size);
    if (r.inproc?.length) {
      bars.push({ label: 'JSON.parse of the lines (baseline)', values: [median(inp(1024)?.jsonParse ?? []), median(inp(65536)?.jsonParse ?? [])] });
      bars.push({ label: 'cmwatch pipeline, in one process', values: [median(inp(1024)?.pipeline ?? []), median(inp(65536)?.pipeline ?? [])] });
    }
    const names: Record<string, string> = {
      cmwatch: 'cmwatch', informer: 'client-node informer', kubectl: 'kubectl get --watch -o json', book: 'the book\'s curl | jq loop',
      [INFORMER_HASH_LABEL]: 'informer + content SHA-256', [FLOOR_LABEL]: 'floor: undici, JSON.parse, SHA-256', [FLOOR_NO_HASH_LABEL]: 'floor without SHA-256',
    };
    for (const p of [...new Set((r.throughput ?? []).map((t) => t.peer))]) {
      bars.push({ label: names[p] ?? p, values: [rate(throughputOf(r, p, 1024)?.runs), rate(throughputOf(r, p, 65536)?.runs)] });
    }
    const b = barPanel(10, y, W - 20, 'Event throughput, events/s (log scale): bench server on 127.0.0.1', '', ['1 KiB objects', '64 KiB objects'], [blue, orange], bars, true);
    parts.push(b.svg);
    y += b.h + 10;
  }
  if (r.memory?.length) {
    const planePeak = (peer: string) => {
      const l = r.plane?.live.find((x) => x.peer.split(' ')[0] === peer.split(' ')[0]);
      return l ? Math.max(l.end?.hwm ?? 0, l.synced?.hwm ?? 0) / MiB : undefined;
    };
    const bars: Bar[] = r.memory.filter((m) => m.n === 10_000).map((m) => ({
      label: short(m.peer),
      values: [median(m.runs.map((q) => Math.max(q.synced?.hwm ?? 0, q.points[0]?.hwm ?? NaN))) / MiB, planePeak(m.peer)],
    }));
    const b = barPanel(10, y, W - 20, 'Peak RSS watching 10,000 ConfigMaps of 1 KiB, MiB (target for cmwatch: 64)', ' MiB', ['bench server', 'real control plane'], [blue, gray], bars, false);
    parts.push(b.svg);
    y += b.h + 10;
    const ph = r.memory[0]!.phases;
    const xs: number[] = [];
    ph.reduce((a, c) => (xs.push(a + c), a + c), 0);
    const colors = [blue, '#805ad5', '#9ab', orange, '#38a169'];
    const l = linePanel(10, y, W - 20, 'RSS against events delivered (bench server, 10,000 ConfigMaps)', xs,
      r.memory.map((m, i) => ({ label: short(m.peer), color: colors[i % colors.length]!, ys: xs.map((_, k) => memAt(m.runs, k, 'rss') / MiB) })), 64);
    parts.push(l.svg);
    y += l.h + 10;
  }
  const m = r.meta;
  parts.push(`<text x="10" y="${y + 6}" class="s">${esc(`${m.date.slice(0, 10)} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · medians of ${m.reps} run(s) · npm run bench`)}</text>`);
  y += 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="Helvetica, Arial, sans-serif">
<style>
.t { font-size: 14px; font-weight: bold; fill: #222; }
.l { font-size: 12px; fill: #222; }
.s { font-size: 10px; fill: #555; }
.v { font-size: 10px; fill: #222; }
.g { stroke: #ddd; stroke-width: 1; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}
