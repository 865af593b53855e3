/**
 * Per-key debounce (--debounce): changes for one key that arrive within the
 * window of each other are merged into one, released `windowMs` after the
 * last of them. A key that keeps changing is released at the latest
 * MAX_WAIT_WINDOWS windows after its first change, so it is never starved.
 */
import type { Clock } from '../../base/clock.js';

/** A key changing all the time is still released after this many windows. */
export const MAX_WAIT_WINDOWS = 5;

interface Waiting<V> {
  value: V;
  first: number;
  timer: unknown;
}

export class Debouncer<V> {
  private readonly waiting = new Map<string, Waiting<V>>();

  /**
   * `release` gets each key's merged value when its window ends; `merge`
   * folds a new change into the waiting one.
   */
  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly merge: (waiting: V, next: V) => V,
    private readonly release: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  keys(): string[] {
    return [...this.waiting.keys()];
  }

  /** Adds a change for `key`; with a window of 0 it is released at once. */
  add(key: string, value: V): void {
    if (this.windowMs <= 0) {
      this.release(key, value);
      return;
    }
    const now = this.clock.now();
    const w = this.waiting.get(key);
    if (w) this.clock.clearTimeout(w.timer);
    const entry: Waiting<V> = w ? { value: this.merge(w.value, value), first: w.first, timer: undefined } : { value, first: now, timer: undefined };
    const due = Math.min(now + this.windowMs, entry.first + MAX_WAIT_WINDOWS * this.windowMs);
    entry.timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.release(key, entry.value);
    }, due - now);
    this.waiting.set(key, entry);
  }

  /** Forgets everything waiting (shutdown); returns the keys dropped. */
  clear(): string[] {
    const keys = this.keys();
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    return keys;
  }
}
