/**
 * The any-resource measures (issue #13), against the bench server:
 *
 * - `cr`: event throughput for a custom resource of 1 KiB
 *   (widgets.bench.example.com, with metadata.generation), the same measure
 *   as the ConfigMap rows (throughputRun), for cmwatch and the peers that
 *   can watch a CR: the client-node informer through CustomObjectsApi and
 *   `kubectl get widgets.bench.example.com --watch`. The book's loop watches
 *   ConfigMaps only. cmwatch on ConfigMaps runs alongside, as the reference.
 * - `resources`: RSS of cmwatch watching 1 resource (configmaps) against 3
 *   (configmaps, secrets, widgets.bench.example.com), each above Node's floor
 *   (the peak RSS of `node -e 0`, measured in the same run).
 */
import { spawnSync } from 'node:child_process';
import { cmwatch, informer, kubectl } from './peers.js';
import { Fifo, forkServer, sleep, timeout } from './proc.js';
import { KINDS, type ResourceName } from './kinds.js';
import { NOTIFY, type Log, type MemoryPoint, type PeerSpec } from './suites.js';

const WIDGETS = KINDS.widgets.canonical;

/** The contenders of the custom-resource rows (1 KiB); M as in the ConfigMap rows. */
export function crThroughputPeers(quick: boolean): PeerSpec[] {
  const q = quick ? 0.25 : 1;
  const w: ResourceName[] = ['widgets'];
  const warn = `cmwatch ${WIDGETS} --log-level warn`;
  return [
    { kind: 'cmwatch', label: 'cmwatch (ConfigMaps, the reference)', m: Math.round(200_000 * q), capS: 60, start: (u) => cmwatch({ server: u }, { label: 'cmwatch (ConfigMaps)' }) },
    { kind: 'cmwatch', label: `cmwatch ${WIDGETS}`, m: Math.round(200_000 * q), capS: 60, resources: w, start: (u) => cmwatch({ server: u }, { label: `cmwatch ${WIDGETS}`, resources: [WIDGETS] }) },
    { kind: 'cmwatch', label: warn, m: Math.round(200_000 * q), capS: 60, resources: w, start: (u) => cmwatch({ server: u }, { label: warn, resources: [WIDGETS], fifo: new Fifo(), extraArgs: ['--log-level', 'warn', '--on', 'ADDED', '--exec', NOTIFY] }) },
    { kind: 'informer', label: '@kubernetes/client-node informer (CustomObjectsApi)', m: Math.round(100_000 * q), capS: 30, resources: w, start: (u) => informer({ server: u }, 'widgets') },
    { kind: 'kubectl', label: `kubectl get ${WIDGETS} --watch`, m: Math.round(30_000 * q), capS: quick ? 6 : 15, resources: w, start: (u) => kubectl({ server: u }, WIDGETS) },
  ];
}

export interface ResourcesRun {
  /** After every resource's list (the server holds the events back until then). */
  synced?: MemoryPoint;
  /** After every resource's M events. */
  end?: MemoryPoint;
  completed: boolean;
}

export interface ResourcesRow {
  label: string;
  resources: ResourceName[];
  /** Objects listed per resource, and MODIFIED events per resource. */
  nPer: number;
  mPer: number;
  runs: ResourcesRun[];
}

export interface ResourcesResult {
  /** Peak RSS of `node -e 0`, bytes, one per run. */
  floor: number[];
  rows: ResourcesRow[];
}

/** Peak RSS (bytes) of `node -e 0`, through GNU time's %M (the kernel's ru_maxrss of that one child). */
export function nodeFloor(): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, '-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const kib = Number(/maxrss (\d+)/.exec(r.stderr ?? '')?.[1]);
  if (r.status !== 0 || !Number.isFinite(kib)) throw new Error(`/usr/bin/time -f %M node -e 0 failed (GNU time is needed for Node's floor): ${r.error?.message ?? r.stderr}`);
  return kib * 1024;
}

/**
 * One cmwatch (`--log-level warn`, notify.sh on ADDED) against a fresh bench
 * server serving `resources`, nPer objects of 1 KiB each: RSS once every resource is listed (each collection's first
 * phase is empty and the server waits at its marker), then after mPer
 * MODIFIED events on each resource's watch.
 */
export async function resourcesRun(resources: ResourceName[], nPer: number, mPer: number, log: Log): Promise<ResourcesRun> {
  const server = await forkServer({ n: nPer, size: 1024, phases: [0, mPer], pause: true, resources });
  const names = resources.map((r) => KINDS[r].canonical);
  const label = `cmwatch ${names.join(' ')} (${nPer.toLocaleString('en-US')} each)`;
  // Markers through a handler on ADDED (only they are ADDED), not the log: a full stderr drops log
  // lines (cmwatch's slow-reader rule), and a dropped marker line would look like a stall. One FIFO
  // line per resource and phase; waited for from the start, as a resource listed first shows its
  // marker while the others are still listing.
  const fifo = new Fifo();
  const peer = cmwatch({ server: server.url }, { label, resources: names, fifo, extraArgs: ['--log-level', 'warn', '--on', 'ADDED', '--exec', NOTIFY] });
  const listed = fifo.scanner.waitCount(resources.length);
  const done = fifo.scanner.waitCount(2 * resources.length);
  try {
    const ready = await timeout(peer.ready, 120_000);
    if (ready === 'timeout') throw new Error(`${label} did not sync: ${peer.tail()}`);
    const run: ResourcesRun = { completed: false };
    if ((await timeout(listed, 120_000)) === 'timeout') throw new Error(`${label} never showed the lists' markers: ${peer.tail()}`);
    await sleep(50);
    const synced = peer.memory();
    if (synced) run.synced = { events: 0, ...synced };
    server.next();
    if ((await timeout(done, 120_000)) === 'timeout') {
      log(`  ${label}: cut at the cap with ${fifo.scanner.count} of ${2 * resources.length} markers: ${peer.tail().replace(/\n/g, ' | ').slice(-600)}`);
      return run;
    }
    await sleep(50);
    const end = peer.memory();
    if (end) run.end = { events: mPer * resources.length, ...end };
    run.completed = true;
    const mib = (b: number | undefined) => (b === undefined ? 'n/a' : (b / 2 ** 20).toFixed(1));
    log(`  ${label}: RSS ${mib(run.synced?.rss)} MiB listed, ${mib(run.end?.rss)} MiB after ${(mPer * resources.length).toLocaleString('en-US')} events, peak ${mib(run.end?.hwm)} MiB`);
    return run;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

/** The rows: 1 resource of N, 3 resources of N each, 3 resources of N/3 each (the same total); runs interleaved. */
export async function resourcesSuite(quick: boolean, reps: number, log: Log): Promise<ResourcesResult> {
  const n = 10_000;
  const m = quick ? 20_000 : 100_000;
  const three: ResourceName[] = ['configmaps', 'secrets', 'widgets'];
  const rows: ResourcesRow[] = [
    { label: '1 resource: configmaps', resources: ['configmaps'], nPer: n, mPer: m, runs: [] },
    { label: '3 resources: configmaps, secrets, widgets (the same number each)', resources: three, nPer: n, mPer: m, runs: [] },
    { label: '3 resources: configmaps, secrets, widgets (the same total)', resources: three, nPer: Math.round(n / 3), mPer: Math.round(m / 3), runs: [] },
  ];
  const floor: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < 3; i++) floor.push(nodeFloor());
    for (const row of rows) {
      try {
        row.runs.push(await resourcesRun(row.resources, row.nPer, row.mPer, log));
      } catch (err) {
        log(`  ${row.label}: failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }
  log(`  node -e 0: peak RSS ${floor.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')} MiB`);
  return { floor, rows };
}
