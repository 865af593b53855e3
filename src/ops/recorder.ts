/**
 * What cmwatch tells its metrics. The rest of cmwatch calls these methods
 * whether or not --metrics-addr was given; without it they do nothing and
 * prom-client is never loaded (src/ops/prometheus.ts is imported only
 * then).
 */
import type { ReflectorStats } from '../watch/reflector.js';
import type { StateReadings } from './state-metrics.js';

export interface QueueReadings {
  /** Work waiting to start. */
  depth(): number;
  /** Changes given up after their retries, so far. */
  givenUp(): number;
  /** With --no-coalesce: keys that fell back to coalescing (--max-pending-per-key), so far. */
  coalesceFallbacks(): number;
}

export interface Recorder {
  /** An event delivered after change detection (SYNC, ADDED, MODIFIED, DELETED). */
  event(type: string): void;
  /** An event delivered but not acted on; change-detection skips are read from the reflectors instead. */
  skipped(reason: string): void;
  /** A finished handler (or action) run: ok, failed, temporary, timeout, killed. */
  handlerRun(handler: string, result: string, seconds: number): void;
  /** This instance acts (the leader, or leader election is off) or not (a standby). */
  leader(on: boolean): void;
  /** A reflector whose counters (skips, restarts, relists) are read at each scrape. */
  reflector(stats: Readonly<ReflectorStats>): void;
  queue(readings: QueueReadings): void;
  /** Whether every watch is established now. */
  watching(read: () => boolean): void;
  /** --state / --resync counters, read at each scrape. */
  state(readings: StateReadings): void;
  /** rollout-restart: restarts waiting (debounce, throttle, retry), read at each scrape. */
  restartsPending(read: () => number): void;
}

export const noRecorder: Recorder = {
  event: () => {},
  skipped: () => {},
  handlerRun: () => {},
  leader: () => {},
  reflector: () => {},
  queue: () => {},
  watching: () => {},
  state: () => {},
  restartsPending: () => {},
};
