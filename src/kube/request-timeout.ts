/**
 * The deadline of a non-watch API request (--request-timeout, as kubectl's):
 * from the moment it is sent until its whole answer is read. Watches have
 * none; their stall timer ends a silent one instead.
 */
import { CmwatchError } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';

/** The default deadline (the CLI's --request-timeout). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The request did not get its whole answer within the deadline; it was aborted. */
export class RequestTimeoutError extends CmwatchError {
  readonly verb: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** `raise`: how the caller's user raises the deadline (the CLI names its flag); kube/ names none. */
  constructor(verb: string, url: string, timeoutMs: number, cause?: unknown, raise = 'raise the request deadline if it is only slow') {
    super('E_REQUEST_TIMEOUT', `${verb} ${url}: no complete answer within ${formatDuration(timeoutMs)}; request aborted`, {
      hint: `the API server or proxy is slow or stuck; ${raise}`,
      cause,
    });
    this.name = 'RequestTimeoutError';
    this.verb = verb;
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

export interface Deadline {
  /** Aborts when the caller's signal does or when the deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** True once the deadline (not the caller) aborted the signal. */
  expired(): boolean;
  /** Stops the timer and lets go of the caller's signal. */
  clear(): void;
}

/**
 * A signal for one request: the caller's, plus an abort after `ms` (0: none).
 * A listener is used rather than AbortSignal.any, so the long-lived root
 * signal keeps nothing of a finished request.
 */
export function startDeadline(ms: number, outer: AbortSignal | undefined): Deadline {
  if (!(ms > 0)) return { signal: outer, expired: () => false, clear: () => {} };
  const ctl = new AbortController();
  let fired = false;
  const onOuter = () => ctl.abort(outer?.reason);
  if (outer?.aborted) ctl.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(() => {
    fired = true;
    ctl.abort(new Error(`deadline of ${formatDuration(ms)} passed`));
  }, ms);
  return {
    signal: ctl.signal,
    expired: () => fired && !outer?.aborted,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
