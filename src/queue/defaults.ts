/**
 * The work queue's defaults, written once: the queue, the handler engine and
 * the CLI's flags (help text included) all take them from here.
 */
export interface QueueDefaults {
  /** Runs at once across keys (--concurrency). */
  concurrency: number;
  /** Coalesce items per key into the latest (--no-coalesce turns it off). */
  coalesce: boolean;
  /** Counted retries before an item is given up (--max-retries). */
  maxRetries: number;
  /** First retry delay; it doubles with each retry. */
  baseDelayMs: number;
  /** Retry delay cap. */
  maxDelayMs: number;
  /** With coalescing off: items waiting per key before that key falls back to coalescing (--max-pending-per-key). */
  maxPendingPerKey: number;
  /**
   * Random stretch of each retry delay, a fraction (see base/backoff.ts
   * jittered). 0, as client-go's per-item failure limiter: the delays stay
   * exactly 1 s, 2 s, 4 s, ... as documented and logged.
   */
  retryJitter: number;
}

export const QUEUE_DEFAULTS: Readonly<QueueDefaults> = Object.freeze({
  concurrency: 4,
  coalesce: true,
  maxRetries: 5,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  maxPendingPerKey: 1000,
  retryJitter: 0,
});
