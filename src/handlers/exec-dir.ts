/**
 * `--exec-dir DIR`, run-parts style: every executable file in DIR is a
 * handler, run in name order (plain code-point order, like LC_COLLATE=C).
 * The directory is read again for each event, so handlers can be added or
 * removed while cmwatch runs.
 *
 * Skipped silently: names starting with "." (this also skips the "..data"
 * links of a ConfigMap mounted as a volume) and anything that is not a file
 * (sub-directories). Skipped with a warning, once per file: regular files
 * that are not executable, and files cmwatch may not look at.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CmwatchError, InvalidValueError, oneLine } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { checkExecutable, statFailure } from './executable.js';
import type { HandlerSpec } from './exec-runner.js';

export type ExecDirProblem = 'missing' | 'permission-denied' | 'not-a-directory' | 'unreadable';

/** A handler directory that cannot be used: `reason` says why, `value` is the directory. */
export class ExecDirError extends InvalidValueError {
  constructor(reason: ExecDirProblem, dir: string, message: string, hint: string, cause?: unknown) {
    super(reason, dir, message, hint, cause);
    this.name = 'ExecDirError';
  }
}

/** Checks a handler directory at start-up: it must be a directory cmwatch can read. */
export function checkExecDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch (cause) {
    const why = statFailure(cause);
    if (why === 'missing') throw new ExecDirError(why, dir, `"${dir}" does not exist`, 'give a directory of executable handler files', cause);
    if (why === 'permission-denied') {
      throw new ExecDirError(why, dir, `"${dir}": permission denied`, 'cmwatch\'s user must be able to open it and every folder above it (x permission)', cause);
    }
    throw new ExecDirError(why, dir, `cannot read "${dir}": ${oneLine(cause)}`, 'check the path', cause);
  }
  if (!st.isDirectory()) throw new ExecDirError('not-a-directory', dir, `"${dir}" is not a directory`, 'give a directory of executable handler files');
  try {
    readdirSync(dir);
  } catch (cause) {
    throw new ExecDirError('unreadable', dir, `cannot read "${dir}": ${oneLine(cause)}`, 'check its permissions', cause);
  }
}

export class ExecDir {
  private readonly warned = new Set<string>();

  constructor(readonly dir: string, private readonly log: Logger) {}

  /** The handlers in the directory now, in name order. Throws E_EXEC_DIR if it cannot be read. */
  list(): HandlerSpec[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (cause) {
      throw new CmwatchError('E_EXEC_DIR', `handler directory "${this.dir}" cannot be read: ${oneLine(cause)}`, { cause });
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: HandlerSpec[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(this.dir, name);
      const check = checkExecutable(path);
      if (check === 'ok') {
        this.warned.delete(name);
        out.push({ name, argv: [path] });
      } else if (check === 'not-executable') {
        this.warnOnce(name, `handler directory: skipping ${path}: not executable (chmod +x it to run it)`, 'not_executable');
      } else if (check === 'permission-denied') {
        this.warnOnce(name, `handler directory: skipping ${path}: permission denied`, 'permission_denied');
      }
    }
    return out;
  }

  private warnOnce(name: string, text: string, reason: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.log.warn(text, { handler: name, reason });
  }
}
