/**
 * Paces replayed events at a fixed rate (events per second): event n is
 * released at start + n/rate, so a slow consumer does not make later
 * events bunch up beyond the rate. Without a rate, events go at full speed.
 */
import { sleep } from '../base/backoff.js';

export class Pacer {
  private start: number | undefined;
  private n = 0;

  constructor(
    private readonly ratePerSecond: number | undefined,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {}

  /** Resolves when the next event is due (at once for the first, or when aborted). */
  async next(signal?: AbortSignal): Promise<void> {
    if (this.ratePerSecond === undefined) return;
    const now = this.now();
    this.start ??= now;
    const due = this.start + (this.n * 1000) / this.ratePerSecond;
    this.n++;
    if (due > now) await this.wait(due - now, signal);
  }
}
