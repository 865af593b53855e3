/**
 * The handler engine's defaults, written once: the engine fills what it is
 * not given from here, and the CLI's flags take their defaults (help text
 * included) from here. The queue's own defaults live in queue/defaults.ts
 * and are re-exported under the engine's names.
 */
import type { EventType } from '../api/types.js';
import { QUEUE_DEFAULTS } from '../queue/defaults.js';

export interface HandlerDefaults {
  /** Event types that run handlers (--on). */
  on: readonly EventType[];
  /** Per handler run (--timeout). */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL (--kill-grace). */
  killGraceMs: number;
  /** How long running handlers may finish at shutdown (--shutdown-grace). */
  shutdownGraceMs: number;
  concurrency: number;
  coalesce: boolean;
  maxRetries: number;
  maxPendingPerKey: number;
  /** First retry delay, doubling with each retry (--retry-base, hidden). */
  retryBaseMs: number;
  /** Retry delay cap (--retry-max, hidden). */
  retryMaxMs: number;
}

export const HANDLER_DEFAULTS: Readonly<HandlerDefaults> = Object.freeze({
  on: Object.freeze(['MODIFIED'] as EventType[]),
  timeoutMs: 60_000,
  killGraceMs: 5_000,
  shutdownGraceMs: 30_000,
  concurrency: QUEUE_DEFAULTS.concurrency,
  coalesce: QUEUE_DEFAULTS.coalesce,
  maxRetries: QUEUE_DEFAULTS.maxRetries,
  maxPendingPerKey: QUEUE_DEFAULTS.maxPendingPerKey,
  retryBaseMs: QUEUE_DEFAULTS.baseDelayMs,
  retryMaxMs: QUEUE_DEFAULTS.maxDelayMs,
});
