/**
 * Typed errors. Every error cmwatch raises on purpose is a CmwatchError with a
 * stable `code`, a one-line message naming the thing and the value, an
 * optional hint, and the original `cause`. Which exit code a code maps to is
 * decided in one table, src/cli/exit-codes.ts.
 */
import { exitCodeFor } from '../cli/exit-codes.js';

export interface CmwatchErrorOptions {
  hint?: string;
  cause?: unknown;
  /**
   * An exit code chosen where the error is raised. Only the reflector and
   * the observability server still pass one; everything else is mapped by
   * its code in src/cli/exit-codes.ts.
   */
  exitCode?: number;
}

export class CmwatchError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly explicitExitCode: number | undefined;

  constructor(code: string, message: string, opts: CmwatchErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CmwatchError';
    this.code = code;
    this.hint = opts.hint;
    this.explicitExitCode = opts.exitCode;
  }

  /** The process exit code this error maps to, from the CLI's table (src/cli/exit-codes.ts). */
  get exitCode(): number {
    return exitCodeFor(this);
  }
}

/** Bad command-line input (code E_USAGE): a bad flag, value or argument. */
export class UsageError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_USAGE', message, { hint, cause });
    this.name = 'UsageError';
  }
}

/**
 * A value that cannot be used (a handler command line, a directory, a URL),
 * reported by the module that checks it without saying where the value came
 * from: the CLI re-words it with the flag's name (src/cli/flag-errors.ts).
 * The code is E_USAGE, like any bad input; `reason` is stable per check and
 * `value` is the offending value.
 */
export class InvalidValueError extends CmwatchError {
  constructor(readonly reason: string, readonly value: string, message: string, hint?: string, cause?: unknown) {
    super('E_USAGE', message, { hint, cause });
    this.name = 'InvalidValueError';
  }
}

/** One line for a human: message, then the hint after a separator. */
export function oneLine(err: unknown): string {
  if (err instanceof CmwatchError) {
    return err.hint ? `${err.message} (hint: ${err.hint})` : err.message;
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${err.message} [${code}]` : err.message;
  }
  return String(err);
}

/** The errno-style code of an error or of any error in its cause chain. */
export function errnoCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
