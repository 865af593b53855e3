/**
 * Turns one queued event into handler runs: every --exec handler in order,
 * then the built-in action. Maps exit codes to queue outcomes:
 *   0 → done; 75 (EX_TEMPFAIL) → retry without counting; any other → retry.
 */
import type { Logger } from '../util/log.js';
import type { Outcome } from '../queue/work-queue.js';
import type { WatchEvent } from '../watch/types.js';
import { handlerEnv, handlerStdin, type ContractOptions } from './contract.js';
import { runHandler, type HandlerSpec } from './exec-runner.js';
import { formatDuration } from '../util/duration.js';

export const EXIT_TEMPFAIL = 75;

export interface DispatcherOptions {
  handlers: HandlerSpec[];
  /** The built-in action, if any; returns ok=false to retry. */
  action?: (ev: WatchEvent, key: string) => Promise<{ ok: boolean; reason?: string }>;
  /** Event types the --exec handlers run on (--on). */
  handlersOn: ReadonlySet<string>;
  /** Event types the action fires on. */
  actionOn: ReadonlySet<string>;
  contract: ContractOptions;
  log: Logger;
  timeoutMs: number;
  killGraceMs: number;
  /** Aborted when the shutdown grace runs out: running handlers are killed. */
  kill: AbortSignal;
  onRun?: (handler: string, result: 'ok' | 'failed' | 'timeout' | 'killed', seconds: number) => void;
}

export function makeDispatcher(o: DispatcherOptions) {
  return async (key: string, ev: WatchEvent): Promise<Outcome> => {
    if (o.handlers.length > 0 && o.handlersOn.has(ev.type)) {
      const env = handlerEnv(ev, o.contract);
      const stdin = handlerStdin(ev);
      for (const h of o.handlers) {
        const r = await runHandler(h, { stdin, env, key, log: o.log, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: o.kill });
        const fields = { handler: h.name, key, exit: r.code ?? undefined, signal: r.signal ?? undefined };
        const took = formatDuration(r.durationMs);
        if (r.spawnError) {
          o.onRun?.(h.name, 'failed', r.durationMs / 1000);
          o.log.error(`[${h.name} ${key}] could not start ${h.argv[0]}: ${r.spawnError}`, fields);
          return { kind: 'retry', reason: `${h.name}: ${r.spawnError}` };
        }
        if (r.killed) {
          o.onRun?.(h.name, 'killed', r.durationMs / 1000);
          o.log.error(`[${h.name} ${key}] killed at shutdown after ${took}`, fields);
          return { kind: 'retry', reason: `${h.name} killed` };
        }
        if (r.timedOut) {
          o.onRun?.(h.name, 'timeout', r.durationMs / 1000);
          o.log.error(`[${h.name} ${key}] timed out after ${took}`, { ...fields, reason: 'timeout' });
          return { kind: 'retry', reason: `${h.name} timed out` };
        }
        if (r.code === 0) {
          o.onRun?.(h.name, 'ok', r.durationMs / 1000);
          o.log.info(`[${h.name} ${key}] exit 0 in ${took}`, fields);
          continue;
        }
        o.onRun?.(h.name, 'failed', r.durationMs / 1000);
        if (r.code === EXIT_TEMPFAIL) {
          o.log.warn(`[${h.name} ${key}] exit ${EXIT_TEMPFAIL} (temporary failure) in ${took}`, fields);
          return { kind: 'requeue', reason: `${h.name} exit ${EXIT_TEMPFAIL}` };
        }
        const why = r.code === null ? `signal ${r.signal}` : `exit ${r.code}`;
        o.log.error(`[${h.name} ${key}] ${why} in ${took}`, fields);
        return { kind: 'retry', reason: `${h.name} ${why}` };
      }
    }
    if (o.action && o.actionOn.has(ev.type)) {
      const r = await o.action(ev, key);
      if (!r.ok) return { kind: 'retry', reason: r.reason ?? 'action failed' };
    }
    return { kind: 'ok' };
  };
}
