/**
 * The one retry/backoff module (reflector, work queue, leader elector):
 *
 * - exponentialDelay(n): the un-jittered delay before retry n, initial ×
 *   factor^(n-1) capped at max; the work queue's per-item rate limiter
 *   (queue/rate-limiter.ts) is built on it;
 * - jittered(ms): a delay stretched by up to a fraction at random; the
 *   elector's acquire retries and every jittered delay here use it;
 * - Backoff: a stateful sequence for one loop (the reflector), client-go's
 *   reflector defaults: 800 ms doubling to a 30 s cap, each delay stretched
 *   by up to `jitter` (25%) at random. It resets after `resetAfterMs` (2
 *   minutes) of health, that is, when that long has passed since the
 *   previous delay ended without a failure;
 * - sleep: a delay that ends early when a signal aborts.
 *
 * No Kubernetes knowledge here.
 */
import { withDefaults } from './options.js';

export interface ExponentialOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per retry (default 2). */
  factor?: number;
}

/** The delay before retry number n (1-based): initialMs × factor^(n-1), capped at maxMs. */
export function exponentialDelay(n: number, o: ExponentialOptions): number {
  return Math.min(o.initialMs * (o.factor ?? 2) ** Math.max(0, n - 1), o.maxMs);
}

/**
 * `ms` stretched by up to `jitter` (a fraction, 0..1 or more) at random:
 * ms × (1 + jitter × random()). Not rounded; with jitter 0 it is `ms` exactly.
 */
export function jittered(ms: number, jitter: number, random: () => number = Math.random): number {
  return jitter === 0 ? ms : ms * (1 + jitter * random());
}

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
    this.o = withDefaults({
      initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.25, resetAfterMs: 120_000,
      now: Date.now, random: Math.random,
    }, opts);
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
    const ms = Math.round(jittered(this.base, this.o.jitter, this.o.random));
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
