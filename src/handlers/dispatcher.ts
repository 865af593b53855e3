/**
 * Turns one queued event into handler runs: every handler in order (see
 * HandlerSet), then the built-in action. The first handler that does not
 * succeed ends the chain, and the retry runs the whole chain again. The
 * action runs under --timeout and the shutdown kill like a handler
 * (action-run.ts); its timeout and kill are reported the same way.
 *
 * Exit codes (see docs/writing-handlers.md):
 *   0                → done;
 *   75 (EX_TEMPFAIL) → temporary failure: retried with backoff, not counted
 *                      against --max-retries;
 *   anything else, a signal, a timeout, or a program that cannot be
 *   started     → failed: retried with backoff, counted.
 */
import type { Fields, Logger } from '../base/logger.js';
import type { Attempt, Outcome } from '../queue/work-queue.js';
import type { WatchEvent } from '../api/types.js';
import { oneLine } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import { handlerEnv, handlerStdin, OUTPUT_ENV, type ContractOptions } from './contract.js';
import { runHandler, type HandlerSpec, type RunResult } from './exec-runner.js';
import type { HandlerSet } from './handler-set.js';
import { runAction, type ActionRun } from './action-run.js';
import type { BoundAction } from './actions/registry.js';
import { secretMask } from '../api/secret-mask.js';
import { OutputFile } from './write-back/output-file.js';
import { parseOutput, type WriteLine } from './write-back/protocol.js';
import type { WriteBackSink } from './write-back/sink.js';
import type { FinalizeStep } from './finalizer.js';
import type { SnapshotDirs } from './snapshot-dir.js';

export const EXIT_TEMPFAIL = 75;

export type RunKind = 'ok' | 'failed' | 'temporary' | 'timeout' | 'killed';

export interface DispatcherOptions {
  handlers: HandlerSet;
  /**
   * The built-in action, if any, bound from the registry (actions/registry.ts):
   * its name labels its runs, it fires on its `on` types, ok=false retries.
   * Run under --timeout like a handler (see action-run.ts).
   */
  action?: BoundAction;
  /** Event types the handlers run on (--on). */
  handlersOn: ReadonlySet<string>;
  contract: ContractOptions;
  log: Logger;
  timeoutMs: number;
  killGraceMs: number;
  /** Aborted when the shutdown grace runs out: running handlers are killed, none is started. */
  kill: AbortSignal;
  maxLineBytes?: number;
  maxOutputBytes?: number;
  onRun?: (handler: string, result: RunKind, seconds: number) => void;
  /**
   * Checked before each handler of the chain and before the action: false
   * (a standby that lost the lease) ends the chain without starting anything
   * more.
   */
  mayStart?: () => boolean;
  /**
   * Where the lines the handlers wrote to CMWATCH_OUTPUT go once the whole
   * chain succeeded (write-back/sink.ts). Undefined: they are still checked,
   * then dropped with a warning.
   */
  writeBack?: WriteBackSink;
  /** --snapshot: each chain gets CMWATCH_SNAPSHOT_DIR, after the caches synced (snapshot-dir.ts). */
  snapshots?: SnapshotDirs;
  /** --finalizer: after a FINALIZE chain, release the finalizer or report the failure (finalizer.ts). */
  finalize?: FinalizeStep;
}

export type Worker = (key: string, ev: WatchEvent, attempt: Attempt) => Promise<Outcome>;

export function makeDispatcher(o: DispatcherOptions): Worker {
  const run = runAll(o);
  if (!o.finalize) return run;
  const finalize = o.finalize;
  return async (key, ev, attempt) => {
    const outcome = await run(key, ev, attempt);
    if (ev.type !== 'FINALIZE') return outcome;
    if (outcome.kind === 'ok') return finalize.release(ev, key, o.kill);
    if (!o.kill.aborted) await finalize.failed(ev, key, outcome.reason, attempt);
    return outcome;
  };
}

/** The handler chain, then the action. */
function runAll(o: DispatcherOptions): Worker {
  return async (key, ev, attempt) => {
    if (o.handlers.configured && o.handlersOn.has(ev.type)) {
      const chain = await runChain(o, key, ev, attempt);
      if (chain.kind !== 'ok') return chain;
    }
    const action = o.action;
    if (action && action.on.has(ev.type)) {
      if (o.kill.aborted) return { kind: 'failed', reason: 'shutting down' };
      if (o.mayStart && !o.mayStart()) return notLeader(o, key, action.name);
      const r = await runAction(action.run, ev, key, { name: action.name, log: o.log, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: o.kill });
      return actionOutcome(o, action.name, key, attempt, r);
    }
    return { kind: 'ok' };
  };
}

/** Every handler in order; the first that does not succeed ends the chain with its outcome. */
async function runChain(o: DispatcherOptions, key: string, ev: WatchEvent, attempt: Attempt): Promise<Outcome> {
  let specs;
  try {
    specs = o.handlers.list();
  } catch (err) {
    o.log.error(`${oneLine(err)}; ${key} will be retried`, { key });
    return { kind: 'failed', reason: oneLine(err) };
  }
  const env = handlerEnv(ev, o.contract, attempt.number);
  let snapshot;
  if (o.snapshots) {
    if (!(await o.snapshots.ready(o.kill))) return { kind: 'failed', reason: 'shutting down' };
    try {
      snapshot = await o.snapshots.take();
    } catch (err) {
      o.log.error(`[snapshot ${key}] could not write the snapshot files: ${oneLine(err)}; ${key} will be retried`, { key });
      return { kind: 'failed', reason: `snapshot: ${oneLine(err)}` };
    }
    env.CMWATCH_SNAPSHOT_DIR = snapshot.dir;
  }
  try {
    return await runSpecs(o, specs, key, ev, attempt, env);
  } finally {
    await snapshot?.release();
  }
}

async function runSpecs(o: DispatcherOptions, specs: HandlerSpec[], key: string, ev: WatchEvent, attempt: Attempt, env: Record<string, string>): Promise<Outcome> {
  const stdin = handlerStdin(ev);
  // A handler that prints the Secret it got must not put its values in cmwatch's log.
  const mask = secretMask(ev.object);
  // What each handler wrote to its CMWATCH_OUTPUT, checked and applied only once all succeeded.
  const written: Array<{ handler: string; text: string }> = [];
  for (const h of specs) {
    if (o.kill.aborted) return { kind: 'failed', reason: 'shutting down' };
    if (o.mayStart && !o.mayStart()) return notLeader(o, key, h.name);
    let out: OutputFile;
    try {
      out = await OutputFile.create();
    } catch (err) {
      o.log.error(`[${h.name} ${key}] cannot create its CMWATCH_OUTPUT file: ${oneLine(err)}; ${key} will be retried`, { key, handler: h.name });
      return { kind: 'failed', reason: `${h.name}: no CMWATCH_OUTPUT` };
    }
    try {
      const r = await runHandler(h, {
        stdin, env: { ...env, [OUTPUT_ENV]: out.path }, key, log: o.log, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: o.kill,
        maxLineBytes: o.maxLineBytes, maxOutputBytes: o.maxOutputBytes, mask,
      });
      const outcome = handlerOutcome(o, h, key, attempt, r);
      if (outcome.kind !== 'ok') return outcome;
      written.push({ handler: h.name, text: await out.read(h.name) });
    } catch (err) {
      o.log.error(oneLine(err), { key, handler: h.name, reason: 'write_back_file' });
      return { kind: 'failed', reason: `${h.name}: CMWATCH_OUTPUT unreadable` };
    } finally {
      await out.remove();
    }
  }
  return writeBack(o, key, ev, written);
}

/** The chain succeeded: every line of every handler's file checked, then handed to the sink (none applied if one is bad). */
async function writeBack(o: DispatcherOptions, key: string, ev: WatchEvent, written: ReadonlyArray<{ handler: string; text: string }>): Promise<Outcome> {
  const lines: WriteLine[] = [];
  try {
    for (const w of written) lines.push(...parseOutput(w.handler, w.text));
  } catch (err) {
    o.log.error(oneLine(err), { key, reason: 'invalid_line' });
    return { kind: 'failed', reason: (err as Error).message };
  }
  if (lines.length === 0) return { kind: 'ok' };
  if (!o.writeBack) {
    o.log.warn(`[write-back ${key}] ${lines.length} line(s) ignored: write-back is not available here`, { key });
    return { kind: 'ok' };
  }
  return o.writeBack.apply(key, ev, lines, o.kill);
}

/** One handler run as a queue outcome, logged and counted. */
function handlerOutcome(o: DispatcherOptions, h: HandlerSpec, key: string, attempt: Attempt, r: RunResult): Outcome {
  // The message names handler and key; JSON logs carry the details as fields.
  const fields = o.log.format === 'json'
    ? { handler: h.name, key, exit: r.code ?? undefined, signal: r.signal ?? undefined, attempt: attempt.number }
    : attempt.number > 1 ? { attempt: attempt.number } : undefined;
  const took = formatDuration(r.durationMs);
  const seconds = r.durationMs / 1000;
  if (r.spawnError) {
    o.onRun?.(h.name, 'failed', seconds);
    o.log.error(`[${h.name} ${key}] could not start ${h.argv[0]}: ${r.spawnError}`, fields);
    return { kind: 'failed', reason: `${h.name}: ${r.spawnError}` };
  }
  if (r.killed) return stopped(o, h.name, key, 'killed', r.durationMs, fields);
  if (r.timedOut) return stopped(o, h.name, key, 'timeout', r.durationMs, fields);
  if (r.code === 0) {
    o.onRun?.(h.name, 'ok', seconds);
    o.log.info(`[${h.name} ${key}] exit 0 in ${took}`, fields);
    return { kind: 'ok' };
  }
  if (r.code === EXIT_TEMPFAIL) {
    o.onRun?.(h.name, 'temporary', seconds);
    o.log.warn(`[${h.name} ${key}] exit ${EXIT_TEMPFAIL} (temporary failure) in ${took}`, fields);
    return { kind: 'temporary', reason: `${h.name} exit ${EXIT_TEMPFAIL}` };
  }
  o.onRun?.(h.name, 'failed', seconds);
  const why = r.code === null ? `signal ${r.signal}` : `exit ${r.code}`;
  o.log.error(`[${h.name} ${key}] ${why} in ${took}`, fields);
  return { kind: 'failed', reason: `${h.name} ${why}` };
}

/** The action's run as a queue outcome: a timeout or a kill is reported like a handler's. */
function actionOutcome(o: DispatcherOptions, name: string, key: string, attempt: Attempt, r: ActionRun): Outcome {
  const seconds = r.durationMs / 1000;
  const fields = o.log.format === 'json' ? { handler: name, key, attempt: attempt.number } : attempt.number > 1 ? { attempt: attempt.number } : undefined;
  if (r.stopped) return stopped(o, name, key, r.stopped, r.durationMs, fields);
  o.onRun?.(name, r.ok ? 'ok' : 'failed', seconds);
  return r.ok ? { kind: 'ok' } : { kind: 'failed', reason: r.reason ?? 'action failed' };
}

/** A handler or the action stopped by cmwatch (--timeout, or the kill at shutdown): logged, counted, failed. */
function stopped(o: DispatcherOptions, name: string, key: string, how: 'killed' | 'timeout', durationMs: number, fields: Fields | undefined): Outcome {
  const took = formatDuration(durationMs);
  o.onRun?.(name, how, durationMs / 1000);
  if (how === 'killed') {
    o.log.error(`[${name} ${key}] killed at shutdown after ${took}`, fields);
    return { kind: 'failed', reason: `${name} killed at shutdown` };
  }
  o.log.error(`[${name} ${key}] timed out after ${took}`, fields);
  return { kind: 'failed', reason: `${name} timed out after ${formatDuration(o.timeoutMs)}` };
}

function notLeader(o: DispatcherOptions, key: string, next: string): Outcome {
  o.log.warn(`[${next} ${key}] not started: this instance is no longer the leader`, { handler: next, key, reason: 'not_leader' });
  return { kind: 'failed', reason: 'not the leader' };
}
