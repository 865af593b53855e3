/**
 * Typed errors. Every error cmwatch raises on purpose is a CmwatchError with a
 * stable `code`, a one-line message naming the thing and the value, an
 * optional hint, the process exit code it maps to, and the original `cause`.
 */
import { ExitCode } from './exit-codes.js';

export interface CmwatchErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class CmwatchError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, opts: CmwatchErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CmwatchError';
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? ExitCode.Failure;
  }
}

/** Bad command-line input: exit 2. */
export class UsageError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_USAGE', message, { hint, cause, exitCode: ExitCode.Usage });
    this.name = 'UsageError';
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
