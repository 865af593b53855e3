/**
 * Runs the built-in action for one event the way a handler program is run:
 * under --timeout, and stopped when the shutdown grace runs out. The action
 * gets an AbortSignal that fires at either; every request it makes carries
 * that signal, so an answer that never comes ends with the signal.
 *
 * An action that does not stop within --kill-grace of its signal (it ignored
 * it) is no longer waited for: the run ends as a timeout (or a kill), so its
 * key is retried and the shutdown finishes.
 */
import type { WatchEvent } from '../api/types.js';
import type { Logger } from '../base/logger.js';
import { formatDuration } from '../base/duration.js';
import { oneLine } from '../base/errors.js';

export interface ActionResult {
  ok: boolean;
  reason?: string;
}

/** The built-in action: must end soon after `signal` aborts; ok=false is retried. */
export type Action = (ev: WatchEvent, key: string, signal: AbortSignal) => Promise<ActionResult>;

export interface ActionRunOptions {
  /** For logs, e.g. "delete-pods". */
  name: string;
  log: Logger;
  timeoutMs: number;
  killGraceMs: number;
  /** Aborted when the shutdown grace runs out. */
  kill: AbortSignal;
}

export interface ActionRun extends ActionResult {
  /** The action was stopped: at its timeout, or at shutdown (killed). Undefined if it ended on its own. */
  stopped: 'timeout' | 'killed' | undefined;
  /** It did not end within the kill grace after it was stopped, and was left behind. */
  abandoned: boolean;
  durationMs: number;
}

export async function runAction(action: Action, ev: WatchEvent, key: string, o: ActionRunOptions): Promise<ActionRun> {
  const started = Date.now();
  const ctl = new AbortController();
  let stopped: ActionRun['stopped'];
  let abandonTimer: NodeJS.Timeout | undefined;
  let leave: (() => void) | undefined;
  const left = new Promise<'abandoned'>((resolve) => { leave = () => resolve('abandoned'); });
  const stop = (why: 'timeout' | 'killed') => {
    if (stopped) return;
    stopped = why;
    ctl.abort(new Error(why === 'timeout' ? `${o.name} timed out after ${formatDuration(o.timeoutMs)}` : `${o.name} killed at shutdown`));
    abandonTimer = setTimeout(() => leave!(), o.killGraceMs);
  };
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
  const onKill = () => stop('killed');
  o.kill.addEventListener('abort', onKill, { once: true });
  if (o.kill.aborted) onKill();

  let result: ActionResult | 'abandoned';
  try {
    result = await Promise.race([action(ev, key, ctl.signal), left]);
  } catch (err) {
    result = { ok: false, reason: oneLine(err) };
  } finally {
    clearTimeout(timer);
    clearTimeout(abandonTimer);
    o.kill.removeEventListener('abort', onKill);
  }
  const durationMs = Date.now() - started;
  if (result === 'abandoned') {
    o.log.error(`[${o.name} ${key}] did not stop within ${formatDuration(o.killGraceMs)} of being stopped; no longer waiting for it`, { handler: o.name, key, reason: 'abandoned' });
    return { ok: false, reason: `${o.name} did not stop`, stopped, abandoned: true, durationMs };
  }
  // An action that finished its work before it noticed the signal succeeded.
  return { ...result, stopped: result.ok ? undefined : stopped, abandoned: false, durationMs };
}
