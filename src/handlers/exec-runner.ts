/**
 * Runs one handler program for one event: no shell, the event on stdin, the
 * contract in the environment, output streamed to the log line by line with
 * bounded memory.
 *
 * The handler runs as the leader of its own process group. When its time is
 * up (timeout, or the shutdown grace ran out) the whole group gets SIGTERM,
 * then SIGKILL after killGraceMs. When the handler exits on its own but left
 * processes behind in its group (a `sleep &`), those get the same treatment.
 * A run is over only when the handler and everything in its group are gone,
 * so no two runs for one key ever overlap, not even through a grandchild.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../util/log.js';
import { formatDuration } from '../util/duration.js';
import { LineSplitter } from './line-splitter.js';
import { groupAlive, signalGroup, trackGroup, untrackGroup } from './process-group.js';

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
}

export interface RunResult {
  /** The handler's exit code; null when it was ended by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Killed because the shutdown grace ran out. */
  killed: boolean;
  durationMs: number;
  /** Set when the program could not be started at all. */
  spawnError?: string;
}

/** How often a group that is being terminated is checked. */
const POLL_MS = 25;
/** How long to wait for the output pipes once every process of the group is gone. */
const PIPE_WAIT_MS = 1000;

export function runHandler(spec: HandlerSpec, o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const prefix = `[${spec.name} ${o.key}]`;
  const fields = { handler: spec.name, key: o.key };
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), { env: o.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({ code: null, signal: null, timedOut: false, killed: false, durationMs: 0, spawnError: (err as Error).message });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);

    // The prefix names handler and key; JSON logs carry them as fields too.
    const json = o.log.format === 'json';
    const out = new LineSplitter({ emit: (l) => o.log.info(`${prefix} ${l}`, json ? { ...fields, stream: 'stdout' } : undefined), maxLine: o.maxLineBytes, maxTotal: o.maxOutputBytes });
    const err = new LineSplitter({ emit: (l) => o.log.info(`${prefix} ${l}`, json ? { ...fields, stream: 'stderr' } : undefined), maxLine: o.maxLineBytes, maxTotal: o.maxOutputBytes });
    child.stdout!.on('data', (c: Buffer) => out.write(c));
    child.stderr!.on('data', (c: Buffer) => err.write(c));
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    // A handler that does not read stdin closes the pipe: EPIPE is not an error.
    child.stdin!.on('error', () => {});
    child.stdin!.end(o.stdin);

    let timedOut = false;
    let killed = false;
    let spawnError: string | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let groupGone = pid === undefined;
    let pipesClosed = false;
    let terminating = false;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let pollTimer: NodeJS.Timeout | undefined;
    let pipeTimer: NodeJS.Timeout | undefined;

    const finish = () => {
      if (done) return;
      if (!spawnError && (!exit || !groupGone || !pipesClosed)) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(pollTimer);
      clearTimeout(pipeTimer);
      o.kill?.removeEventListener('abort', onKill);
      if (pid !== undefined) untrackGroup(pid);
      out.end();
      err.end();
      resolve({
        code: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, killed,
        durationMs: Date.now() - started, ...(spawnError ? { spawnError } : {}),
      });
    };

    /** After the leader exited: wait until nothing of the group is left. */
    const watchGroup = () => {
      clearTimeout(pollTimer);
      if (done || groupGone || pid === undefined) return;
      if (!groupAlive(pid)) {
        groupGone = true;
        onGroupGone();
        return;
      }
      pollTimer = setTimeout(watchGroup, POLL_MS);
    };

    const onGroupGone = () => {
      clearTimeout(killTimer);
      if (!pipesClosed) {
        // Everything in the group is gone, yet the pipes are open: a process
        // that left the group (setsid) holds them. Don't wait for it.
        pipeTimer = setTimeout(() => {
          o.log.warn(`${prefix} a process outside the handler's process group still holds its output; no longer reading it`, fields);
          child.stdout?.destroy();
          child.stderr?.destroy();
          pipesClosed = true;
          finish();
        }, PIPE_WAIT_MS);
      }
      finish();
    };

    const terminate = () => {
      if (terminating || pid === undefined) return;
      terminating = true;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (done) return;
        if (groupAlive(pid)) {
          o.log.warn(`${prefix} still running ${formatDuration(o.killGraceMs)} after SIGTERM; sending SIGKILL to its process group`, fields);
        }
        signalGroup(pid, 'SIGKILL');
        if (exit) {
          groupGone = true;
          onGroupGone();
        }
      }, o.killGraceMs);
    };

    const timer = setTimeout(() => {
      if (exit || done) return;
      timedOut = true;
      o.log.warn(`${prefix} timed out after ${formatDuration(o.timeoutMs)}; sending SIGTERM to its process group`, { ...fields, reason: 'timeout' });
      terminate();
    }, o.timeoutMs);

    const onKill = () => {
      if (done) return;
      if (!exit) killed = true;
      terminate();
    };
    o.kill?.addEventListener('abort', onKill, { once: true });
    if (o.kill?.aborted) onKill();

    child.on('error', (e) => {
      // Only a failed spawn has no pid; other errors (a failed kill) are not fatal.
      if (pid === undefined) {
        spawnError = e.message;
        finish();
      }
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      if (pid === undefined) return;
      if (groupAlive(pid)) {
        if (!terminating) {
          o.log.warn(`${prefix} exited but left processes running in its process group; sending them SIGTERM`, fields);
          terminate();
        }
        watchGroup();
      } else {
        groupGone = true;
        onGroupGone();
      }
    });
    child.on('close', () => {
      pipesClosed = true;
      finish();
    });
  });
}
