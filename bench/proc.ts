/**
 * Process helpers for the harness: memory and CPU from /proc, forking the
 * bench server, and scanning a child's output for progress and markers.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { constants, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerConfig, ServerMessage } from './server.js';

/** The repo root (dist/bench/… → ../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_SRC = join(ROOT, 'bench');
export const CMWATCH = join(ROOT, 'bin', 'cmwatch.js');

export const MiB = 1024 * 1024;

/**
 * A process's memory from /proc/PID/status, in bytes: resident (VmRSS) and
 * peak resident (VmHWM) set size, and the resident set split into anonymous
 * pages (RssAnon: what the process allocated itself) and file-backed pages
 * (RssFile: its binary's and libraries' pages it touched, clean and shared
 * with every process that maps the same file).
 */
export interface Memory {
  rss: number;
  hwm: number;
  anon?: number;
  file?: number;
}

/** The process's Memory, or undefined if it is gone. */
export function memory(pid: number): Memory | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    const m: Memory = { rss: get('VmRSS'), hwm: get('VmHWM') };
    const anon = get('RssAnon');
    const file = get('RssFile');
    if (Number.isFinite(anon) && Number.isFinite(file)) Object.assign(m, { anon, file });
    return m;
  } catch {
    return undefined;
  }
}

const CLK_TCK = 100;

/**
 * CPU seconds used by a process group so far: user+system of every live
 * member, plus what they collected from children they waited for (so the
 * book's loop's short-lived jq and subshells count).
 */
export function groupCpu(pgid: number): number {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): pgrp is field 5, utime..cstime fields 14..17.
    if (Number(f[2]) !== pgid) continue;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / CLK_TCK;
}

export function hrnow(): bigint {
  return process.hrtime.bigint();
}

export function seconds(from: bigint, to: bigint): number {
  return Number(to - from) / 1e9;
}

export interface BenchServer {
  url: string;
  child: ChildProcess;
  /** hrtime of the first watch's first byte (the workload start). */
  watchAt(): Promise<bigint>;
  phaseAt(p: number): Promise<bigint>;
  requests: string[];
  next(): void;
  stop(): Promise<void>;
}

/** Forks the bench server (its own process, so it never shares a core's event loop with what it feeds). */
export async function forkServer(cfg: ServerConfig): Promise<BenchServer> {
  const child = fork(join(ROOT, 'dist', 'bench', 'server.js'), [JSON.stringify(cfg)], {
    env: { ...process.env, CMWATCH_BENCH_ROLE: 'server' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const requests: string[] = [];
  let watchResolve!: (t: bigint) => void;
  const watch = new Promise<bigint>((r) => (watchResolve = r));
  const phases = new Map<number, { p: Promise<bigint>; r: (t: bigint) => void }>();
  const phase = (p: number) => {
    let e = phases.get(p);
    if (!e) {
      let r!: (t: bigint) => void;
      e = { p: new Promise<bigint>((res) => (r = res)), r };
      phases.set(p, e);
    }
    return e;
  };
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
    child.on('message', (m: ServerMessage) => {
      if (m.ev === 'listening') resolve(m.url);
      else if (m.ev === 'request') requests.push(`${m.method} ${m.path}`);
      else if (m.ev === 'watch' && m.first) watchResolve(BigInt(m.at));
      else if (m.ev === 'phase') phase(m.p).r(BigInt(m.at));
    });
  });
  return {
    url, child, requests,
    watchAt: () => watch,
    phaseAt: (p) => phase(p).p,
    next: () => child.send({ cmd: 'continue' }),
    stop: () => stopChild(child),
  };
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try {
    if (group && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
  await gone;
}

/**
 * Scans a child's output line by line: counts lines that start with
 * `countPrefix` (a substring test with `contains`), and resolves waiters for
 * lines that include a marker.
 */
export class OutputScanner {
  count = 0;
  lines = 0;
  readonly tail: string[] = [];
  private partial = '';
  private readonly waiters: Array<{ text: string; resolve: (t: bigint) => void }> = [];
  /** The last `keep` lines and when each arrived, for waitForSeen. */
  private readonly recent: Array<{ line: string; at: bigint }> = [];

  /**
   * `match` says whether a line is one processed event (true), or gives the count so far (a number).
   * `keep`: how many of the last lines waitForSeen looks at (0: none are kept, the per-line cost of a
   * peer's event stream stays as it was).
   */
  constructor(private readonly match: (line: string) => boolean | number, private readonly keep = 0) {}

  feed = (chunk: Buffer): void => {
    const s = this.partial + chunk.toString('latin1');
    let from = 0;
    for (;;) {
      const nl = s.indexOf('\n', from);
      if (nl < 0) break;
      const line = s.slice(from, nl);
      from = nl + 1;
      this.lines++;
      if (this.keep > 0) {
        this.recent.push({ line, at: hrnow() });
        if (this.recent.length > this.keep) this.recent.shift();
      }
      const m = this.match(line);
      if (m === true) this.count++;
      else if (typeof m === 'number') this.count = m;
      else {
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
      }
      if (this.countWaiters.length) {
        for (let i = this.countWaiters.length - 1; i >= 0; i--) {
          if (this.count >= this.countWaiters[i]!.n) this.countWaiters.splice(i, 1)[0]!.resolve(hrnow());
        }
      }
      if (this.waiters.length) {
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          if (line.includes(this.waiters[i]!.text)) {
            const t = hrnow();
            this.waiters.splice(i, 1)[0]!.resolve(t);
          }
        }
      }
    }
    this.partial = s.slice(from);
  };

  private readonly countWaiters: Array<{ n: number; resolve: (t: bigint) => void }> = [];

  /** Resolves with the hrtime at which the count reached n. */
  waitCount(n: number): Promise<bigint> {
    if (this.count >= n) return Promise.resolve(hrnow());
    return new Promise((resolve) => this.countWaiters.push({ n, resolve }));
  }

  /** Resolves with the hrtime at which a line containing `text` arrives (lines already in are not looked at). */
  waitFor(text: string): Promise<bigint> {
    return new Promise((resolve) => this.waiters.push({ text, resolve }));
  }

  /**
   * As waitFor, but a line among the last `keep` counts too, with the time it
   * arrived: for a line that may come before its waiter is set up (a
   * handler that started before the PATCH's response was read).
   */
  waitForSeen(text: string): Promise<bigint> {
    for (let i = this.recent.length - 1; i >= 0; i--) if (this.recent[i]!.line.includes(text)) return Promise.resolve(this.recent[i]!.at);
    return this.waitFor(text);
  }
}

export function timeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(t));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const i = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1));
  return v[i]!;
}

/**
 * A FIFO the harness reads without blocking (opened read-write so writers
 * coming and going never make it see an end): handlers write a line to it
 * as the first thing they do.
 */
export class Fifo {
  readonly path: string;
  /** The handlers' lines; a latency probe's may come in before its waiter is set (waitForSeen). */
  readonly scanner = new OutputScanner(() => true, 64);
  private readonly dir: string;
  private readonly sock: Socket;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'cmwatch-bench-fifo-'));
    this.path = join(this.dir, 'fifo');
    const r = spawnSync('mkfifo', [this.path]);
    if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
    const fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    this.sock = new Socket({ fd, readable: true, writable: false });
    this.sock.on('data', this.scanner.feed);
  }

  close(): void {
    this.sock.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
