/**
 * The footprint measures of issue #18 that hold the workload still (no
 * events), against the bench server:
 *
 * - `idle`: 100 ConfigMaps of 1 KiB, a watch that stays open and silent.
 *   cmwatch with a handler configured (`--exec bench/handlers/notify.sh --on
 *   MODIFIED`, which never runs), plain cmwatch, `kubectl get --watch -o json`
 *   and the client-node informer: RSS and peak RSS once listed, and again
 *   after an idle wait, beside Node's floor (`node -e 0`).
 * - `snapshot`: cmwatch on 100 ConfigMaps, plain and with `--snapshot
 *   widgets.bench.example.com` of 10,000 Widgets of about 1 KiB, the same
 *   server for both: RSS and peak RSS once every list (the snapshot's too)
 *   is done.
 */
import { cmwatch, informer, kubectl, type Peer } from './peers.js';
import { forkServer, sleep, timeout } from './proc.js';
import { KINDS } from './kinds.js';
import { nodeFloor } from './resources.js';
import { NOTIFY, type Log } from './suites.js';
import { cmName } from './workload.js';

export interface Mem {
  rss: number;
  hwm: number;
}

export interface IdleRun {
  /** Once listed (its output says so). */
  synced?: Mem;
  /** After the idle wait. */
  idle?: Mem;
}

export interface IdleRow {
  label: string;
  runs: IdleRun[];
}

export interface IdleResult {
  n: number;
  /** Seconds of the idle wait. */
  idleS: number;
  /** Peak RSS of `node -e 0`, bytes, one per measure. */
  floor: number[];
  rows: IdleRow[];
}

interface Contender {
  label: string;
  /** Starts it against the server and resolves once it has listed the n objects. */
  start(url: string, n: number): { peer: Peer; listed: Promise<unknown> };
}

/** How long after "listed" the RSS is read. */
export const SETTLE_MS = 1000;

const mib = (b: number | undefined) => (b === undefined ? 'n/a' : (b / 2 ** 20).toFixed(1));

function cmwatchContender(label: string, extraArgs: string[]): Contender {
  return {
    label,
    start: (url) => {
      const peer = cmwatch({ server: url }, { label, extraArgs });
      return { peer, listed: peer.ready };
    },
  };
}

/** The contenders of the idle rows, in their order. */
export const IDLE_CONTENDERS: readonly Contender[] = [
  cmwatchContender('cmwatch --exec notify.sh --on MODIFIED (a handler configured)', ['--exec', NOTIFY, '--on', 'MODIFIED']),
  cmwatchContender('cmwatch (no handler)', []),
  {
    label: 'kubectl get configmaps --watch -o json',
    start: (url, n) => {
      const peer = kubectl({ server: url });
      // kubectl prints the list as ADDED events: listed once the last one is out.
      return { peer, listed: peer.scanner.waitFor(`"name":"${cmName(n - 1)}"`) };
    },
  },
  {
    label: '@kubernetes/client-node informer',
    start: (url) => {
      const peer = informer({ server: url });
      return { peer, listed: peer.ready };
    },
  },
];

/** One contender against a fresh bench server holding n ConfigMaps and no events. */
async function idleRun(c: Contender, n: number, idleS: number, log: Log): Promise<IdleRun> {
  const server = await forkServer({ n, size: 1024, phases: [] });
  const { peer, listed } = c.start(server.url, n);
  try {
    if ((await timeout(listed, 60_000)) === 'timeout') throw new Error(`${c.label} did not list: ${peer.tail()}`);
    // Once settled: right after the list cmwatch's RSS rises for a moment (about +35 MiB for 100 ms at 100 objects) and falls back; the peak keeps it.
    await sleep(SETTLE_MS);
    const run: IdleRun = {};
    const synced = peer.memory();
    if (synced) run.synced = synced;
    await sleep(idleS * 1000);
    const idle = peer.memory();
    if (idle) run.idle = idle;
    log(`  ${c.label}: RSS ${mib(synced?.rss)} MiB listed, ${mib(idle?.rss)} MiB after ${idleS} s idle, peak ${mib(idle?.hwm)} MiB`);
    return run;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

export async function idleSuite(quick: boolean, reps: number, log: Log): Promise<IdleResult> {
  const n = 100;
  const idleS = quick ? 3 : 10;
  const rows: IdleRow[] = IDLE_CONTENDERS.map((c) => ({ label: c.label, runs: [] }));
  const floor: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < 3; i++) floor.push(nodeFloor());
    for (let i = 0; i < IDLE_CONTENDERS.length; i++) {
      try {
        rows[i]!.runs.push(await idleRun(IDLE_CONTENDERS[i]!, n, idleS, log));
      } catch (err) {
        log(`  ${rows[i]!.label}: failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }
  log(`  node -e 0: peak RSS ${floor.map((b) => mib(b)).join(', ')} MiB`);
  return { n, idleS, floor, rows };
}

export interface SnapshotRun {
  /** Once the ConfigMaps (and the snapshot's Widgets) are listed. */
  synced?: Mem;
  /** Seconds from the start to that point. */
  seconds: number;
}

export interface SnapshotRow {
  label: string;
  /** Widgets in the snapshot (0: the plain run). */
  widgets: number;
  runs: SnapshotRun[];
}

export interface SnapshotResult {
  configmaps: number;
  widgets: number;
  rows: SnapshotRow[];
}

const WIDGETS = KINDS.widgets.canonical;

/**
 * cmwatch on `configmaps` of a server that holds 100 ConfigMaps and 10,000 Widgets (both rows the
 * same server), with or without `--snapshot widgets.bench.example.com`. Each reflector logs
 * "synced N object(s) from PATH": the run waits for the ConfigMaps' line, and the Widgets' line too
 * with the snapshot.
 */
async function snapshotRun(withSnapshot: boolean, configmaps: number, widgets: number, log: Log): Promise<SnapshotRun> {
  const server = await forkServer({ n: configmaps, size: 1024, phases: [], resources: ['configmaps', 'widgets'], counts: { widgets } });
  const label = withSnapshot ? `cmwatch --snapshot ${WIDGETS}` : 'cmwatch';
  const t0 = Date.now();
  const peer = cmwatch({ server: server.url }, { label, ...(withSnapshot ? { extraArgs: ['--snapshot', WIDGETS] } : {}) });
  const synced = (path: string) => peer.scanner.waitFor(`object(s) from ${path}`);
  const lists = [synced(KINDS.configmaps.path('bench')), ...(withSnapshot ? [synced(KINDS.widgets.path('bench'))] : [])];
  try {
    if ((await timeout(Promise.all(lists), 120_000)) === 'timeout') throw new Error(`${label} did not list: ${peer.tail()}`);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(SETTLE_MS);
    const run: SnapshotRun = { seconds };
    const m = peer.memory();
    if (m) run.synced = m;
    log(`  ${label}: RSS ${mib(m?.rss)} MiB, peak ${mib(m?.hwm)} MiB once listed (${seconds.toFixed(1)} s)`);
    return run;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

export async function snapshotSuite(reps: number, log: Log): Promise<SnapshotResult> {
  const configmaps = 100;
  const widgets = 10_000;
  const rows: SnapshotRow[] = [
    { label: 'cmwatch (plain)', widgets: 0, runs: [] },
    { label: `cmwatch --snapshot ${WIDGETS}`, widgets, runs: [] },
  ];
  for (let rep = 0; rep < reps; rep++) {
    for (const row of rows) {
      try {
        row.runs.push(await snapshotRun(row.widgets > 0, configmaps, widgets, log));
      } catch (err) {
        log(`  ${row.label}: failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }
  return { configmaps, widgets, rows };
}
