/**
 * Liveness: the event loop is responsive. A heartbeat timer ticks every
 * second; the process is live while the last tick is recent and the last
 * tick was not itself late by more than the threshold. (A loop blocked
 * outright cannot answer the probe at all: the probe's own timeout catches
 * that.)
 */
import { performance } from 'node:perf_hooks';

export const HEARTBEAT_MS = 1000;
/** A loop this late is not responsive. */
export const LOOP_STALL_MS = 5000;

export interface LivenessCheck {
  live: boolean;
  /** How late the last heartbeat was, ms. */
  lagMs: number;
  reason?: string;
}

export class Liveness {
  private lastTick = performance.now();
  private lastLag = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly thresholdMs = LOOP_STALL_MS) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLag = Math.max(0, now - this.lastTick - HEARTBEAT_MS);
      this.lastTick = now;
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  check(): LivenessCheck {
    const since = performance.now() - this.lastTick;
    const lagMs = Math.max(this.lastLag, since - HEARTBEAT_MS);
    if (lagMs > this.thresholdMs) return { live: false, lagMs, reason: `event loop late by ${Math.round(lagMs)} ms` };
    return { live: true, lagMs };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
