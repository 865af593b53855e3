/**
 * The leader election's timings and their defaults (client-go's): apart from
 * the elector so that the CLI's flag parsing, which --help and --version run,
 * does not load the elector, the Lease lock and the HTTP paths behind them.
 */
export interface ElectorTimings {
  /** How long a standby waits, after it last saw the record change, before taking a Lease over. */
  leaseDurationMs: number;
  /** How long a leader keeps retrying a renewal before it gives up leadership. */
  renewDeadlineMs: number;
  /** The interval between attempts to acquire or renew. */
  retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: ElectorTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
