/**
 * Runs one handler program for one event: no shell, the event on stdin, the
 * contract in the environment, output streamed to the log line by line with
 * bounded memory.
 *
 * The handler runs as the leader of its own process group. When its time is
 * up (timeout, or the shutdown grace ran out) the whole group gets SIGTERM,
 * then SIGKILL after killGraceMs (group-terminator.ts). When the handler
 * exits on its own but left processes behind in its group (a `sleep &`),
 * those get the same treatment. A run is over only when the handler and
 * everything in its group are gone and its pipes are closed, so no two runs
 * for one key ever overlap, not even through a grandchild.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Fields, Logger } from '../base/logger.js';
import { formatDuration } from '../base/duration.js';
import { GroupTerminator } from './group-terminator.js';
import { OutputCapture } from './output-capture.js';
import { trackGroup, untrackGroup } from './process-group.js';
import { notStarted, RunOutcome, type RunResult } from './run-outcome.js';

export type { RunResult } from './run-outcome.js';

export interface HandlerSpec {
  /** Short name for logs (the executable's base name). */
  name: string;
  argv: string[];
}

export interface RunOptions {
  stdin: string;
  env: Record<string, string>;
  key: string;
  log: Logger;
  timeoutMs: number;
  killGraceMs: number;
  /** Aborting it kills the run (used when the shutdown grace runs out). */
  kill?: AbortSignal;
  /** Bytes of one output line that are logged (default 8 KiB). */
  maxLineBytes?: number;
  /** Bytes of output per stream and run that are logged (default 1 MiB). */
  maxOutputBytes?: number;
  /** Masks the event's secret values in each logged output line (api/secret-mask.ts). */
  mask?: (line: string) => string;
}

/** How long to wait for the output pipes once every process of the group is gone. */
const PIPE_WAIT_MS = 1000;

/** One started run: the child, its pipes, its group, its timeout and kill signal, until all are done. */
class HandlerRun {
  private readonly outcome: RunOutcome;
  private readonly capture: OutputCapture;
  private readonly group: GroupTerminator | undefined;
  private readonly prefix: string;
  private readonly fields: Fields;
  /** No process of the group is left (true at once when there is no group: the spawn failed). */
  private groupGone: boolean;
  private pipesClosed = false;
  private done = false;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private pipeTimer: NodeJS.Timeout | undefined;
  private readonly onKill = () => this.kill();

  constructor(spec: HandlerSpec, private readonly o: RunOptions, private readonly child: ChildProcess, started: number, private readonly resolve: (r: RunResult) => void) {
    this.outcome = new RunOutcome(started);
    this.prefix = `[${spec.name} ${o.key}]`;
    this.fields = { handler: spec.name, key: o.key };
    const pid = child.pid;
    this.groupGone = pid === undefined;
    if (pid !== undefined) {
      trackGroup(pid);
      this.group = new GroupTerminator(pid, {
        killGraceMs: o.killGraceMs,
        onLeftBehind: () => o.log.warn(`${this.prefix} exited but left processes running in its process group; sending them SIGTERM`, this.fields),
        onStillRunning: () => o.log.warn(`${this.prefix} still running ${formatDuration(o.killGraceMs)} after SIGTERM; sending SIGKILL to its process group`, this.fields),
        onGone: () => this.onGroupGone(),
      });
    }
    this.capture = new OutputCapture(child, { log: o.log, prefix: this.prefix, fields: this.fields, maxLineBytes: o.maxLineBytes, maxOutputBytes: o.maxOutputBytes, mask: o.mask });
  }

  start(): void {
    this.capture.feed(this.o.stdin);
    this.timeoutTimer = setTimeout(() => this.timeOut(), this.o.timeoutMs);
    this.o.kill?.addEventListener('abort', this.onKill, { once: true });
    if (this.o.kill?.aborted) this.onKill();
    this.child.on('error', (e) => {
      // Only a failed spawn has no pid; other errors (a failed kill) are not fatal.
      if (this.group === undefined) {
        this.outcome.spawnError = e.message;
        this.finish();
      }
    });
    this.child.on('exit', (code, signal) => {
      this.outcome.exit = { code, signal };
      clearTimeout(this.timeoutTimer);
      this.group?.leaderExit();
    });
    this.child.on('close', () => {
      this.pipesClosed = true;
      this.finish();
    });
  }

  private timeOut(): void {
    if (this.outcome.exit || this.done) return;
    this.outcome.timedOut = true;
    this.o.log.warn(`${this.prefix} timed out after ${formatDuration(this.o.timeoutMs)}; sending SIGTERM to its process group`, { ...this.fields, reason: 'timeout' });
    this.group?.terminate();
  }

  /** The shutdown grace ran out. */
  private kill(): void {
    if (this.done) return;
    if (!this.outcome.exit) this.outcome.killed = true;
    this.group?.terminate();
  }

  private onGroupGone(): void {
    this.groupGone = true;
    if (!this.pipesClosed) {
      // Everything in the group is gone, yet the pipes are open: a process
      // that left the group (setsid) holds them. Don't wait for it.
      this.pipeTimer = setTimeout(() => {
        this.o.log.warn(`${this.prefix} a process outside the handler's process group still holds its output; no longer reading it`, this.fields);
        this.capture.abandon();
        this.pipesClosed = true;
        this.finish();
      }, PIPE_WAIT_MS);
    }
    this.finish();
  }

  /** Resolves once the spawn failed, or the handler exited, its group is gone and its pipes are closed. */
  private finish(): void {
    if (this.done) return;
    if (!this.outcome.spawnError && (!this.outcome.exit || !this.groupGone || !this.pipesClosed)) return;
    this.done = true;
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.pipeTimer);
    this.group?.dispose();
    this.o.kill?.removeEventListener('abort', this.onKill);
    if (this.group) untrackGroup(this.group.pgid);
    this.capture.end();
    this.resolve(this.outcome.result());
  }
}

export function runHandler(spec: HandlerSpec, o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(spec.argv[0]!, spec.argv.slice(1), { env: o.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  } catch (err) {
    return Promise.resolve(notStarted((err as Error).message));
  }
  return new Promise((resolve) => new HandlerRun(spec, o, child, started, resolve).start());
}
