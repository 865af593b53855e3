/**
 * The measures on the real control plane (test/cluster: etcd,
 * kube-apiserver and kube-controller-manager built from Go modules, all on
 * 127.0.0.1):
 *
 *  - memory and live throughput: N ConfigMaps of 1 KiB, then cmwatch
 *    (direct, as the container image runs it, and without its V8
 *    settings), kubectl get --watch, the client-node informer and a
 *    minimal Node watcher (bench/peers/node-floor.mjs) all list and watch
 *    them at once while the harness PATCHes U of them as fast as
 *    the API takes it (8 requests in flight) and then creates a marker
 *    ConfigMap; each contender's time to the marker, its CPU, its RSS
 *    after the list and at the marker, and once every contender saw the
 *    marker, its steady RSS after a quiet spell without writes (and VmHWM
 *    then: the peak over the whole run);
 *  - latency: API write accepted (the PATCH's response) to handler start
 *    (bench/handlers/notify.sh writing to a FIFO), one change at a time,
 *    direct and through kubectl proxy.
 */
import { api, ensureNamespace, startPlane, type Cluster } from '../test/helpers/plane.js';
import { cmwatch, informer, kubectl, nodeFloor, NODE_FLOOR_LABEL, V8_OWN_LABEL, V8_OWN_SETTINGS, type Peer } from './peers.js';
import { Fifo, hrnow, memory, percentile, seconds, sleep, stopChild, timeout, type Memory } from './proc.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { NOTIFY, type Log } from './suites.js';
import { IMAGE_ENV, IMAGE_LABEL, IMAGE_NODE_ARGS } from './image.js';
import { NAMESPACE, SELECTOR_ANNOTATION, cmName, markerName, payloadFor } from './workload.js';

export interface PlaneOptions {
  n: number;
  updates: number;
  latencyChanges: number;
  warmup: number;
  /** After every contender saw the marker: how long to wait without writes before reading the steady RSS, ms. */
  steadyMs: number;
}

export interface LivePeer {
  peer: string;
  /** Events per second from the first write to the marker. */
  rate: number;
  /** From the last write's response to the marker, ms. */
  lagMs: number;
  cpuMsPer1k: number;
  completed: boolean;
  synced?: Memory;
  end?: Memory;
  /** After every contender saw the marker and steadyMs without writes (hwm: the peak of the whole run). */
  steady?: Memory;
}

export interface LatencyResult {
  mode: string;
  /** Write accepted → handler started, ms. */
  samplesMs: number[];
  /** Write sent → accepted, ms. */
  writeMs: number[];
  lost: number;
}

export interface PlaneResults {
  version: string;
  n: number;
  createSeconds: number;
  updates: number;
  /** PATCHes per second the API took. */
  writerRate: number;
  /** The quiet spell before the steady RSS, ms (older results have none). */
  steadyMs?: number;
  live: LivePeer[];
  /**
   * The floor (older results have none): cmwatch on the same API, TLS and all, watching a namespace without
   * ConfigMaps, through the same run: its RSS after its list and at the steady reading.
   */
  floor?: { label: string; synced?: Memory; steady?: Memory };
  /**
   * Node itself, idle (older results have none): a `node` process that only waits, started with the others and read
   * at the steady point: what any Node program holds before its own code, most of it the node binary's pages.
   */
  nodeIdle?: Memory;
  latency: LatencyResult[];
}

export const NODE_IDLE_LABEL = '`node` itself, idle (a timer and nothing else)';

export const PLANE_FLOOR_LABEL = 'cmwatch on an empty namespace (the floor: Node, TLS, undici, its modules)';

export async function pool<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

export function configMap(name: string, namespace: string, data: Record<string, string>, k = 0): unknown {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'bench' }, annotations: { [SELECTOR_ANNOTATION]: `app=bench-${k}` } },
    data,
  };
}

export async function must(c: Cluster, method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(c, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)?.slice(0, 200)}`);
  return r.json;
}

export async function planeSuite(o: PlaneOptions, log: Log): Promise<PlaneResults> {
  const c = await startPlane();
  const running: Peer[] = [];
  let idleNode: ChildProcess | undefined;
  try {
    const version = (await must(c, 'GET', '/version')).gitVersion as string;
    await ensureNamespace(c, NAMESPACE);
    await ensureNamespace(c, 'bench-lat');
    const payload = payloadFor(1024);
    const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
    let t = hrnow();
    await pool(o.n, 16, (k) => must(c, 'POST', base, configMap(cmName(k), NAMESPACE, { seq: '0', 'config.ini': payload }, k)));
    const createSeconds = seconds(t, hrnow());
    log(`  created ${o.n} ConfigMaps of 1 KiB in ${createSeconds.toFixed(1)} s (${Math.round(o.n / createSeconds)}/s)`);

    // Memory and live throughput: every contender on the same changes.
    const target = { server: c.server, kubeconfig: c.kubeconfig };
    // kubectl is second: its ADDED lines say when the list is done. Then cmwatch as the image runs it, without its
    // V8 settings, and a minimal Node watcher doing the same job (is a number cmwatch's own, or Node's?).
    const peers = [
      cmwatch(target, { label: 'cmwatch (direct)' }), kubectl(target), informer(target),
      cmwatch(target, { label: IMAGE_LABEL, env: IMAGE_ENV, nodeArgs: IMAGE_NODE_ARGS }), cmwatch(target, { label: V8_OWN_LABEL, nodeArgs: V8_OWN_SETTINGS }),
      nodeFloor({ server: c.server, caFile: c.caFile, token: c.adminToken }),
    ];
    // Beside them, the floor: what cmwatch holds on this API with no object to keep (bench-lat is empty until the latency part).
    const floorPeer = cmwatch(target, { label: PLANE_FLOOR_LABEL, namespace: 'bench-lat' });
    running.push(...peers, floorPeer);
    // And Node itself doing nothing, for the split of the steady RSS (how much of it is the node binary's pages).
    const { NODE_OPTIONS: _given, ...bareEnv } = process.env;
    idleNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore', env: bareEnv });
    for (const p of [...peers, floorPeer]) {
      const r = await timeout(p.ready, 180_000).catch((err: Error) => err);
      if (r !== 'timeout' && !(r instanceof Error)) continue;
      const why = r === 'timeout' ? `${p.label} did not sync: ${p.tail()}` : r.message;
      // The minimal Node watcher is a reference, not a contender: without it the suite goes on.
      if (p.label !== NODE_FLOOR_LABEL) throw new Error(why);
      log(`  left out: ${why}`);
      await p.stop();
      peers.splice(peers.indexOf(p), 1);
    }
    const floor: NonNullable<PlaneResults['floor']> = { label: PLANE_FLOOR_LABEL };
    // kubectl prints the list as ADDED events: wait for the last one.
    await timeout(peers[1]!.scanner.waitFor(`"name":"${cmName(o.n - 1)}"`), 120_000);
    const synced = peers.map((p) => p.memory());
    const floorSynced = floorPeer.memory();
    if (floorSynced) floor.synced = floorSynced;
    const cpu0 = peers.map((p) => p.cpu());
    const marker = peers.map((p) => p.marker(1));
    t = hrnow();
    await pool(o.updates, 8, (i) => must(c, 'PATCH', `${base}/${cmName(i % o.n)}`, { data: { seq: String(i + 1) } }));
    const tLast = hrnow();
    const writerRate = o.updates / seconds(t, tLast);
    log(`  the API took ${o.updates} PATCHes at ${Math.round(writerRate)}/s`);
    await must(c, 'POST', base, configMap(markerName(1), NAMESPACE, { seq: '0', 'config.ini': 'end' }, 900_001));
    const live: LivePeer[] = [];
    for (let i = 0; i < peers.length; i++) {
      const p = peers[i]!;
      const at = await timeout(marker[i]!, 120_000);
      const end = at === 'timeout' ? hrnow() : at;
      const events = at === 'timeout' ? p.count : o.updates;
      const lp: LivePeer = {
        peer: p.label, rate: events / seconds(t, end), lagMs: seconds(tLast, end) * 1000,
        cpuMsPer1k: ((p.cpu() - cpu0[i]!) * 1e6) / Math.max(1, events), completed: at !== 'timeout',
        ...(synced[i] ? { synced: synced[i]! } : {}), ...(p.memory() ? { end: p.memory()! } : {}),
      };
      live.push(lp);
      log(`  ${p.label}: ${Math.round(lp.rate)} events/s, ${lp.lagMs.toFixed(0)} ms behind the last write, ${lp.cpuMsPer1k.toFixed(1)} ms CPU / 1000 events; RSS ${((lp.end?.rss ?? NaN) / 2 ** 20).toFixed(1)} MiB, peak ${((lp.end?.hwm ?? NaN) / 2 ** 20).toFixed(1)} MiB`);
    }
    // The steady state: nobody writes, every contender has caught up; what does each keep?
    await sleep(o.steadyMs);
    for (let i = 0; i < peers.length; i++) {
      const m = peers[i]!.memory();
      if (!m) continue;
      live[i]!.steady = m;
      log(`  ${peers[i]!.label}: steady RSS ${(m.rss / 2 ** 20).toFixed(1)} MiB after ${(o.steadyMs / 1000).toFixed(0)} s without writes, peak (VmHWM) ${(m.hwm / 2 ** 20).toFixed(1)} MiB`);
    }
    const floorSteady = floorPeer.memory();
    if (floorSteady) {
      floor.steady = floorSteady;
      log(`  ${PLANE_FLOOR_LABEL}: steady RSS ${(floorSteady.rss / 2 ** 20).toFixed(1)} MiB`);
    }
    const nodeIdle = memory(idleNode.pid!);
    await stopChild(idleNode);
    idleNode = undefined;
    if (nodeIdle) log(`  ${NODE_IDLE_LABEL}: RSS ${(nodeIdle.rss / 2 ** 20).toFixed(1)} MiB`);
    for (const x of [...live.map((l) => ({ label: l.peer, m: l.steady })), { label: PLANE_FLOOR_LABEL, m: floorSteady }, { label: NODE_IDLE_LABEL, m: nodeIdle }]) {
      if (x.m?.anon !== undefined) log(`  ${x.label}: of the steady RSS, anonymous ${(x.m.anon / 2 ** 20).toFixed(1)} MiB, file-backed ${((x.m.file ?? NaN) / 2 ** 20).toFixed(1)} MiB`);
    }
    for (const p of [...peers, floorPeer]) await p.stop();
    running.length = 0;

    // Latency, one change at a time.
    const latency: LatencyResult[] = [];
    const probe = `/api/v1/namespaces/bench-lat/configmaps`;
    await must(c, 'POST', probe, configMap('probe', 'bench-lat', { seq: '0' }));
    const proxy = await c.startProxy();
    try {
      for (const [mode, tgt] of [['direct', target], ['kubectl proxy', { server: proxy.url }]] as const) {
        const fifo = new Fifo();
        const w = cmwatch(tgt, { label: `cmwatch (${mode})`, namespace: 'bench-lat', fifo, extraArgs: ['--exec', NOTIFY] });
        running.push(w);
        if ((await timeout(w.ready, 60_000)) === 'timeout') throw new Error(`cmwatch (${mode}) did not sync: ${w.tail()}`);
        const res: LatencyResult = { mode, samplesMs: [], writeMs: [], lost: 0 };
        for (let i = 0; i < o.warmup + o.latencyChanges; i++) {
          const t0 = hrnow();
          const obj = await must(c, 'PATCH', `${probe}/probe`, { data: { seq: `${mode}-${i}` } });
          const t1 = hrnow();
          const rv = obj.metadata.resourceVersion as string;
          // The handler may start before this PATCH's response is read: its line then is already in.
          const started = await timeout(fifo.scanner.waitForSeen(`${rv} probe`), 5000);
          if (i < o.warmup) continue;
          if (started === 'timeout') {
            res.lost++;
            continue;
          }
          // A handler line in before the response was read: the write was accepted before it all the same (0, not less).
          res.samplesMs.push(Math.max(0, Number(started - t1) / 1e6));
          res.writeMs.push(Number(t1 - t0) / 1e6);
        }
        await w.stop();
        running.pop();
        latency.push(res);
        log(`  latency ${mode}: p50 ${percentile(res.samplesMs, 50).toFixed(1)} ms, p99 ${percentile(res.samplesMs, 99).toFixed(1)} ms, max ${Math.max(...res.samplesMs).toFixed(1)} ms over ${res.samplesMs.length} changes (${res.lost} lost); the PATCH itself p50 ${percentile(res.writeMs, 50).toFixed(1)} ms`);
      }
    } finally {
      await proxy.stop();
    }
    return { version, n: o.n, createSeconds, updates: o.updates, writerRate, steadyMs: o.steadyMs, live, floor, ...(nodeIdle ? { nodeIdle } : {}), latency };
  } finally {
    for (const p of running) await p.stop();
    if (idleNode) await stopChild(idleNode);
    await c.stop();
  }
}
