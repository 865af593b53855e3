/**
 * CMWATCH_OUTPUT: each handler run gets the path of an empty file in a
 * private directory of its own (mode 0700 under the system's temp dir), read
 * once the run is over and removed with its directory right after, whatever
 * the outcome.
 *
 * The file is read only if it is still a regular file (not a link the
 * handler put in its place) and at most MAX_OUTPUT_BYTES long.
 */
import { mkdtemp, lstat, open, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CmwatchError, oneLine } from '../../base/errors.js';

/** More write-back than anyone means: 16 MiB per run. */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The handler's CMWATCH_OUTPUT could not be used: nothing of the run is applied. */
export class WriteBackFileError extends CmwatchError {
  constructor(readonly handler: string, why: string, cause?: unknown) {
    super('E_WRITE_BACK_FILE', `write-back: ${handler} CMWATCH_OUTPUT ${why}; nothing was applied`, {
      hint: 'append JSON lines to the file at $CMWATCH_OUTPUT; do not replace or remove it', cause,
    });
    this.name = 'WriteBackFileError';
  }
}

export class OutputFile {
  private constructor(readonly dir: string, readonly path: string) {}

  /** A fresh private directory with an empty file in it. */
  static async create(): Promise<OutputFile> {
    const dir = await mkdtemp(join(tmpdir(), 'cmwatch-out-'));
    const path = join(dir, 'output.jsonl');
    const fh = await open(path, 'wx', 0o600);
    await fh.close();
    return new OutputFile(dir, path);
  }

  /** What the handler wrote ('' if nothing); throws WriteBackFileError if it cannot be read as it should be. */
  async read(handler: string): Promise<string> {
    let st;
    try {
      st = await lstat(this.path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new WriteBackFileError(handler, `cannot be read: ${oneLine(cause)}`, cause);
    }
    if (!st.isFile()) throw new WriteBackFileError(handler, 'is no longer a regular file');
    if (st.size > MAX_OUTPUT_BYTES) throw new WriteBackFileError(handler, `has ${st.size} bytes, more than the ${MAX_OUTPUT_BYTES} allowed`);
    try {
      return await readFile(this.path, 'utf8');
    } catch (cause) {
      throw new WriteBackFileError(handler, `cannot be read: ${oneLine(cause)}`, cause);
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
