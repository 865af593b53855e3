/** What the work queue's users see: a run's outcome, its attempt, the stats. */

/** What a run reports back. */
export type Outcome =
  | { kind: 'ok' }
  /** Failed: retry with backoff, counting against maxRetries. */
  | { kind: 'failed'; reason: string }
  /** Temporary failure: retry with backoff without counting. */
  | { kind: 'temporary'; reason: string };

export interface Attempt {
  /** 1 for the first run of an item, 2 for its first retry, ... */
  number: number;
  /** Counted failures so far. */
  failures: number;
}

export interface DrainResult {
  /** Keys whose run was still going when the grace period ended. */
  running: string[];
  /** Keys with work that never started (waiting, or waiting for a retry). */
  dropped: string[];
}

export interface QueueStats {
  added: number;
  runs: number;
  ok: number;
  failed: number;
  retries: number;
  givenUp: number;
  coalesced: number;
  superseded: number;
  /** With coalescing off: times a key's backlog reached maxPendingPerKey and the key fell back to coalescing. */
  coalesceFallbacks: number;
}
