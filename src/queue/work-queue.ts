/**
 * A keyed work queue with client-go workqueue semantics:
 * - stingy: an item added for a key that is waiting or running coalesces
 *   into one follow-up run with the latest item (with coalescing off, every
 *   item is kept and run in order, up to maxPendingPerKey waiting per key:
 *   past that the key falls back to coalescing, its waiting items collapse
 *   into the latest, until the key has no work left; see add());
 * - never concurrent: a key is handled by at most one run at a time;
 * - bounded: at most `concurrency` runs across keys;
 * - rate-limited retries: a failed item is retried after a per-key
 *   exponential backoff (baseDelayMs doubling, capped at maxDelayMs). A
 *   temporary failure is retried the same way without counting against
 *   maxRetries. After maxRetries counted retries the item is given up; the
 *   key's next item starts afresh. A newer item for the key replaces a
 *   pending retry (and a retry is not scheduled at all when a newer item is
 *   already waiting). Success forgets the failures.
 *
 * Retry state lives with the item, not the key: a new item always starts
 * with a clean count.
 *
 * pause() (a standby under leader election) drops the work that has not
 * started, pending retries included, and starts nothing, accepts nothing and
 * retries nothing until resume(); runs already going finish.
 */
import type { Logger } from '../ops/log.js';
import { formatDuration } from '../base/duration.js';

/** What a run reports back. */
export type Outcome =
  | { kind: 'ok' }
  /** Failed: retry with backoff, counting against maxRetries. */
  | { kind: 'failed'; reason: string }
  /** Temporary failure: retry with backoff without counting. */
  | { kind: 'temporary'; reason: string };

export interface Attempt {
  /** 1 for the first run of an item, 2 for its first retry, ... */
  number: number;
  /** Counted failures so far. */
  failures: number;
}

/** The default bound on a key's ordered backlog with coalescing off (--max-pending-per-key). */
export const DEFAULT_MAX_PENDING_PER_KEY = 1000;

export interface WorkQueueOptions<T> {
  worker: (key: string, item: T, attempt: Attempt) => Promise<Outcome>;
  log: Logger;
  /** Runs at once across keys (default 4). */
  concurrency?: number;
  /** Coalesce items per key into the latest (default true). */
  coalesce?: boolean;
  /** Counted retries before an item is given up (default 5). */
  maxRetries?: number;
  /** First retry delay (default 1 s); it doubles with each retry. */
  baseDelayMs?: number;
  /** Retry delay cap (default 5 min). */
  maxDelayMs?: number;
  /**
   * With coalescing off: items waiting per key (default 1000) before that key
   * falls back to coalescing. Without a bound a flood for one key behind a
   * slow handler grows memory without limit.
   */
  maxPendingPerKey?: number;
  /** Called when an item is given up after its retries. */
  onGiveUp?: (key: string, item: T, reason: string) => void;
  /** Called when a key falls back to coalescing (see maxPendingPerKey). */
  onCoalesceFallback?: (key: string) => void;
}

interface Entry<T> {
  item: T;
  /** Counted failures. */
  failures: number;
  /** All failures, counted or not: the backoff exponent. */
  attempts: number;
}

interface KeyState<T> {
  /** Entries waiting to run, oldest first. */
  pending: Entry<T>[];
  running: boolean;
  /** In the ready list. */
  queued: boolean;
  retry?: { timer: NodeJS.Timeout; entry: Entry<T> };
  /** With coalescing off: the backlog reached maxPendingPerKey; this key coalesces until it has no work left. */
  fellBack?: boolean;
}

export interface DrainResult {
  /** Keys whose run was still going when the grace period ended. */
  running: string[];
  /** Keys with work that never started (waiting, or waiting for a retry). */
  dropped: string[];
}

export interface QueueStats {
  added: number;
  runs: number;
  ok: number;
  failed: number;
  retries: number;
  givenUp: number;
  coalesced: number;
  superseded: number;
  /** With coalescing off: times a key's backlog reached maxPendingPerKey and the key fell back to coalescing. */
  coalesceFallbacks: number;
}

export class WorkQueue<T> {
  private readonly o: Required<Omit<WorkQueueOptions<T>, 'onGiveUp' | 'onCoalesceFallback'>> & Pick<WorkQueueOptions<T>, 'onGiveUp' | 'onCoalesceFallback'>;
  private readonly keys = new Map<string, KeyState<T>>();
  private readonly ready: string[] = [];
  private active = 0;
  private closed = false;
  private paused = false;
  private waiters: Array<{ when: () => boolean; resolve: () => void }> = [];
  readonly stats: QueueStats = { added: 0, runs: 0, ok: 0, failed: 0, retries: 0, givenUp: 0, coalesced: 0, superseded: 0, coalesceFallbacks: 0 };

  constructor(opts: WorkQueueOptions<T>) {
    this.o = { concurrency: 4, coalesce: true, maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 300_000, maxPendingPerKey: DEFAULT_MAX_PENDING_PER_KEY, ...definedOnly(opts) };
    if (!(this.o.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
    if (!(this.o.maxPendingPerKey >= 1)) throw new RangeError('maxPendingPerKey must be >= 1');
  }

  /** Runs going now. */
  get running(): number {
    return this.active;
  }

  /** Keys with any work: running, waiting, or waiting for a retry. */
  get busyKeys(): number {
    return this.keys.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Items waiting to start: queued, or waiting for a retry (runs going are not counted). */
  get depth(): number {
    let n = 0;
    for (const s of this.keys.values()) n += s.pending.length + (s.retry ? 1 : 0);
    return n;
  }

  /** The delay before retry number n (1-based) of an item. */
  backoff(n: number): number {
    return Math.min(this.o.baseDelayMs * 2 ** Math.max(0, n - 1), this.o.maxDelayMs);
  }

  /** Adds an item for a key; returns false (and drops it) once the queue is closed. */
  add(key: string, item: T): boolean {
    if (this.closed || this.paused) return false;
    this.stats.added++;
    const s = this.state(key);
    if (s.retry) {
      clearTimeout(s.retry.timer);
      s.retry = undefined;
      this.stats.superseded++;
      this.o.log.debug(`a newer event for ${key} replaces its pending retry`, { key });
    }
    const entry: Entry<T> = { item, failures: 0, attempts: 0 };
    if (!this.o.coalesce && !s.fellBack && s.pending.length >= this.o.maxPendingPerKey) this.fallBack(key, s);
    if ((this.o.coalesce || s.fellBack) && s.pending.length > 0) {
      this.stats.coalesced += s.pending.length;
      s.pending.length = 0;
    }
    s.pending.push(entry);
    this.enqueue(key, s);
    this.pump();
    return true;
  }

  /**
   * The ordered backlog of a key is full: from now until the key has no work
   * left (its state is dropped, see run()) its items coalesce, as with
   * coalescing on. Logged once per episode and counted.
   */
  private fallBack(key: string, s: KeyState<T>): void {
    s.fellBack = true;
    this.stats.coalesceFallbacks++;
    this.o.log.warn(
      `${key}: ${s.pending.length} events waiting to run in order (--max-pending-per-key ${this.o.maxPendingPerKey}); ` +
      `coalescing them into the latest until ${key} has no work left`,
      { key, reason: 'coalesce_fallback' },
    );
    this.o.onCoalesceFallback?.(key);
  }

  private state(key: string): KeyState<T> {
    let s = this.keys.get(key);
    if (!s) {
      s = { pending: [], running: false, queued: false };
      this.keys.set(key, s);
    }
    return s;
  }

  private enqueue(key: string, s: KeyState<T>): void {
    if (!s.running && !s.queued && s.pending.length > 0) {
      s.queued = true;
      this.ready.push(key);
    }
  }

  private pump(): void {
    while (!this.closed && !this.paused && this.active < this.o.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const s = this.keys.get(key);
      if (!s) continue;
      s.queued = false;
      const entry = s.pending.shift();
      if (s.running || !entry) continue;
      s.running = true;
      this.active++;
      void this.run(key, s, entry);
    }
    this.notify();
  }

  private async run(key: string, s: KeyState<T>, entry: Entry<T>): Promise<void> {
    this.stats.runs++;
    let outcome: Outcome;
    try {
      outcome = await this.o.worker(key, entry.item, { number: entry.attempts + 1, failures: entry.failures });
    } catch (err) {
      outcome = { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
    s.running = false;
    this.active--;
    if (outcome.kind === 'ok') this.stats.ok++;
    else {
      this.stats.failed++;
      this.afterFailure(key, s, entry, outcome);
    }
    if (!s.running && !s.retry && s.pending.length === 0) this.keys.delete(key);
    else this.enqueue(key, s);
    this.pump();
  }

  private afterFailure(key: string, s: KeyState<T>, entry: Entry<T>, outcome: Exclude<Outcome, { kind: 'ok' }>): void {
    const { log } = this.o;
    if (this.closed || this.paused) {
      log.debug(`handler for ${key} failed during ${this.closed ? 'shutdown' : 'a pause'} (${outcome.reason}); not retried`, { key });
      return;
    }
    if (s.pending.length > 0) {
      this.stats.superseded++;
      log.warn(`handler for ${key} failed (${outcome.reason}); not retried: a newer event for ${key} is next`, { key, reason: 'superseded' });
      return;
    }
    entry.attempts++;
    if (outcome.kind === 'failed') entry.failures++;
    if (entry.failures > this.o.maxRetries) {
      this.stats.givenUp++;
      const tries = entry.attempts === 1 ? '1 attempt' : `${entry.attempts} attempts`;
      log.error(`giving up on ${key} after ${tries}: ${outcome.reason}; its next change starts afresh`, { key, reason: 'gave_up' });
      this.o.onGiveUp?.(key, entry.item, outcome.reason);
      return;
    }
    const delay = this.backoff(entry.attempts);
    this.stats.retries++;
    const which = outcome.kind === 'failed' ? `retry ${entry.failures}/${this.o.maxRetries}` : 'retry (temporary failure, not counted)';
    log.warn(`handler for ${key} failed (${outcome.reason}); ${which} in ${formatDuration(delay)}`, {
      key, reason: outcome.kind === 'failed' ? 'failed' : 'temporary', attempt: entry.attempts,
    });
    const timer = setTimeout(() => {
      if (s.retry?.entry !== entry) return;
      s.retry = undefined;
      s.pending.unshift(entry);
      this.enqueue(key, s);
      this.pump();
    }, delay);
    s.retry = { timer, entry };
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) (w.when() ? w.resolve() : keep.push(w));
    this.waiters = keep;
  }

  private until(when: () => boolean): Promise<void> {
    if (when()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ when, resolve }));
  }

  /** Resolves when no key has any work left: nothing running, waiting or waiting for a retry. */
  settled(): Promise<void> {
    return this.until(() => this.active === 0 && (this.keys.size === 0 || this.closed));
  }

  /** Drops the work not started (retries included) and starts nothing until resume(). Returns the keys dropped. */
  pause(): string[] {
    if (this.paused) return [];
    this.paused = true;
    const dropped = this.discardWaiting();
    this.notify();
    return dropped;
  }

  /** Accepts and starts work again after pause(). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pump();
  }

  private discardWaiting(): string[] {
    const dropped: string[] = [];
    for (const [key, s] of this.keys) {
      if (s.retry) clearTimeout(s.retry.timer);
      if (s.pending.length > 0 || s.retry) dropped.push(key);
      s.retry = undefined;
      s.pending.length = 0;
      s.queued = false;
      if (!s.running) this.keys.delete(key);
    }
    this.ready.length = 0;
    return dropped;
  }

  /**
   * Closes the queue: no new items, no new runs, pending retries cancelled.
   * Waits up to graceMs for running ones. Returns what was still running
   * and the keys whose queued work was dropped. May be called again to wait
   * once more (e.g. after killing the runs).
   */
  async drain(graceMs: number): Promise<DrainResult> {
    let dropped: string[] = [];
    if (!this.closed) {
      this.closed = true;
      dropped = this.discardWaiting();
    }
    if (this.active > 0) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        this.until(() => this.active === 0),
        new Promise<void>((r) => { t = setTimeout(r, graceMs); }),
      ]);
      clearTimeout(t);
    }
    const running = [...this.keys].filter(([, s]) => s.running).map(([k]) => k);
    return { running, dropped };
  }
}

/** The options that were given: an undefined value never overrides a default. */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
