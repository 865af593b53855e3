/**
 * Exponential backoff with jitter, client-go's reflector defaults: 800 ms
 * doubling to a 30 s cap, each delay stretched by up to `jitter` (25%) at
 * random. It resets after `resetAfterMs` (2 minutes) of health, that is, when
 * that long has passed since the previous delay ended without a failure.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of random stretch added to each delay, 0..1. */
  jitter?: number;
  /** After this long without a failure, the next failure starts afresh. */
  resetAfterMs?: number;
  now?: () => number;
  random?: () => number;
}

export class Backoff {
  private readonly o: Required<BackoffOptions>;
  /** The un-jittered delay of the last failure; 0 when fresh. */
  private base = 0;
  /** When the last delay ended: health is measured from there. */
  private healthySince = -Infinity;

  constructor(opts: BackoffOptions = {}) {
    this.o = {
      initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.25, resetAfterMs: 120_000,
      now: Date.now, random: Math.random, ...opts,
    };
  }

  /** The delay before the next attempt after a retryable failure. */
  next(): number {
    this.resetIfHealthy();
    this.base = this.base === 0 ? this.o.initialMs : Math.min(this.base * this.o.factor, this.o.maxMs);
    return this.delay();
  }

  /**
   * The delay at the cap, for failures that should not be hammered
   * (401/403/404): they are retried every `maxMs` (plus jitter) until healthy.
   */
  capped(): number {
    this.resetIfHealthy();
    this.base = this.o.maxMs;
    return this.delay();
  }

  /** Records a delay chosen elsewhere (Retry-After) so health is measured after it. */
  waited(ms: number): void {
    this.healthySince = this.o.now() + ms;
  }

  reset(): void {
    this.base = 0;
    this.healthySince = -Infinity;
  }

  private resetIfHealthy(): void {
    if (this.o.now() - this.healthySince >= this.o.resetAfterMs) this.base = 0;
  }

  private delay(): number {
    const ms = Math.round(this.base * (1 + this.o.jitter * this.o.random()));
    this.healthySince = this.o.now() + ms;
    return ms;
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
