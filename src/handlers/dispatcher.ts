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
import type { Logger } from '../ops/log.js';
import type { Attempt, Outcome } from '../queue/work-queue.js';
import type { WatchEvent } from '../api/types.js';
import { oneLine } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import { handlerEnv, handlerStdin, type ContractOptions } from './contract.js';
import { runHandler } from './exec-runner.js';
import type { HandlerSet } from './handler-set.js';
import { runAction, type Action, type ActionRun } from './action-run.js';

export const EXIT_TEMPFAIL = 75;

export type RunKind = 'ok' | 'failed' | 'temporary' | 'timeout' | 'killed';

export interface DispatcherOptions {
  handlers: HandlerSet;
  /** The built-in action, if any; returns ok=false to retry. Run under --timeout like a handler (see action-run.ts). */
  action?: Action;
  /** Event types the handlers run on (--on). */
  handlersOn: ReadonlySet<string>;
  /** Event types the action fires on. */
  actionOn: ReadonlySet<string>;
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
}

/** The `handler` label of the built-in action's runs. */
export const ACTION_HANDLER_NAME = 'delete-pods';

export type Worker = (key: string, ev: WatchEvent, attempt: Attempt) => Promise<Outcome>;

export function makeDispatcher(o: DispatcherOptions): Worker {
  return async (key, ev, attempt) => {
    if (o.handlers.configured && o.handlersOn.has(ev.type)) {
      let specs;
      try {
        specs = o.handlers.list();
      } catch (err) {
        o.log.error(`${oneLine(err)}; ${key} will be retried`, { key });
        return { kind: 'failed', reason: oneLine(err) };
      }
      const env = handlerEnv(ev, o.contract, attempt.number);
      const stdin = handlerStdin(ev);
      for (const h of specs) {
        if (o.kill.aborted) return { kind: 'failed', reason: 'shutting down' };
        if (o.mayStart && !o.mayStart()) return notLeader(o, key, h.name);
        const r = await runHandler(h, {
          stdin, env, key, log: o.log, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: o.kill,
          maxLineBytes: o.maxLineBytes, maxOutputBytes: o.maxOutputBytes,
        });
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
        if (r.killed) {
          o.onRun?.(h.name, 'killed', seconds);
          o.log.error(`[${h.name} ${key}] killed at shutdown after ${took}`, fields);
          return { kind: 'failed', reason: `${h.name} killed at shutdown` };
        }
        if (r.timedOut) {
          o.onRun?.(h.name, 'timeout', seconds);
          o.log.error(`[${h.name} ${key}] timed out after ${took}`, fields);
          return { kind: 'failed', reason: `${h.name} timed out after ${formatDuration(o.timeoutMs)}` };
        }
        if (r.code === 0) {
          o.onRun?.(h.name, 'ok', seconds);
          o.log.info(`[${h.name} ${key}] exit 0 in ${took}`, fields);
          continue;
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
    }
    if (o.action && o.actionOn.has(ev.type)) {
      if (o.kill.aborted) return { kind: 'failed', reason: 'shutting down' };
      if (o.mayStart && !o.mayStart()) return notLeader(o, key, ACTION_HANDLER_NAME);
      const r = await runAction(o.action, ev, key, { name: ACTION_HANDLER_NAME, log: o.log, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: o.kill });
      return actionOutcome(o, key, attempt, r);
    }
    return { kind: 'ok' };
  };
}

/** The action's run as a queue outcome: a timeout or a kill is reported like a handler's. */
function actionOutcome(o: DispatcherOptions, key: string, attempt: Attempt, r: ActionRun): Outcome {
  const name = ACTION_HANDLER_NAME;
  const seconds = r.durationMs / 1000;
  const fields = o.log.format === 'json' ? { handler: name, key, attempt: attempt.number } : attempt.number > 1 ? { attempt: attempt.number } : undefined;
  if (r.stopped === 'killed') {
    o.onRun?.(name, 'killed', seconds);
    o.log.error(`[${name} ${key}] killed at shutdown after ${formatDuration(r.durationMs)}`, fields);
    return { kind: 'failed', reason: `${name} killed at shutdown` };
  }
  if (r.stopped === 'timeout') {
    o.onRun?.(name, 'timeout', seconds);
    o.log.error(`[${name} ${key}] timed out after ${formatDuration(r.durationMs)}`, fields);
    return { kind: 'failed', reason: `${name} timed out after ${formatDuration(o.timeoutMs)}` };
  }
  o.onRun?.(name, r.ok ? 'ok' : 'failed', seconds);
  return r.ok ? { kind: 'ok' } : { kind: 'failed', reason: r.reason ?? 'action failed' };
}

function notLeader(o: DispatcherOptions, key: string, next: string): Outcome {
  o.log.warn(`[${next} ${key}] not started: this instance is no longer the leader`, { handler: next, key, reason: 'not_leader' });
  return { kind: 'failed', reason: 'not the leader' };
}
