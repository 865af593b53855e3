/**
 * The real control plane's memory table of latest.md (bench/plane.ts):
 * each contender's RSS after the list, at the marker, its peak (VmHWM) and
 * its steady RSS once nobody writes.
 */
import type { Results } from './run.js';
import type { Memory } from './proc.js';
import { NODE_FLOOR_LABEL } from './peers.js';
import { NODE_IDLE_LABEL } from './plane.js';

const MiB = 2 ** 20;
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const mibs = (b: number | undefined) => (b !== undefined && Number.isFinite(b) ? `${(b / MiB).toFixed(1)} MiB` : 'n/a');

export function renderPlaneMemory(r: Results): string[] {
  const p = r.plane;
  if (!p?.live.length) return [];
  const quiet = p.steadyMs !== undefined ? `${fmtInt(p.steadyMs / 1000)} s` : undefined;
  const L: string[] = [];
  L.push(`Real control plane: ${fmtInt(p.n)} ConfigMaps of 1 KiB, every contender at once: RSS after the list (each has synced), at the marker after the ${fmtInt(p.updates)} live events above, and steady: ${quiet ? `${quiet} after every contender saw the marker, with no writes` : 'not measured in this run'}. The peak is VmHWM, the most the process ever held (read last).`, '');
  // The split of the steady RSS (older results have none): anonymous pages and the binary's file-backed pages.
  const split = p.live.some((x) => x.steady?.anon !== undefined);
  const parts = (m: Memory | undefined) => (split ? ` ${mibs(m?.anon)} | ${mibs(m?.file)} |` : '');
  L.push(`| contender | RSS after sync | RSS at the marker | peak (VmHWM) | steady |${split ? ' steady: anonymous | steady: file-backed |' : ''}`, `|---|---|---|---|---|${split ? '---|---|' : ''}`);
  for (const x of p.live) {
    const peak = Math.max(x.synced?.hwm ?? 0, x.end?.hwm ?? 0, x.steady?.hwm ?? 0);
    L.push(`| ${x.peer} | ${mibs(x.synced?.rss)} | ${mibs(x.end?.rss)} | ${mibs(peak || undefined)} | ${mibs(x.steady?.rss)} |${parts(x.steady)}`);
  }
  const f = p.floor;
  if (f) L.push(`| ${f.label} | ${mibs(f.synced?.rss)} | – | ${mibs(f.steady?.hwm)} | ${mibs(f.steady?.rss)} |${parts(f.steady)}`);
  if (p.nodeIdle) L.push(`| ${NODE_IDLE_LABEL} | – | – | ${mibs(p.nodeIdle.hwm)} | ${mibs(p.nodeIdle.rss)} |${parts(p.nodeIdle)}`);
  L.push('');
  if (p.live.some((x) => x.peer === NODE_FLOOR_LABEL)) {
    L.push("The minimal Node watcher (bench/peers/node-floor.mjs) does cmwatch's job for these ConfigMaps and nothing else: the two undici files cmwatch loads, TLS with the cluster's CA and a token, a paged list, a watch, cmwatch's record per key (resource version and content digest) and one log line per event, with cmwatch's own V8 settings and idle collection, started with no node flags as the npm bin starts cmwatch. cmwatch (direct) minus it is what cmwatch's own code costs; it minus kubectl is what Node with these parts costs.", '');
  }
  if (split) {
    L.push("The steady RSS in two parts (/proc/PID/status): anonymous pages (RssAnon), the memory the process allocated itself: its heap, its objects, malloc; and file-backed pages (RssFile), the pages of its own binary and libraries it has run or read: clean, shared with every process that maps the same file, and given back by the kernel under memory pressure. A Go binary and Node both count their binary here; for Node that is most of the RSS of a process doing nothing.", '');
  }
  if (f) L.push('cmwatch on an empty namespace watches a namespace with no ConfigMaps on the same API at the same time: what cmwatch holds before it keeps any object (Node itself, TLS, undici, its own modules).', '');
  if (p.nodeIdle) L.push('`node` itself, idle, is a node process that runs a timer and nothing else, started with the contenders and read at the steady point: what every Node program holds before its first line of its own.', '');
  return L;
}
