/**
 * The process exit codes (see README, "Exit codes") and the one mapping from
 * a typed error's stable `code` to them. Errors below cli/ carry a code and
 * their cause, never an exit code: the CLI asks exitCodeFor() when an error
 * reaches it (main.ts for a failed command, reflectors.ts for a reflector
 * that gave up), which also records the answer on the error as `exitCode`.
 */

/** Documented process exit codes. */
export const ExitCode = {
  /** Clean run or clean shutdown (SIGINT/SIGTERM with handlers drained). */
  Ok: 0,
  /** Unexpected runtime failure. */
  Failure: 1,
  /**
   * Usage error: bad flag, value or argument; nothing was started (or the
   * API server refused --field-selector or --selector on a list or watch).
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

/** Codes that are not ExitCode.Failure (1), the default for any other code. */
const BY_CODE: Readonly<Record<string, number>> = {
  /** A bad flag, value or argument (the CLI's own UsageError, and bad values reported by the engine). */
  E_USAGE: ExitCode.Usage,
  // Working out the connection at start: nothing has been started yet.
  E_KUBECONFIG: ExitCode.Usage,
  E_CONNECTION_CONFIG: ExitCode.Usage,
  E_EXEC_PLUGIN: ExitCode.Usage,
  E_CREDENTIAL: ExitCode.Usage,
  /** A health or metrics listener that cannot be opened (src/ops/health-server.ts): nothing has started. */
  E_LISTEN: ExitCode.Usage,
  /** A RESOURCE that does not name one watchable resource (src/api/resource-name-errors.ts). */
  E_RESOURCE_AMBIGUOUS: ExitCode.Usage,
  E_RESOURCE_NOT_WATCHABLE: ExitCode.Usage,
  E_RESOURCE_UNKNOWN: ExitCode.Usage,
  /** The API server refused --field-selector or --selector (a 400 on the list or watch): a bad flag value, found late. */
  E_SELECTOR_REJECTED: ExitCode.Usage,
  /**
   * The API refused permanently. Only a reflector run with --exit-on-error
   * stops on these (every other reader retries or logs them), so reaching
   * the CLI means exit 3.
   */
  API_401: ExitCode.ApiPermanent,
  API_403: ExitCode.ApiPermanent,
  API_404: ExitCode.ApiPermanent,
};

/** What an error of this code exits with: its entry in the table, else 1. */
export function exitCodeForCode(code: string): number {
  return Object.hasOwn(BY_CODE, code) ? BY_CODE[code]! : ExitCode.Failure;
}

/**
 * What a failed command exits with: the table's entry for the error's code,
 * else 1. The answer is recorded on the error (`exitCode`, a plain data
 * property that only this function sets) for whoever handles it next.
 */
export function exitCodeFor(err: unknown): number {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  const exit = typeof code === 'string' ? exitCodeForCode(code) : ExitCode.Failure;
  if (err !== null && typeof err === 'object' && 'exitCode' in err) (err as { exitCode?: number }).exitCode = exit;
  return exit;
}
