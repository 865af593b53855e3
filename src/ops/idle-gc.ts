/**
 * One full garbage collection when the process has gone quiet after work
 * (issue #18, steady RSS). After a list or a burst of events, V8 holds the
 * garbage they left until its next full collection, and a quiet watch
 * allocates nothing, so none comes: measured with 10,000 ConfigMaps of
 * 1 KiB listed and 5,000 updates, 18 MB of heap stayed in use (7 MB of it
 * garbage: list pages, promoted events) and RSS at 71 MiB, until V8's memory
 * reducer ran some 15–20 s later (down to 62 MiB), or not at all in some runs.
 * This collector samples the heap once a second; when two samples in a row
 * show nothing allocated and the heap holds at least `minGarbageBytes` more
 * than after the last collection, it runs one full collection. A steady
 * stream never looks quiet, so it never pauses one; a burst gets at most one
 * collection, and collections are at least `minIntervalMs` apart.
 *
 * V8's collection function is taken from a fresh context after setting
 * `--expose-gc` for it (and unsetting it), so no `gc` global appears in
 * cmwatch's own context. A `gc` the user exposed (`node --expose-gc`) is used
 * as it is.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

export interface IdleCollectorOptions {
  /** Bytes of heap in use now. */
  usedBytes: () => number;
  /** Runs one full collection. */
  collect: () => void;
  /** Milliseconds since some fixed point. */
  now: () => number;
  /** Less than this allocated between two samples is quiet (default 256 KiB). */
  quietBytes?: number;
  /** Quiet samples in a row before collecting (default 2). */
  quietSamples?: number;
  /** Heap in use above what the last collection left, before another is worth it (default 4 MiB). */
  minGarbageBytes?: number;
  /** Least time between two collections (default 10 s). */
  minIntervalMs?: number;
}

/** The decision, one sample at a time (the timer is startIdleCollection's). */
export class IdleCollector {
  /** Collections run so far. */
  collections = 0;
  private prev: number | undefined;
  private quiet = 0;
  private afterLast = 0;
  private lastAt = -Infinity;
  private readonly quietBytes: number;
  private readonly quietSamples: number;
  private readonly minGarbage: number;
  private readonly minInterval: number;

  constructor(private readonly o: IdleCollectorOptions) {
    this.quietBytes = o.quietBytes ?? 256 * 1024;
    this.quietSamples = o.quietSamples ?? 2;
    this.minGarbage = o.minGarbageBytes ?? 4 * 1024 * 1024;
    this.minInterval = o.minIntervalMs ?? 10_000;
  }

  /** One sample; returns true when it ran a collection. */
  sample(): boolean {
    const used = this.o.usedBytes();
    const prev = this.prev;
    this.prev = used;
    // Growth, or a drop (a young collection ran): either way, work went on since the last sample.
    if (prev === undefined || Math.abs(used - prev) >= this.quietBytes) {
      this.quiet = 0;
      return false;
    }
    this.quiet++;
    if (this.quiet < this.quietSamples || used - this.afterLast < this.minGarbage) return false;
    const t = this.o.now();
    if (t - this.lastAt < this.minInterval) return false;
    this.o.collect();
    this.collections++;
    this.lastAt = t;
    this.afterLast = this.prev = this.o.usedBytes();
    this.quiet = 0;
    return true;
  }
}

/** V8's full collection, without a `gc` global in this context; undefined if V8 refuses. */
export async function fullCollection(): Promise<(() => void) | undefined> {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return () => (own as () => void)();
  try {
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the heap every `everyMs` (the timer does not keep the process alive) until the signal aborts. */
export function startIdleCollection(signal?: AbortSignal, everyMs = 1000): void {
  let collect: (() => void) | undefined;
  let loading: Promise<unknown> | undefined;
  const collector = new IdleCollector({
    usedBytes: () => getHeapStatistics().used_heap_size,
    now: () => performance.now(),
    collect: () => collect?.(),
  });
  const timer = setInterval(() => {
    if (!collect) {
      // The collection function is loaded at the first sample, off the start-up path.
      loading ??= fullCollection().then((fn) => {
        if (fn) collect = fn;
        else clearInterval(timer);
      });
      return;
    }
    collector.sample();
  }, everyMs);
  timer.unref();
  signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
}
