/**
 * Runs one handler program for one event: no shell, the event on stdin, the
 * contract in the environment, output streamed to the log line by line.
 * The handler runs in its own process group so that a timeout or a forced
 * shutdown kills its whole tree: SIGTERM, then SIGKILL after killGraceMs.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../util/log.js';
import { formatDuration } from '../util/duration.js';
import { LineSplitter } from './line-splitter.js';

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
  maxLineBytes?: number;
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  killed: boolean;
  durationMs: number;
  /** Set when the program could not be started at all. */
  spawnError?: string;
}

export function runHandler(spec: HandlerSpec, o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), {
        env: o.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      resolve({ code: null, signal: null, timedOut: false, killed: false, durationMs: 0, spawnError: (err as Error).message });
      return;
    }
    const prefix = `[${spec.name} ${o.key}]`;
    const out = new LineSplitter({ emit: (l) => o.log.info(`${prefix} ${l}`, { handler: spec.name, key: o.key, stream: 'stdout' }), maxLine: o.maxLineBytes, maxTotal: o.maxOutputBytes });
    const err = new LineSplitter({ emit: (l) => o.log.info(`${prefix} ${l}`, { handler: spec.name, key: o.key, stream: 'stderr' }), maxLine: o.maxLineBytes, maxTotal: o.maxOutputBytes });
    child.stdout!.on('data', (c: Buffer) => out.write(c));
    child.stderr!.on('data', (c: Buffer) => err.write(c));
    // A handler that does not read stdin closes the pipe: EPIPE is not an error.
    child.stdin!.on('error', () => {});
    child.stdin!.end(o.stdin);

    let timedOut = false;
    let killed = false;
    let spawnError: string | undefined;
    let exited = false;
    let termTimer: NodeJS.Timeout | undefined;
    const pid = child.pid;
    const killGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      try { process.kill(-pid, sig); } catch { /* already gone */ }
    };
    const escalate = () => {
      killGroup('SIGTERM');
      termTimer = setTimeout(() => killGroup('SIGKILL'), o.killGraceMs);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      o.log.warn(`${prefix} timed out after ${formatDuration(o.timeoutMs)}; sending SIGTERM to its process group`, { handler: spec.name, key: o.key, reason: 'timeout' });
      escalate();
    }, o.timeoutMs);
    const onKill = () => {
      if (exited) return;
      killed = true;
      escalate();
    };
    o.kill?.addEventListener('abort', onKill, { once: true });
    if (o.kill?.aborted) onKill();

    child.on('error', (e) => { spawnError = e.message; });
    let result: Omit<RunResult, 'durationMs'> | undefined;
    let finished = false;
    const finish = () => {
      if (finished || !result) return;
      finished = true;
      clearTimeout(timer);
      if (termTimer) clearTimeout(termTimer);
      o.kill?.removeEventListener('abort', onKill);
      out.end();
      err.end();
      resolve({ ...result, durationMs: Date.now() - started });
    };
    child.on('exit', (code, signal) => {
      exited = true;
      result = { code, signal, timedOut, killed, spawnError };
      // Grandchildren that keep the pipes open are killed once the handler is gone
      // (or immediately when the run was timed out or killed).
      if (timedOut || killed) killGroup('SIGKILL');
      setTimeout(() => {
        if (finished) return;
        o.log.warn(`${prefix} left background processes holding its output; terminating its process group`, { handler: spec.name, key: o.key });
        killGroup('SIGTERM');
        setTimeout(() => { killGroup('SIGKILL'); finish(); }, Math.min(o.killGraceMs, 2000)).unref();
      }, 1000).unref();
    });
    child.on('close', (code, signal) => {
      result ??= { code, signal, timedOut, killed, spawnError };
      if (spawnError) result.spawnError = spawnError;
      finish();
    });
  });
}
