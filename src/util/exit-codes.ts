/** Documented process exit codes (see README, "Exit codes"). */
export const ExitCode = {
  /** Clean run or clean shutdown (SIGINT/SIGTERM with handlers drained). */
  Ok: 0,
  /** Unexpected runtime failure. */
  Failure: 1,
  /** Usage error: bad flag, value or argument. Nothing was started. */
  Usage: 2,
  /** The API refused permanently (401/403/404) and --exit-on-error was given. */
  ApiPermanent: 3,
  /** Shutdown had to kill running handlers after --shutdown-grace. */
  HandlersKilled: 4,
  /** `cmwatch replay`: at least one handler run finally failed. */
  HandlerFailed: 5,
} as const;
