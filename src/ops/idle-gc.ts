/**
 * One full garbage collection when the process has gone idle after work
 * (issue #18, steady RSS). After a list or a burst of events, V8 holds the
 * garbage they left until its next full collection, and an idle watch
 * allocates nothing, so none comes: measured with 10,000 ConfigMaps of
 * 1 KiB listed and 5,000 updates, 18 MB of heap stayed in use (7 MB of it
 * garbage: list pages, promoted events) and RSS at 71 MiB, until V8's memory
 * reducer ran some 15–20 s later (down to 62 MiB), or not at all in some runs.
 *
 * This collector samples once a second. It collects when two samples in a
 * row find the process idle (it used less than 2% of a CPU since the last
 * sample) and the heap holds at least 16 MiB in all and 4 MiB more than
 * after the last collection; collections are at least 10 s apart. Below
 * 16 MiB a collection frees less than the V8 context its function comes from
 * costs (about 3 MiB: 100 ConfigMaps idle, 58.2 MiB with a collection at any
 * size, 55.0 without one). So a busy
 * process is never paused; one that handles a trickle of events (well under
 * 2% of a CPU) may be, for the few milliseconds a collection of a small heap
 * takes, at most once every 10 s and only once 4 MiB of garbage has built up.
 * CMWATCH_IDLE_GC=0 turns it off.
 *
 * V8's collection function is taken, when first needed, from a fresh context
 * with `--expose-gc` set for it alone (then unset), so no `gc` global appears
 * in cmwatch's own context. A `gc` the user exposed (`node --expose-gc`) is
 * used as it is, and that flag is then left alone.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { systemClock, type Clock } from '../base/clock.js';
import { givenNames } from './v8-defaults.js';

export interface IdleCollectorOptions {
  /** Bytes of heap in use now. */
  usedBytes: () => number;
  /** CPU the process has used so far (user and system), in microseconds. */
  cpuMicros: () => number;
  /** Runs one full collection. */
  collect: () => void;
  clock: Pick<Clock, 'now'>;
  /** A sample is idle when less than this share of one CPU was used since the last one (default 0.02). */
  idleCpuShare?: number;
  /** Idle samples in a row before collecting (default 2). */
  idleSamples?: number;
  /** Heap in use above what the last collection left, before another is worth it (default 4 MiB). */
  minGarbageBytes?: number;
  /** Heap in use below which no collection is worth it (default 16 MiB). */
  minHeapBytes?: number;
  /** Least time between two collections (default 10 s). */
  minIntervalMs?: number;
}

/** The decision, one sample at a time (the timer is startIdleCollection's). */
export class IdleCollector {
  /** Collections asked for so far. */
  collections = 0;
  private prev: { at: number; cpu: number } | undefined;
  private idle = 0;
  private afterLast = 0;
  private lastAt = -Infinity;
  private readonly share: number;
  private readonly samples: number;
  private readonly minGarbage: number;
  private readonly minHeap: number;
  private readonly minInterval: number;

  constructor(private readonly o: IdleCollectorOptions) {
    this.share = o.idleCpuShare ?? 0.02;
    this.samples = o.idleSamples ?? 2;
    this.minGarbage = o.minGarbageBytes ?? 4 * 1024 * 1024;
    this.minHeap = o.minHeapBytes ?? 16 * 1024 * 1024;
    this.minInterval = o.minIntervalMs ?? 10_000;
  }

  /** One sample; returns true when it asked for a collection. */
  sample(): boolean {
    const at = this.o.clock.now();
    const cpu = this.o.cpuMicros();
    const prev = this.prev;
    this.prev = { at, cpu };
    if (!prev || at <= prev.at || (cpu - prev.cpu) / 1000 >= this.share * (at - prev.at)) {
      this.idle = 0;
      return false;
    }
    this.idle++;
    if (this.idle < this.samples || at - this.lastAt < this.minInterval) return false;
    const used = this.o.usedBytes();
    if (used < this.minHeap || used - this.afterLast < this.minGarbage) return false;
    this.o.collect();
    this.collections++;
    this.lastAt = at;
    this.afterLast = this.o.usedBytes();
    this.idle = 0;
    return true;
  }
}

/** V8's full collection, without a `gc` global in this context; undefined if V8 refuses. */
export async function fullCollection(): Promise<(() => void) | undefined> {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return () => (own as () => void)();
  const given = givenNames();
  if (given.has('--expose-gc') || given.has('--no-expose-gc')) return undefined; // --no-expose-gc: the user said no
  let gc: unknown;
  try {
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    try {
      gc = runInNewContext('gc');
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  } catch {
    return undefined;
  }
  return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
}

/**
 * Samples every `everyMs` (the timer does not keep the process alive) until
 * the signal aborts; returns whether it started (not with CMWATCH_IDLE_GC=0).
 */
export function startIdleCollection(signal?: AbortSignal, everyMs = 1000, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CMWATCH_IDLE_GC === '0') return false;
  let collect: (() => void) | undefined;
  let stopped = false;
  let loading = false;
  const collector = new IdleCollector({
    usedBytes: () => getHeapStatistics().used_heap_size,
    cpuMicros: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
    clock: systemClock,
    collect: () => {
      if (collect) collect();
      else if (!loading) {
        // Loaded the first time one is due (the process is idle then), and run once it is.
        loading = true;
        void fullCollection().then((fn) => {
          collect = fn;
          if (fn) fn();
          else stopped = true;
        });
      }
    },
  });
  const tick = () => {
    if (stopped || signal?.aborted) return;
    collector.sample();
    systemClock.setTimeout(tick, everyMs);
  };
  systemClock.setTimeout(tick, everyMs);
  return true;
}
