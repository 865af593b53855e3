/**
 * One thorough garbage collection when the process has gone idle after work
 * (issue #18, steady RSS). After a list or a burst of events, V8 holds the
 * garbage they left until its next full collection, and an idle watch
 * allocates nothing, so none comes. The collection (below) compacts and
 * gives the freed pages back at once. On the real control plane (`npm run
 * bench -- --only=plane`: 10,000 ConfigMaps of 1 KiB listed, 5,000 updates,
 * RSS 30 s after the last): 72.8 MiB steady with an ordinary full collection
 * here, 66.1 with this one, the peak unchanged (76.6 and 76.1). (Forcing V8 to compact on every full
 * collection instead, with --compact-on-every-full-gc around an ordinary
 * one, was tried before and raised the peak by 7 MiB.)
 *
 * This collector samples once a second. It collects when two samples in a
 * row find the process idle (it used less than 2% of a CPU since the last
 * sample) and the heap holds at least 8 MiB in all and 1 MiB more than
 * after the last collection; collections are at least 10 s apart. So a busy
 * process is never paused; one that handles a trickle of events (well under
 * 2% of a CPU) may be, for the tens of milliseconds the collection takes
 * (below), at most once every 10 s and only once 1 MiB of garbage has built
 * up.
 * CMWATCH_IDLE_GC=0 turns it off.
 *
 * The collection is V8's most thorough one, the one DevTools' "collect
 * garbage" button runs (`HeapProfiler.collectGarbage` through an in-process
 * node:inspector session, opened for the call and closed after it): it
 * compacts the old generation and gives the freed pages and the grown young
 * generation back at once, where an ordinary full collection leaves them
 * committed until V8's memory reducer comes round (ops/v8-defaults.ts
 * shortens its start delay), which on the real API could be after the 30 s
 * the benchmark waits. V8 may run several full collections in it.
 * Measured in a probe (15,000 kept records, 1 KiB JSON churned): heap
 * committed 11.0 -> 4.5 MiB and RSS 55.0 -> 48.0 with it, 11.9 -> 11.0 and
 * 55.6 -> 55.0 with an ordinary full collection. It took 19-31 ms for a
 * heap of a few MiB, and 22-42 ms for 10,000 records of the change
 * detector's shape after 15,000 parsed 1 KiB objects (heap committed 10 ->
 * 3.7 MiB), on 2 cores.
 * A Node built without the inspector (or one whose inspector failed once:
 * an error, or no answer in 10 s) gets the ordinary full collection, an
 * eager `vm.measureMemory()` (no `gc` function is needed: only a new V8
 * context could give one, and one costs about 3 MiB). vm.measureMemory is
 * experimental in Node 20 to 24: its one-time warning is not printed (it is
 * not the user's call).
 */
import { getHeapStatistics } from 'node:v8';
import { systemClock, type Clock } from '../base/clock.js';

export interface IdleCollectorOptions {
  /** Bytes of heap in use now. */
  usedBytes: () => number;
  /** CPU the process has used so far (user and system), in microseconds. */
  cpuMicros: () => number;
  /** Runs one collection (idleCollection; settled when it is done). */
  collect: () => void | Promise<unknown>;
  clock: Pick<Clock, 'now'>;
  /** A sample is idle when less than this share of one CPU was used since the last one (default 0.02). */
  idleCpuShare?: number;
  /** Idle samples in a row before collecting (default 2). */
  idleSamples?: number;
  /** Heap in use above what the last collection left, before another is worth it (default 1 MiB). */
  minGarbageBytes?: number;
  /** Heap in use below which no collection is worth it (default 8 MiB). */
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
  private running = false;
  private readonly share: number;
  private readonly samples: number;
  private readonly minGarbage: number;
  private readonly minHeap: number;
  private readonly minInterval: number;

  constructor(private readonly o: IdleCollectorOptions) {
    this.share = o.idleCpuShare ?? 0.02;
    this.samples = o.idleSamples ?? 2;
    this.minGarbage = o.minGarbageBytes ?? 1024 * 1024;
    this.minHeap = o.minHeapBytes ?? 8 * 1024 * 1024;
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
    if (this.running || this.idle < this.samples || at - this.lastAt < this.minInterval) return false;
    const used = this.o.usedBytes();
    if (used < this.minHeap || used - this.afterLast < this.minGarbage) return false;
    this.collections++;
    this.lastAt = at;
    this.idle = 0;
    const done = () => {
      this.running = false;
      this.afterLast = this.o.usedBytes();
    };
    const pending = this.o.collect();
    if (pending) {
      this.running = true;
      pending.then(done, done);
    } else done();
    return true;
  }
}

/** Drops the warning a first vm.measureMemory() emits, while `call` runs (it is synchronous). */
function withoutMeasureWarning<T>(call: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('vm.measureMemory')) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return call();
  } finally {
    process.emitWarning = emit;
  }
}

/** What inspectorCollection needs of node:inspector's Session (tests give a stand-in). */
export interface InspectorSession {
  connect(): void;
  post(method: 'HeapProfiler.collectGarbage', callback: (err: Error | null) => void): void;
  disconnect(): void;
}

/** How long the inspector may take to answer before the collection counts as failed (it takes tens of ms). */
const INSPECTOR_ANSWER_MS = 10_000;

/**
 * V8's thorough collection through an in-process inspector session; rejects
 * when this Node has no inspector or no answer comes within `answerMs`.
 */
export async function inspectorCollection(o: { answerMs?: number; session?: InspectorSession } = {}): Promise<void> {
  const session = o.session ?? new (await import('node:inspector')).Session();
  const answerMs = o.answerMs ?? INSPECTOR_ANSWER_MS;
  session.connect();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the inspector did not answer HeapProfiler.collectGarbage within ${answerMs} ms`)), answerMs);
      timer.unref?.();
      session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve()));
    });
  } finally {
    clearTimeout(timer);
    // In a task of its own, never inside the answer's callback: V8 sends the answer holding a
    // lock that disconnect() takes too, so a disconnect there would deadlock the main thread
    // (checked on Node 20 with node -e). It also fails a callback still pending (no answer).
    setImmediate(() => session.disconnect());
  }
}

/** An ordinary full collection; rejects when this Node has no vm.measureMemory. */
async function fullCollection(): Promise<void> {
  const { measureMemory } = await import('node:vm');
  await withoutMeasureWarning(() => measureMemory({ mode: 'summary', execution: 'eager' }));
}

/** False once the inspector failed here: the ordinary collection from then on. */
let inspectorUsable = true;

/**
 * One collection, settled when V8 has run it: the inspector's where this Node
 * has one (and it has not failed before), else an ordinary full one; it
 * rejects when neither can be had.
 */
export async function idleCollection(features: { inspector?: boolean } = process.features): Promise<void> {
  if (features.inspector && inspectorUsable) {
    try {
      return await inspectorCollection();
    } catch {
      inspectorUsable = false;
    }
  }
  await fullCollection();
}

/**
 * Samples every `everyMs` (the timer does not keep the process alive) until
 * the signal aborts; returns whether it started (not with CMWATCH_IDLE_GC=0).
 */
export function startIdleCollection(signal?: AbortSignal, everyMs = 1000, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CMWATCH_IDLE_GC === '0') return false;
  let stopped = false;
  const collector = new IdleCollector({
    usedBytes: () => getHeapStatistics().used_heap_size,
    cpuMicros: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
    clock: systemClock,
    // Neither the inspector nor vm.measureMemory: no more tries.
    collect: () => idleCollection().catch(() => (stopped = true)),
  });
  const tick = () => {
    if (stopped || signal?.aborted) return;
    collector.sample();
    systemClock.setTimeout(tick, everyMs);
  };
  systemClock.setTimeout(tick, everyMs);
  return true;
}
