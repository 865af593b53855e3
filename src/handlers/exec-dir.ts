/**
 * `--exec-dir DIR`, run-parts style: every executable file in DIR is a
 * handler, run in name order (plain code-point order, like LC_COLLATE=C).
 * The directory is read again for each event, so handlers can be added or
 * removed while cmwatch runs.
 *
 * Skipped silently: names starting with "." (this also skips the "..data"
 * links of a ConfigMap mounted as a volume) and anything that is not a file
 * (sub-directories). Skipped with a warning, once per file: regular files
 * that are not executable.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, CmwatchError, oneLine } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { checkExecutable } from './executable.js';
import type { HandlerSpec } from './exec-runner.js';

/** Validates --exec-dir at start-up: it must be a readable directory. */
export function checkExecDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--exec-dir: "${dir}" does not exist`, 'give a directory of executable handler files, e.g. --exec-dir ./handlers.d');
  }
  if (!st.isDirectory()) throw new UsageError(`--exec-dir: "${dir}" is not a directory`, 'give a directory; for one program use --exec');
  try {
    readdirSync(dir);
  } catch (cause) {
    throw new UsageError(`--exec-dir: cannot read "${dir}": ${oneLine(cause)}`, 'check its permissions', cause);
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
      throw new CmwatchError('E_EXEC_DIR', `--exec-dir: cannot read "${this.dir}": ${oneLine(cause)}`, { cause });
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
      } else if (check === 'not-executable' && !this.warned.has(name)) {
        this.warned.add(name);
        this.log.warn(`--exec-dir: skipping ${path}: not executable (chmod +x it to run it)`, { handler: name, reason: 'not_executable' });
      }
    }
    return out;
  }
}
