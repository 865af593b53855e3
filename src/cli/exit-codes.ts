/**
 * The one mapping from a typed error's stable `code` to the process exit
 * code. Errors below cli/ carry a code and their cause, never an exit code;
 * main.ts asks exitCodeFor() when a command fails.
 *
 * The numeric values are the documented ones in src/cli/exit-code-values.ts.
 */
import { ExitCode } from './exit-code-values.js';

export { ExitCode };

/** Codes that are not ExitCode.Failure (1), the default for any other code. */
const BY_CODE: Readonly<Record<string, number>> = {
  /** A bad flag, value or argument (the CLI's own UsageError, and bad values reported by the engine). */
  E_USAGE: ExitCode.Usage,
  // Working out the connection at start: nothing has been started yet.
  E_KUBECONFIG: ExitCode.Usage,
  E_CONNECTION_CONFIG: ExitCode.Usage,
  E_EXEC_PLUGIN: ExitCode.Usage,
  E_CREDENTIAL: ExitCode.Usage,
  /** A 401/403/404 that ended a watch under --exit-on-error (watch/failure.ts PermanentApiError). */
  E_API_PERMANENT: ExitCode.ApiPermanent,
};

/** What an error exits with: its code's entry in the table, else 1. */
export function exitCodeForCode(code: string): number {
  return Object.hasOwn(BY_CODE, code) ? BY_CODE[code]! : ExitCode.Failure;
}

/**
 * What a failed command exits with. `explicit` is an exit code chosen where
 * the error was raised; only the observability server still does that.
 */
export function exitCodeFor(err: { code?: unknown; explicitExitCode?: number }): number {
  if (err.explicitExitCode !== undefined) return err.explicitExitCode;
  return typeof err.code === 'string' ? exitCodeForCode(err.code) : ExitCode.Failure;
}
