/**
 * The table "--state with N keys beside the plain run" of latest.md
 * (bench/plane-state.ts): one column per cmwatch run, one row per measure.
 */
import type { Results } from './run.js';
import type { StateRun } from './plane-state.js';

const MiB = 2 ** 20;
const fmtInt = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const mibs = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');
const secs = (s: number | undefined) => (s !== undefined && Number.isFinite(s) ? `${s.toFixed(1)} s` : 'n/a');
const cpus = (s: number | undefined) => (s !== undefined && Number.isFinite(s) ? `${s.toFixed(2)} s` : 'n/a');
const kib = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? `${fmtInt(b / 1024)} KiB` : 'n/a');

export function renderState(r: Results): string[] {
  const s = r.state;
  if (!s?.runs.length) return [];
  const runs = s.runs;
  const quiet = `${fmtInt(s.settleMs / 1000)} s`;
  const rows: Array<[string, (x: StateRun) => string]> = [
    ['start → synced', (x) => secs(x.syncSeconds)],
    ['RSS after sync', (x) => mibs(x.synced?.rss)],
    ['start → the store holds every key', (x) => (x.store ? secs(x.storeSeconds) : '—')],
    ['RSS when the store holds every key', (x) => (x.store ? mibs(x.stored?.rss) : '—')],
    ['store ConfigMaps (head + shards)', (x) => (x.store ? fmtInt(x.store.configMaps) : '—')],
    ['keys in the store', (x) => (x.store ? fmtInt(x.store.keys) : '—')],
    ['bytes of the store\'s data', (x) => (x.store ? kib(x.store.bytes) : '—')],
    ['store writes up to there', (x) => (x.store ? fmtInt(x.store.writes) : '—')],
    [`RSS after ${quiet} without writes`, (x) => mibs(x.settled?.rss)],
    ['CPU from start to there', (x) => cpus(x.cpuSeconds)],
    [`${fmtInt(s.updates)} PATCHes: handler runs seen`, (x) => `${fmtInt(x.handled)} in ${secs(x.handledSeconds)}`],
    ['store writes during them (until flushed)', (x) => (x.store ? fmtInt(x.patchWrites) : '—')],
    ['CPU during them', (x) => cpus(x.cpuPatchSeconds)],
    ['RSS after them', (x) => mibs(x.after?.rss)],
    ['peak (VmHWM) over the run', (x) => mibs(x.after?.hwm ?? x.settled?.hwm)],
  ];
  const L: string[] = [];
  L.push(`### --state with ${fmtInt(s.n)} keys beside the plain run (real control plane, kube-apiserver ${s.version})`, '');
  L.push(`${fmtInt(s.n)} ConfigMaps of 1 KiB in one namespace (created in ${secs(s.createSeconds)}), then two cmwatch runs one after the other, each \`--on MODIFIED --exec bench/handlers/notify.sh\` (a \`/bin/sh\` script telling the harness through a FIFO), in the shipped defaults otherwise (no \`--metrics-addr\`): plain, then with \`${runs.find((x) => x.store)?.args.slice(-2).join(' ') ?? '--state'}\` (no store before: the baseline is taken as handled, nothing runs). The store's writes and content are what the API has: the harness watches the ConfigMaps labelled \`cmwatch.io/state\`; bytes are the data's keys and values. The quiet spell starts after the sync (plain) or once the store holds every key (\`--state\`). Then ${fmtInt(s.updates)} PATCHes of different ConfigMaps, 8 in flight, until every run was seen and, with \`--state\`, 3 s passed without a store write (batches are at most one per 2 s). One run each.`, '');
  L.push(`| measure | ${runs.map((x) => `\`${x.label}\``).join(' | ')} |`, `|---|${runs.map(() => '---|').join('')}`);
  for (const [name, cell] of rows) L.push(`| ${name} | ${runs.map(cell).join(' | ')} |`);
  L.push('');
  return L;
}
