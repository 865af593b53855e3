/**
 * Typed errors. Every error cmwatch raises on purpose is a CmwatchError with a
 * stable `code`, a one-line message naming the thing and the value, an
 * optional hint, and the original `cause`. No error chooses an exit code:
 * the CLI maps codes to exit codes in one table (src/cli/exit-codes.ts).
 */

export interface CmwatchErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class CmwatchError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  /**
   * The process exit code, recorded by the CLI's mapping (exitCodeFor in
   * src/cli/exit-codes.ts) when the error reaches the CLI; undefined until
   * then. Nothing below cli/ sets or reads it.
   */
  exitCode: number | undefined = undefined;

  constructor(code: string, message: string, opts: CmwatchErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CmwatchError';
    this.code = code;
    this.hint = opts.hint;
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
