/**
 * Time as the schedulers see it (the restart debounce and throttle): the
 * system clock in production, a fake one in tests, so that a five-minute
 * spread is checked without waiting five minutes.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
