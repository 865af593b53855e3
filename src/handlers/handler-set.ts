/**
 * The handlers that run for each event, in order: every --exec handler in
 * the order given, then the files of --exec-dir in name order.
 */
import type { Logger } from '../base/logger.js';
import { ExecDir } from './exec-dir.js';
import type { HandlerSpec } from './exec-runner.js';

export class HandlerSet {
  private readonly dir: ExecDir | undefined;

  constructor(private readonly execs: readonly HandlerSpec[], execDir: string | undefined, log: Logger) {
    this.dir = execDir === undefined ? undefined : new ExecDir(execDir, log);
  }

  /** True when handlers are configured at all (the directory may still be empty). */
  get configured(): boolean {
    return this.execs.length > 0 || this.dir !== undefined;
  }

  get execDir(): string | undefined {
    return this.dir?.dir;
  }

  /** The handlers for one event, in run order; reads --exec-dir afresh. */
  list(): HandlerSpec[] {
    return this.dir ? [...this.execs, ...this.dir.list()] : [...this.execs];
  }
}
