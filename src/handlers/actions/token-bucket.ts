/**
 * The restart throttle (--max-restarts-per-minute): a token bucket across
 * all targets. It holds at most `burst` tokens (default 1) and gains one
 * every `windowMs / perWindow`, so N restarts per minute are spaced
 * 60/N seconds apart and any minute holds at most N (+ the burst) of them.
 * perWindow 0: no limit.
 */
import type { Clock } from '../../base/clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly intervalMs: number;

  constructor(private readonly clock: Clock, perWindow: number, windowMs = 60_000, private readonly burst = 1) {
    this.intervalMs = perWindow > 0 ? windowMs / perWindow : 0;
    this.tokens = burst;
    this.last = clock.now();
  }

  get unlimited(): boolean {
    return this.intervalMs === 0;
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
  }

  /** Takes a token if one is there. */
  take(): boolean {
    if (this.unlimited) return true;
    this.refill();
    // A tiny epsilon: fractions of a millisecond lost to floating point must not cost a whole interval.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** How long until a token is there (0: now). */
  waitMs(): number {
    if (this.unlimited) return 0;
    this.refill();
    return this.tokens >= 1 - 1e-9 ? 0 : Math.ceil((1 - this.tokens) * this.intervalMs);
  }
}
