/**
 * The work queue's retry policy, injected into it (client-go's
 * workqueue.RateLimiter): how long a failed item waits before its retry.
 * The queue decides whether to retry; the limiter only says when.
 */
import { exponentialDelay, jittered } from '../base/backoff.js';

export interface RateLimiter<T extends object> {
  /** Records one more failure of `item` and returns the delay before its retry. */
  when(item: T): number;
  /** Forgets the failures of `item` (it succeeded or was given up). */
  forget(item: T): void;
  /** The failures recorded for `item` since it was last forgotten. */
  retries(item: T): number;
}

export interface ExponentialLimiterOptions {
  /** The first retry's delay; it doubles with each retry. */
  baseDelayMs: number;
  /** The delay cap. */
  maxDelayMs: number;
  /** Random stretch of each delay, a fraction (default 0). */
  jitter?: number;
  random?: () => number;
}

/** The delay before retry n (1-based): baseDelayMs doubling to maxDelayMs, then jittered. */
export function exponentialRetryDelay(n: number, o: ExponentialLimiterOptions): number {
  return jittered(exponentialDelay(n, { initialMs: o.baseDelayMs, maxMs: o.maxDelayMs }), o.jitter ?? 0, o.random);
}

/**
 * Per-item exponential failure limiter (client-go's
 * ItemExponentialFailureRateLimiter). State lives with the item, not its
 * key: a new item starts with a clean count. Items are held weakly, so an
 * item the queue drops without forget() (coalesced, superseded, paused)
 * takes its count with it.
 */
export class ItemExponentialFailureRateLimiter<T extends object> implements RateLimiter<T> {
  private readonly failures = new WeakMap<T, number>();

  constructor(private readonly o: ExponentialLimiterOptions) {}

  when(item: T): number {
    const n = this.retries(item) + 1;
    this.failures.set(item, n);
    return exponentialRetryDelay(n, this.o);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  retries(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}
