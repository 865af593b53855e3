/**
 * A keyed work queue with client-go workqueue semantics:
 * - stingy: work added for a key while it waits or runs coalesces into one
 *   follow-up run with the latest item (or, with coalesce off, every item is
 *   kept in order);
 * - never concurrent: a key is handled by at most one run at a time;
 * - bounded: at most `concurrency` runs across keys;
 * - rate-limited retries: per-key exponential backoff, a newer item replaces
 *   a pending retry, success forgets the failures, and after `maxRetries`
 *   failed retries the key is given up until its next change.
 */
import type { Logger } from '../util/log.js';
import { formatDuration } from '../util/duration.js';

/** What a run reports back. */
export type Outcome =
  | { kind: 'ok' }
  /** Failed: retry with backoff, counting against maxRetries. */
  | { kind: 'retry'; reason: string }
  /** Temporary failure: retry with backoff without counting. */
  | { kind: 'requeue'; reason: string };

export interface WorkQueueOptions<T> {
  worker: (key: string, item: T, attempt: number) => Promise<Outcome>;
  log: Logger;
  concurrency?: number;
  coalesce?: boolean;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a key is given up after its retries. */
  onGiveUp?: (key: string, item: T, reason: string) => void;
}

interface KeyState<T> {
  items: T[];
  running: boolean;
  queued: boolean;
  failures: number;
  retryTimer?: NodeJS.Timeout;
  /** The item waiting for its retry (not yet in items). */
  retryItem?: T;
}

export interface DrainResult {
  /** Runs still going when the grace period ended. */
  running: string[];
  /** Keys with work that never started. */
  dropped: string[];
}

export class WorkQueue<T> {
  private readonly o: Required<Omit<WorkQueueOptions<T>, 'onGiveUp'>> & Pick<WorkQueueOptions<T>, 'onGiveUp'>;
  private readonly keys = new Map<string, KeyState<T>>();
  private readonly ready: string[] = [];
  private active = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats = { runs: 0, ok: 0, failed: 0, givenUp: 0, coalesced: 0 };

  constructor(opts: WorkQueueOptions<T>) {
    this.o = { concurrency: 4, coalesce: true, maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 300_000, ...opts };
  }

  /** Items waiting or running. */
  get depth(): number {
    let n = this.active;
    for (const s of this.keys.values()) n += s.items.length;
    return n;
  }

  get running(): number {
    return this.active;
  }

  add(key: string, item: T): void {
    if (this.closed) return;
    const s = this.state(key);
    if (s.retryTimer) {
      // A newer change replaces the pending retry and starts afresh.
      clearTimeout(s.retryTimer);
      s.retryTimer = undefined;
      if (this.o.coalesce) s.retryItem = undefined;
      else if (s.retryItem !== undefined) { s.items.unshift(s.retryItem); s.retryItem = undefined; }
      s.failures = 0;
    }
    if (this.o.coalesce) {
      if (s.items.length > 0) this.stats.coalesced++;
      s.items.length = 0;
    }
    s.items.push(item);
    this.enqueue(key, s);
    this.pump();
  }

  private state(key: string): KeyState<T> {
    let s = this.keys.get(key);
    if (!s) {
      s = { items: [], running: false, queued: false, failures: 0 };
      this.keys.set(key, s);
    }
    return s;
  }

  private enqueue(key: string, s: KeyState<T>): void {
    if (!s.running && !s.queued && s.items.length > 0) {
      s.queued = true;
      this.ready.push(key);
    }
  }

  private pump(): void {
    while (!this.closed && this.active < this.o.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const s = this.keys.get(key);
      if (!s) continue;
      s.queued = false;
      if (s.running || s.items.length === 0) continue;
      const item = s.items.shift()!;
      s.running = true;
      this.active++;
      void this.run(key, s, item);
    }
    this.checkIdle();
  }

  private async run(key: string, s: KeyState<T>, item: T): Promise<void> {
    this.stats.runs++;
    let outcome: Outcome;
    try {
      outcome = await this.o.worker(key, item, s.failures);
    } catch (err) {
      outcome = { kind: 'retry', reason: err instanceof Error ? err.message : String(err) };
    }
    s.running = false;
    this.active--;
    if (outcome.kind === 'ok') {
      this.stats.ok++;
      s.failures = 0;
    } else {
      this.stats.failed++;
      this.retry(key, s, item, outcome);
    }
    if (s.items.length === 0 && !s.retryTimer && !s.running && s.failures === 0) this.keys.delete(key);
    else this.enqueue(key, s);
    this.pump();
  }

  private retry(key: string, s: KeyState<T>, item: T, outcome: Exclude<Outcome, { kind: 'ok' }>): void {
    if (this.closed) return;
    if (this.o.coalesce && s.items.length > 0) {
      // A newer change arrived during the run: it replaces the retry.
      s.failures = 0;
      this.o.log.debug(`handler for ${key} failed (${outcome.reason}); a newer change replaces the retry`, { key });
      return;
    }
    if (outcome.kind === 'retry') s.failures++;
    if (outcome.kind === 'retry' && s.failures > this.o.maxRetries) {
      this.stats.givenUp++;
      this.o.log.error(`giving up on ${key} after ${s.failures} failed attempts: ${outcome.reason}; its next change starts afresh`, { key, reason: 'gave_up' });
      s.failures = 0;
      this.o.onGiveUp?.(key, item, outcome.reason);
      return;
    }
    const exp = Math.max(0, s.failures - 1);
    const delay = Math.min(this.o.baseDelayMs * 2 ** exp, this.o.maxDelayMs);
    this.o.log.warn(`handler for ${key} failed (${outcome.reason}); retry ${outcome.kind === 'retry' ? `${s.failures}/${this.o.maxRetries}` : '(not counted)'} in ${formatDuration(delay)}`, { key, reason: outcome.kind === 'retry' ? 'failed' : 'temporary' });
    s.retryItem = item;
    s.retryTimer = setTimeout(() => {
      s.retryTimer = undefined;
      const it = s.retryItem;
      s.retryItem = undefined;
      if (it !== undefined) s.items.unshift(it);
      this.enqueue(key, s);
      this.pump();
    }, delay);
  }

  private checkIdle(): void {
    if (this.active === 0 && (this.closed || this.ready.length === 0)) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when nothing is running and nothing is ready (retries may still be pending). */
  idle(): Promise<void> {
    if (this.active === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Stops intake and starting new runs; waits up to graceMs for running ones.
   * Returns what was still running and what was dropped.
   */
  async drain(graceMs: number): Promise<DrainResult> {
    this.closed = true;
    const dropped: string[] = [];
    for (const [key, s] of this.keys) {
      if (s.retryTimer) { clearTimeout(s.retryTimer); s.retryTimer = undefined; }
      if (s.items.length > 0 || s.retryItem !== undefined) dropped.push(key);
      s.items.length = 0;
      s.retryItem = undefined;
    }
    this.ready.length = 0;
    if (this.active > 0) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise<void>((r) => { t = setTimeout(r, graceMs); }),
      ]);
      if (t) clearTimeout(t);
    }
    const running = [...this.keys].filter(([, s]) => s.running).map(([k]) => k);
    return { running, dropped };
  }
}
