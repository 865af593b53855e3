/** Documented process exit codes (see README, "Exit codes"). */
export const ExitCode = {
  /** Clean run or clean shutdown (SIGINT/SIGTERM with handlers drained). */
  Ok: 0,
  /** Unexpected runtime failure. */
  Failure: 1,
  /**
   * Usage error: bad flag, value or argument; nothing was started.
   * `cmwatch replay`: also when malformed input lines were skipped (and
   * nothing worse happened).
   */
  Usage: 2,
  /** The API refused permanently (401/403/404) and --exit-on-error was given. */
  ApiPermanent: 3,
  /** Shutdown had to kill running handlers after --shutdown-grace. */
  HandlersKilled: 4,
  /**
   * `cmwatch replay`: at least one event's handler finally failed (given up
   * after its retries). Replay's precedence: 4, then 1, then 5, then 2.
   */
  HandlerFailed: 5,
} as const;
