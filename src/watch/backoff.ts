/**
 * Exponential backoff with jitter (client-go's reflector defaults: 800 ms
 * doubling to 30 s) that resets after a period of health.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of random jitter added, 0..1. */
  jitter?: number;
  /** After this long without a failure, the next failure starts afresh. */
  resetAfterMs?: number;
  now?: () => number;
  random?: () => number;
}

export class Backoff {
  private readonly o: Required<BackoffOptions>;
  private current = 0;
  private lastFailure = -Infinity;

  constructor(opts: BackoffOptions = {}) {
    this.o = {
      initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.5, resetAfterMs: 120_000,
      now: Date.now, random: Math.random, ...opts,
    };
  }

  /** The delay before the next attempt after a failure. */
  next(): number {
    const now = this.o.now();
    if (now - this.lastFailure > this.o.resetAfterMs) this.current = 0;
    this.lastFailure = now;
    this.current = this.current === 0 ? this.o.initialMs : Math.min(this.current * this.o.factor, this.o.maxMs);
    const jittered = this.current * (1 + this.o.jitter * this.o.random());
    return Math.min(Math.round(jittered), this.o.maxMs);
  }

  /** The capped delay, for failures that should not be hammered (401/403/404). */
  capped(): number {
    this.lastFailure = this.o.now();
    this.current = this.o.maxMs;
    return this.o.maxMs;
  }

  reset(): void {
    this.current = 0;
    this.lastFailure = -Infinity;
  }
}

/** Sleeps, resolving early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
