/**
 * The measures that need no control plane: cold start, event throughput in
 * one process (against JSON.parse) and across processes (against the peers),
 * handler throughput, and memory. Each run starts a fresh bench server and a
 * fresh contender, and is bounded in time.
 */
import { fork, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { InprocConfig, InprocResult } from './inproc.js';
import { bookLoop, cmwatch, floor, FLOOR_LABEL, FLOOR_NO_HASH_LABEL, informer, INFORMER_HASH_LABEL, kubectl, V8_OWN_LABEL, V8_OWN_SETTINGS, type Peer, type PeerKind } from './peers.js';
import { CMWATCH, Fifo, ROOT, forkServer, hrnow, seconds, sleep, timeout } from './proc.js';

export const NOTIFY = join(ROOT, 'bench', 'handlers', 'notify.sh');
import type { ServerConfig } from './server.js';
import type { ResourceName } from './kinds.js';

export type Log = (line: string) => void;

export interface ColdStart {
  node: number[];
  version: number[];
  help: number[];
}

/** Wall time of `node -e 0`, `cmwatch --version` and `cmwatch --help` (the bin itself, as installed: its #! line starts node), interleaved, in ms. */
export function coldStart(reps: number): ColdStart {
  const out: ColdStart = { node: [], version: [], help: [] };
  const cmds: Array<[keyof ColdStart, string, string[]]> = [['node', process.execPath, ['-e', '0']], ['version', CMWATCH, ['--version']], ['help', CMWATCH, ['--help']]];
  for (let r = 0; r < reps + 1; r++) {
    for (const [k, cmd, args] of cmds) {
      const t0 = hrnow();
      const res = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
      const ms = seconds(t0, hrnow()) * 1000;
      if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}`);
      if (r > 0) out[k].push(ms); // the first round warms the page cache
    }
  }
  return out;
}

/** Measure 1 in one process (bench/inproc.ts), in a fresh child process. */
export function inproc(cfg: InprocConfig): Promise<InprocResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(ROOT, 'dist', 'bench', 'inproc.js'), [JSON.stringify(cfg)], {
      env: { ...process.env, CMWATCH_BENCH_ROLE: 'inproc' },
      execArgv: process.env.CMWATCH_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CMWATCH_BENCH_PROFILE}`] : [],
    });
    const t = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('message', (m: { ok: boolean; result?: InprocResult; error?: string }) => {
      clearTimeout(t);
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`in-process bench exited ${code}`));
    });
  });
}

export interface Run {
  /** Events (or handler runs) per second. */
  rate: number;
  /** Events processed in the measured window. */
  events: number;
  seconds: number;
  /** False when the cap ran out before the marker: the rate is then events seen / time. */
  completed: boolean;
  /** CPU of the contender's process group per 1000 events, in ms. */
  cpuMsPer1k: number;
}

export interface PeerSpec {
  kind: PeerKind;
  /** Events to stream. */
  m: number;
  /** Seconds before the run is cut. */
  capS: number;
  label?: string;
  /** What the bench server streams (default: configmaps). */
  resources?: ResourceName[];
  start(server: string): Peer;
}

/**
 * One contender against a fresh bench server: N ConfigMaps, then M MODIFIED
 * events at full speed and the marker. The clock runs from the server's
 * first byte of the watch to the contender's output showing the marker
 * (or, at the cap, to the cap, counting the events it has printed).
 */
export async function throughputRun(spec: PeerSpec, size: number, n: number, log: Log): Promise<Run> {
  const server = await forkServer({ n, size, phases: [spec.m], ...(spec.resources ? { resources: spec.resources } : {}) });
  const peer = spec.start(server.url);
  try {
    const ready = await timeout(peer.ready, 60_000);
    if (ready === 'timeout') throw new Error(`${peer.label} did not start: ${peer.tail()}`);
    const t0 = await timeout(server.watchAt(), 30_000);
    if (t0 === 'timeout') throw new Error(`${peer.label} never watched: ${peer.tail()}`);
    const cpu0 = peer.cpu();
    const end = await timeout(peer.marker(1), spec.capS * 1000);
    const t1 = end === 'timeout' ? hrnow() : end;
    const cpu1 = peer.cpu();
    const events = end === 'timeout' ? peer.count : spec.m;
    const s = seconds(t0, t1);
    const r: Run = { rate: events / s, events, seconds: s, completed: end !== 'timeout', cpuMsPer1k: ((cpu1 - cpu0) * 1000 * 1000) / Math.max(1, events) };
    log(`  ${peer.label} ${size >= 1024 ? size / 1024 + ' KiB' : size + ' B'}: ${Math.round(r.rate)} events/s (${events} in ${s.toFixed(2)} s${r.completed ? '' : ', cut at the cap'}; ${r.cpuMsPer1k.toFixed(1)} ms CPU / 1000 events)`);
    return r;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

export function throughputPeers(quick: boolean, size: number): PeerSpec[] {
  const big = size > 4096;
  const q = quick ? 0.25 : 1;
  return [
    { kind: 'cmwatch', m: Math.round((big ? 4000 : 200_000) * q), capS: 60, start: (u) => cmwatch({ server: u }) },
    { kind: 'cmwatch', label: V8_OWN_LABEL, m: Math.round((big ? 4000 : 200_000) * q), capS: 60, start: (u) => cmwatch({ server: u }, { label: V8_OWN_LABEL, nodeArgs: V8_OWN_SETTINGS }) },
    { kind: 'cmwatch', label: 'cmwatch --log-level warn', m: Math.round((big ? 4000 : 200_000) * q), capS: 60, start: (u) => cmwatch({ server: u }, { label: 'cmwatch --log-level warn', fifo: new Fifo(), extraArgs: ['--log-level', 'warn', '--on', 'ADDED', '--exec', NOTIFY] }) },
    { kind: 'informer', m: Math.round((big ? 3000 : 100_000) * q), capS: 30, start: (u) => informer({ server: u }) },
    // What cmwatch's design costs at least, and what the informer pays for the same content check (issue #18).
    { kind: 'informer', label: INFORMER_HASH_LABEL, m: Math.round((big ? 3000 : 100_000) * q), capS: 30, start: (u) => informer({ server: u }, 'configmaps', false, true) },
    { kind: 'floor', label: FLOOR_LABEL, m: Math.round((big ? 4000 : 200_000) * q), capS: 60, start: (u) => floor({ server: u }) },
    { kind: 'floor', label: FLOOR_NO_HASH_LABEL, m: Math.round((big ? 4000 : 200_000) * q), capS: 60, start: (u) => floor({ server: u }, false) },
    { kind: 'kubectl', m: Math.round((big ? 1000 : 30_000) * q), capS: quick ? 6 : 15, start: (u) => kubectl({ server: u }) },
    { kind: 'book', m: big ? 1000 : 5000, capS: quick ? 5 : 10, start: (u) => bookLoop({ server: u }) },
  ];
}

/**
 * Handler throughput: K ConfigMaps, one MODIFIED each (no coalescing can
 * happen), /bin/true as the handler; from the first byte of the watch to the
 * K-th "exit 0" line. The book's loop runs /bin/true for each MODIFIED in
 * place of its pod deletion.
 */
export async function handlerRun(concurrency: number, k: number, log: Log): Promise<Run> {
  const server = await forkServer({ n: k, size: 1024, phases: [k] });
  const peer = cmwatch({ server: server.url }, { countRuns: true, label: `cmwatch --exec /bin/true --concurrency ${concurrency}`, extraArgs: ['--exec', '/bin/true', '--concurrency', String(concurrency)] });
  try {
    const t0 = await timeout(server.watchAt(), 60_000);
    if (t0 === 'timeout') throw new Error(`cmwatch never watched: ${peer.tail()}`);
    const cpu0 = peer.cpu();
    const end = await timeout(peer.scanner.waitCount(k), 120_000);
    const t1 = end === 'timeout' ? hrnow() : end;
    const cpu1 = peer.cpu();
    const s = seconds(t0, t1);
    const r: Run = { rate: peer.count / s, events: peer.count, seconds: s, completed: end !== 'timeout', cpuMsPer1k: ((cpu1 - cpu0) * 1e6) / Math.max(1, peer.count) };
    log(`  ${peer.label}: ${r.rate.toFixed(0)} runs/s (${peer.count} in ${s.toFixed(2)} s; ${r.cpuMsPer1k.toFixed(0)} ms CPU / 1000 runs)`);
    return r;
  } finally {
    await peer.stop();
    await server.stop();
  }
}

export async function bookHandlerRun(capS: number, log: Log): Promise<Run> {
  return throughputRun({ kind: 'book', m: 5000, capS, label: 'book loop, /bin/true', start: (u) => bookLoop({ server: u }, '/bin/true', 'book loop, /bin/true per MODIFIED') }, 1024, 1, log);
}

export interface MemoryPoint {
  events: number;
  rss: number;
  hwm: number;
}

export interface MemoryRun {
  /** After the list of N, before any event. */
  synced?: MemoryPoint;
  /** At each phase's marker. */
  points: MemoryPoint[];
  /** Events per second over the whole stream. */
  rate: number;
  completed: boolean;
}

/**
 * Memory: N ConfigMaps of 1 KiB listed, then phases of MODIFIED events (e.g.
 * 100k, 400k, 500k: RSS at 100k, 500k and 1M), the server waiting at each
 * marker while the harness reads /proc/PID/status.
 */
export async function memoryRun(kind: PeerKind, n: number, phases: number[], capS: number, log: Log, nodeArgs?: string[], baseline?: { bin: string; label: string }): Promise<MemoryRun> {
  const cfg: ServerConfig = { n, size: 1024, phases, pause: true };
  const server = await forkServer(cfg);
  const peer = kind === 'cmwatch' ? cmwatch({ server: server.url }, { nodeArgs, ...(nodeArgs ? { label: `cmwatch, node ${nodeArgs.join(' ')}` } : {}), ...(baseline ? { bin: baseline.bin, label: baseline.label } : {}) }) : kind === 'informer' ? informer({ server: server.url }) : kubectl({ server: server.url });
  const deadline = Date.now() + capS * 1000;
  try {
    const ready = await timeout(peer.ready, 120_000);
    if (ready === 'timeout') throw new Error(`${peer.label} did not sync: ${peer.tail()}`);
    const synced = peer.memory();
    const t0 = await timeout(server.watchAt(), 60_000);
    if (t0 === 'timeout') throw new Error(`${peer.label} never watched: ${peer.tail()}`);
    const run: MemoryRun = { points: [], rate: 0, completed: false, ...(synced ? { synced: { events: 0, ...synced } } : {}) };
    let events = 0;
    let last = t0;
    for (let p = 1; p <= phases.length; p++) {
      events += phases[p - 1]!;
      const left = deadline - Date.now();
      const at = left > 0 ? await timeout(peer.marker(p), left) : 'timeout';
      if (at === 'timeout') {
        log(`  ${peer.label}: cut at the cap after ${peer.count} events`);
        break;
      }
      last = at;
      await sleep(50);
      const m = peer.memory();
      if (m) run.points.push({ events, rss: m.rss, hwm: m.hwm });
      log(`  ${peer.label}: ${events} events: RSS ${(m!.rss / 2 ** 20).toFixed(1)} MiB, peak ${(m!.hwm / 2 ** 20).toFixed(1)} MiB`);
      if (p < phases.length) server.next();
      else run.completed = true;
    }
    const done = run.points.at(-1)?.events ?? 0;
    run.rate = done / seconds(t0, last);
    return run;
  } finally {
    await peer.stop();
    await server.stop();
  }
}
