/**
 * --resync DURATION: every period, each key once, spread evenly over the
 * period (key i of n at start + i × period / n), never as a burst.
 *
 * - A key with work pending (queued, running, waiting for a retry) is
 *   skipped: the work going on covers it (coalesced).
 * - While any work waits to start (a MODIFIED queued), the pacer holds:
 *   a resync never goes ahead of a change. When it resumes it re-anchors,
 *   so the keys held back are not then delivered at once.
 * - While not acting (a standby), it delivers nothing.
 * The clock and the sleep are injected for tests.
 */
import { sleep as realSleep } from '../base/backoff.js';

export interface ResyncPacerOptions {
  periodMs: number;
  /** The keys to resync this period (read at its start). */
  keys: () => readonly string[];
  /** Delivers one key again as SYNC (the key may be gone by then: it returns false). */
  deliver: (key: string) => boolean;
  /** Whether this key has work pending. */
  busy: (key: string) => boolean;
  /** Whether any work waits to start. */
  waiting: () => boolean;
  /** Whether this instance acts (leader). */
  acting: () => boolean;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often to look again while held back (default 100 ms, at most the key interval). */
  pollMs?: number;
}

export interface ResyncStats {
  delivered: number;
  coalesced: number;
  periods: number;
}

export class ResyncPacer {
  readonly stats: ResyncStats = { delivered: 0, coalesced: 0, periods: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly o: ResyncPacerOptions) {
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.period(signal);
    }
  }

  /** One period: waits a whole period when there is nothing to resync. */
  async period(signal: AbortSignal): Promise<void> {
    const keys = this.o.keys();
    this.stats.periods++;
    const start = this.now();
    if (keys.length === 0) {
      await this.sleep(this.o.periodMs, signal);
      return;
    }
    const interval = this.o.periodMs / keys.length;
    const poll = Math.max(1, Math.min(this.o.pollMs ?? 100, interval));
    let anchor = start;
    for (let i = 0; i < keys.length; i++) {
      const due = anchor + (i + 1) * interval;
      const wait = due - this.now();
      if (wait > 0) await this.sleep(wait, signal);
      if (signal.aborted) return;
      let held = false;
      while ((this.o.waiting() || !this.o.acting()) && !signal.aborted) {
        held = true;
        await this.sleep(poll, signal);
      }
      if (signal.aborted) return;
      // Held back: the rest of the keys keep their spacing from now on.
      if (held) anchor = this.now() - (i + 1) * interval;
      const key = keys[i]!;
      if (this.o.busy(key)) {
        this.stats.coalesced++;
        continue;
      }
      if (this.o.deliver(key)) this.stats.delivered++;
    }
  }
}
