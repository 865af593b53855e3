/**
 * The relist measure of issue #18 (`relist`), against the bench server: N
 * ConfigMaps of 1 KiB spread over 100 namespaces, served as the cluster-wide
 * collection /api/v1/configmaps, watched with `cmwatch -A`.
 *
 * RSS and peak RSS (VmHWM) once the first list is done ("synced N
 * object(s)"); then the first watch, which has sent a BOOKMARK past the list,
 * ends with an ERROR 410 Expired event (as the API does when the resource
 * version is too old) and cmwatch lists everything again and diffs
 * ("relisted N object(s) from …"): RSS and peak RSS again. For several N, so
 * the growth per object shows; one client-node informer row at the smallest N
 * (it holds every object) for reference.
 */
import { cmwatch, informer, type Peer } from './peers.js';
import { forkServer, sleep, timeout, type BenchServer } from './proc.js';
import type { Log } from './suites.js';
import { SETTLE_MS, type Mem } from './footprint.js';

export interface RelistRun {
  /** After the first list. */
  listed?: Mem;
  /** After the relist. */
  relisted?: Mem;
  /** Seconds of the first list (start to "synced") and of the relist (the ERROR to "relisted"). */
  listS: number;
  relistS: number;
  /** The `limit` of its list requests (undefined: it listed in one request). */
  pageSize?: number;
  /** List requests it made in all (both lists). */
  listRequests: number;
  completed: boolean;
}

export interface RelistRow {
  label: string;
  peer: 'cmwatch' | 'informer';
  n: number;
  namespaces: number;
  runs: RelistRun[];
}

export interface RelistResult {
  rows: RelistRow[];
}

const NAMESPACES = 100;
const mib = (b: number | undefined) => (b === undefined ? 'n/a' : (b / 2 ** 20).toFixed(1));

/** The list requests the server saw (GETs of the collection without watch). */
function listRequests(server: BenchServer): string[] {
  return server.requests.filter((r) => r.startsWith('GET /api/v1/configmaps') && !/[?&]watch=(true|1)/.test(r));
}

function limitOf(requests: string[]): number | undefined {
  const m = requests.map((r) => /[?&]limit=(\d+)/.exec(r)?.[1]).find((x) => x !== undefined);
  return m === undefined ? undefined : Number(m);
}

async function relistRun(kind: 'cmwatch' | 'informer', n: number, log: Log): Promise<RelistRun> {
  const server = await forkServer({ n, size: 1024, phases: [], namespaces: NAMESPACES, expire: true });
  const label = kind === 'cmwatch' ? `cmwatch -A (${n.toLocaleString('en-US')})` : `@kubernetes/client-node informer, all namespaces (${n.toLocaleString('en-US')})`;
  const t0 = Date.now();
  const peer: Peer = kind === 'cmwatch' ? cmwatch({ server: server.url }, { label, allNamespaces: true }) : informer({ server: server.url }, 'configmaps', true);
  // cmwatch logs "synced N object(s) from …" and "relisted N object(s) from …"; the informer prints "listed N" after each list.
  const first = kind === 'cmwatch' ? peer.scanner.waitFor('synced ') : peer.scanner.waitFor('listed ');
  const cap = Math.max(120_000, n * 5);
  try {
    if ((await timeout(first, cap)) === 'timeout') throw new Error(`${label} did not list: ${peer.tail()}`);
    const listS = (Date.now() - t0) / 1000;
    // The expiring watch has sent its BOOKMARK once it is open: then the list is behind it.
    if ((await timeout(server.phaseAt(1), 60_000)) === 'timeout') throw new Error(`${label} never watched: ${peer.tail()}`);
    await sleep(SETTLE_MS);
    const run: RelistRun = { listS, relistS: NaN, listRequests: 0, completed: false };
    const listed = peer.memory();
    if (listed) run.listed = listed;
    const again = kind === 'cmwatch' ? peer.scanner.waitFor('relisted ') : peer.scanner.waitFor('listed ');
    const t1 = Date.now();
    server.next();
    if ((await timeout(again, cap)) === 'timeout') {
      log(`  ${label}: no relist within ${cap / 1000} s: ${peer.tail().replace(/\n/g, ' | ').slice(-600)}`);
      return run;
    }
    run.relistS = (Date.now() - t1) / 1000;
    await sleep(SETTLE_MS);
    const relisted = peer.memory();
    if (relisted) run.relisted = relisted;
    const reqs = listRequests(server);
    run.listRequests = reqs.length;
    const limit = limitOf(reqs);
    if (limit !== undefined) run.pageSize = limit;
    run.completed = true;
    log(`  ${label}: listed in ${listS.toFixed(1)} s: RSS ${mib(listed?.rss)} MiB, peak ${mib(listed?.hwm)} MiB; relisted in ${run.relistS.toFixed(1)} s: RSS ${mib(relisted?.rss)} MiB, peak ${mib(relisted?.hwm)} MiB; ${reqs.length} list requests, limit ${limit ?? 'none'}`);
    return run;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

export async function relistSuite(quick: boolean, reps: number, log: Log): Promise<RelistResult> {
  const ns = quick ? [5000, 10_000, 20_000] : [25_000, 50_000, 100_000];
  const rows: RelistRow[] = [
    ...ns.map((n) => ({ label: `cmwatch -A`, peer: 'cmwatch' as const, n, namespaces: NAMESPACES, runs: [] as RelistRun[] })),
    { label: '@kubernetes/client-node informer, all namespaces', peer: 'informer', n: ns[0]!, namespaces: NAMESPACES, runs: [] },
  ];
  for (let rep = 0; rep < reps; rep++) {
    for (const row of rows) {
      try {
        row.runs.push(await relistRun(row.peer, row.n, log));
      } catch (err) {
        log(`  ${row.label} (${row.n}): failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }
  return { rows };
}
