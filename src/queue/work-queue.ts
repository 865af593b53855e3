/**
 * A keyed work queue with client-go workqueue semantics, composed of its
 * parts the way client-go splits them:
 * - keyed-queue.ts: stingy per key (coalescing, or ordered up to
 *   maxPendingPerKey with coalescing off), never concurrent per key,
 *   bounded by `concurrency`;
 * - delaying.ts: the timers of retries waiting;
 * - rate-limiter.ts: the retry policy, injected (default: per-item
 *   exponential backoff, baseDelayMs doubling to maxDelayMs, built on
 *   base/backoff.ts).
 * This file decides what happens after a run. A failed item is retried
 * after the limiter's delay. A temporary failure is retried the same way
 * without counting against maxRetries. After maxRetries counted retries the
 * item is given up; the key's next item starts afresh. A newer item for the
 * key replaces a pending retry (and a retry is not scheduled at all when a
 * newer item is already waiting). Success forgets the failures.
 *
 * Retry state lives with the item, not the key: a new item always starts
 * with a clean count.
 *
 * pause() (a standby under leader election) drops the work that has not
 * started, pending retries included, and starts nothing, accepts nothing and
 * retries nothing until resume(); runs already going finish.
 */
import type { Logger } from '../base/logger.js';
import { formatDuration } from '../base/duration.js';
import { withDefaults } from '../base/options.js';
import { QUEUE_DEFAULTS, type QueueDefaults } from './defaults.js';
import { KeyedQueue } from './keyed-queue.js';
import { RetryTimers } from './delaying.js';
import { exponentialRetryDelay, ItemExponentialFailureRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { Attempt, DrainResult, Outcome, QueueStats } from './types.js';

export type { Attempt, DrainResult, Outcome, QueueStats } from './types.js';
export type { RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions<T> extends Partial<QueueDefaults> {
  worker: (key: string, item: T, attempt: Attempt) => Promise<Outcome>;
  log: Logger;
  /** The retry policy (default: ItemExponentialFailureRateLimiter over baseDelayMs, maxDelayMs, retryJitter). */
  rateLimiter?: RateLimiter<object>;
  /** For the default limiter's jitter (default Math.random). */
  random?: () => number;
  /** Called when an item is given up after its retries. */
  onGiveUp?: (key: string, item: T, reason: string) => void;
  /** Called when a key falls back to coalescing (see maxPendingPerKey). */
  onCoalesceFallback?: (key: string) => void;
}

/** One item in the queue; the rate limiter keeps its failures by this object. */
interface Entry<T> {
  item: T;
  /** Counted failures. */
  failures: number;
}

type Failure = Exclude<Outcome, { kind: 'ok' }>;

export class WorkQueue<T> {
  private readonly o: QueueDefaults & WorkQueueOptions<T>;
  private readonly keyed: KeyedQueue<Entry<T>>;
  private readonly retryTimers = new RetryTimers<Entry<T>>();
  private readonly limiter: RateLimiter<object>;
  private closed = false;
  private paused = false;
  private waiters: Array<{ when: () => boolean; resolve: () => void }> = [];
  readonly stats: QueueStats = { added: 0, runs: 0, ok: 0, failed: 0, retries: 0, givenUp: 0, coalesced: 0, superseded: 0, coalesceFallbacks: 0 };

  constructor(opts: WorkQueueOptions<T>) {
    this.o = withDefaults(QUEUE_DEFAULTS, opts);
    if (!(this.o.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
    if (!(this.o.maxPendingPerKey >= 1)) throw new RangeError('maxPendingPerKey must be >= 1');
    this.keyed = new KeyedQueue<Entry<T>>({
      concurrency: this.o.concurrency, coalesce: this.o.coalesce, maxPendingPerKey: this.o.maxPendingPerKey,
      onFallBack: (key, waiting) => this.fellBack(key, waiting),
    });
    this.limiter = this.o.rateLimiter ?? new ItemExponentialFailureRateLimiter({
      baseDelayMs: this.o.baseDelayMs, maxDelayMs: this.o.maxDelayMs, jitter: this.o.retryJitter, random: this.o.random,
    });
  }

  /** Runs going now. */
  get running(): number {
    return this.keyed.running;
  }

  /** Keys with any work: running, waiting, or waiting for a retry. */
  get busyKeys(): number {
    return this.keyed.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether key has any work: running, queued, or waiting for a retry. */
  hasWork(key: string): boolean {
    return this.keyed.has(key) || this.retryTimers.has(key);
  }

  /** Items waiting to start: queued, or waiting for a retry (runs going are not counted). */
  get depth(): number {
    return this.keyed.waiting + this.retryTimers.size;
  }

  /** The default policy's delay before retry number n (1-based) of an item. */
  backoff(n: number): number {
    return exponentialRetryDelay(n, { baseDelayMs: this.o.baseDelayMs, maxDelayMs: this.o.maxDelayMs, jitter: this.o.retryJitter, random: this.o.random });
  }

  /** Adds an item for a key; returns false (and drops it) once the queue is closed. */
  add(key: string, item: T): boolean {
    if (this.closed || this.paused) return false;
    this.stats.added++;
    this.keyed.touch(key);
    if (this.retryTimers.cancel(key)) {
      this.stats.superseded++;
      this.o.log.debug(`a newer event for ${key} replaces its pending retry`, { key });
    }
    this.stats.coalesced += this.keyed.push(key, { item, failures: 0 });
    this.pump();
    return true;
  }

  /**
   * The ordered backlog of a key is full: from now until the key has no work
   * left its items coalesce, as with coalescing on. Logged once per episode
   * and counted.
   */
  private fellBack(key: string, waiting: number): void {
    this.stats.coalesceFallbacks++;
    this.o.log.warn(
      `${key}: ${waiting} events waiting to run in order (the bound per key is ${this.o.maxPendingPerKey}); ` +
      `coalescing them into the latest until ${key} has no work left`,
      { key, reason: 'coalesce_fallback' },
    );
    this.o.onCoalesceFallback?.(key);
  }

  private pump(): void {
    while (!this.closed && !this.paused) {
      const next = this.keyed.take();
      if (!next) break;
      void this.run(next.key, next.entry);
    }
    this.notify();
  }

  private async run(key: string, entry: Entry<T>): Promise<void> {
    this.stats.runs++;
    let outcome: Outcome;
    try {
      outcome = await this.o.worker(key, entry.item, { number: this.limiter.retries(entry) + 1, failures: entry.failures });
    } catch (err) {
      outcome = { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
    this.keyed.done(key);
    if (outcome.kind === 'ok') {
      this.stats.ok++;
      this.limiter.forget(entry);
    } else {
      this.stats.failed++;
      this.afterFailure(key, entry, outcome);
    }
    this.keyed.release(key, this.retryTimers.has(key));
    this.pump();
  }

  private afterFailure(key: string, entry: Entry<T>, outcome: Failure): void {
    const { log } = this.o;
    if (this.closed || this.paused) {
      log.debug(`handler for ${key} failed during ${this.closed ? 'shutdown' : 'a pause'} (${outcome.reason}); not retried`, { key });
      return;
    }
    if (this.keyed.hasWaiting(key)) {
      this.stats.superseded++;
      log.warn(`handler for ${key} failed (${outcome.reason}); not retried: a newer event for ${key} is next`, { key, reason: 'superseded' });
      return;
    }
    if (outcome.kind === 'failed') entry.failures++;
    if (entry.failures > this.o.maxRetries) return this.giveUp(key, entry, outcome);
    const delay = this.limiter.when(entry);
    this.stats.retries++;
    const which = outcome.kind === 'failed' ? `retry ${entry.failures}/${this.o.maxRetries}` : 'retry (temporary failure, not counted)';
    log.warn(`handler for ${key} failed (${outcome.reason}); ${which} in ${formatDuration(delay)}`, {
      key, reason: outcome.kind === 'failed' ? 'failed' : 'temporary', attempt: this.limiter.retries(entry),
    });
    this.retryTimers.schedule(key, entry, delay, (due) => {
      this.keyed.pushFront(key, due);
      this.pump();
    });
  }

  private giveUp(key: string, entry: Entry<T>, outcome: Failure): void {
    const attempts = this.limiter.retries(entry) + 1;
    this.limiter.forget(entry);
    this.stats.givenUp++;
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    this.o.log.error(`giving up on ${key} after ${tries}: ${outcome.reason}; its next change starts afresh`, { key, reason: 'gave_up' });
    this.o.onGiveUp?.(key, entry.item, outcome.reason);
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
    return this.until(() => this.keyed.running === 0 && (this.keyed.size === 0 || this.closed));
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
    return this.keyed.dropWaiting(this.retryTimers.cancelAll());
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
    if (this.keyed.running > 0) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        this.until(() => this.keyed.running === 0),
        new Promise<void>((r) => { t = setTimeout(r, graceMs); }),
      ]);
      clearTimeout(t);
    }
    return { running: this.keyed.runningKeys(), dropped };
  }
}
