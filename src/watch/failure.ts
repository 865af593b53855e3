/**
 * Watch failures: the typed errors a list or watch can end with, and their
 * classification, which the reflector turns into a delay and a next step
 * (re-watch from the last resource version, or relist).
 */
import { ApiError } from '../api/api-error.js';
import { ConnectError } from '../kube/connect-error.js';
import { BodyTooLargeError } from '../kube/body-limit.js';
import { CmwatchError } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import { SelectorRejectedError } from './selector-rejection.js';

/** No byte arrived for the stall timeout. */
export class StallError extends CmwatchError {
  constructor(ms: number, what = 'watch') {
    super('E_STALL', `${what} stalled: no bytes for ${formatDuration(ms)}`);
    this.name = 'StallError';
  }
}

/** The watch ended cleanly too soon, having delivered nothing. */
export class EarlyCloseError extends CmwatchError {
  constructor(ms: number) {
    super('E_EARLY_CLOSE', `watch closed after ${formatDuration(ms)} having delivered nothing`);
    this.name = 'EarlyCloseError';
  }
}

/** A line of the stream is not JSON, or not a {"type","object"} event. */
export class MalformedEventError extends CmwatchError {
  constructor(detail: string) {
    super('E_MALFORMED', `malformed watch event: ${detail}`);
    this.name = 'MalformedEventError';
  }
}

/** The connection broke after the watch started (reset, closed mid-stream). */
export class StreamError extends CmwatchError {
  constructor(message: string, cause?: unknown) {
    super('E_STREAM', message, { cause });
    this.name = 'StreamError';
  }
}

/**
 * The server (or a proxy in between) answered with something cmwatch must not
 * use: a list that is not a Kubernetes list, a list past its bounds, an ERROR
 * event with an empty Status. `reason` names which (for logs and counters);
 * `level` is how loudly each retry is logged.
 */
export class BadResponseError extends CmwatchError {
  readonly reason: string;
  readonly level: 'warn' | 'error';
  constructor(reason: string, message: string, opts: { hint: string; level?: 'warn' | 'error'; cause?: unknown }) {
    super(`E_${reason.toUpperCase()}`, message, { hint: opts.hint, cause: opts.cause });
    this.name = 'BadResponseError';
    this.reason = reason;
    this.level = opts.level ?? 'error';
  }
}

export type FailureKind =
  /** 410 Expired/Gone: the resource version is too old; relist. */
  | 'expired'
  /** Inactivity: re-watch at once. */
  | 'stall'
  /** Back off, then retry the same step. */
  | 'early_close' | 'malformed' | 'throttled' | 'server' | 'network'
  /** 401/403/404: retry at the capped backoff, or exit with --exit-on-error. */
  | 'permanent'
  /** 504 ResourceVersionTooLarge: the server is behind the resume point (a watch relists and adopts the list's version). */
  | 'too_large'
  /** A body of the wrong shape or past a bound (BadResponseError, BodyTooLargeError): back off, retry the same step. */
  | 'bad_response'
  /** The server refused --field-selector or --selector (SelectorRejectedError): no retry helps; stop. */
  | 'rejected'
  /** Anything else (400, 422, a line too long...): back off, then relist. */
  | 'other';

export interface Failure {
  kind: FailureKind;
  /** A short machine-readable reason for logs and counters, e.g. http_503. */
  reason: string;
  /** The server's Retry-After, if any. */
  retryAfterMs?: number;
  /** The log level of the retry line, when not the default (warn). */
  level?: 'warn' | 'error';
}

export function classifyFailure(err: unknown): Failure {
  if (err instanceof SelectorRejectedError) return { kind: 'rejected', reason: 'selector_rejected' };
  if (err instanceof ApiError) {
    const reason = `http_${err.status}`;
    if (err.expired) return { kind: 'expired', reason: 'expired' };
    if (err.status === 429) return { kind: 'throttled', reason, retryAfterMs: err.retryAfterMs };
    if (err.permanent) return { kind: 'permanent', reason };
    if (err.resourceVersionTooLarge) return { kind: 'too_large', reason, retryAfterMs: err.retryAfterMs };
    if (err.status >= 500) return { kind: 'server', reason, retryAfterMs: err.retryAfterMs };
    return { kind: 'other', reason };
  }
  if (err instanceof BadResponseError) return { kind: 'bad_response', reason: err.reason, level: err.level };
  if (err instanceof BodyTooLargeError) return { kind: 'bad_response', reason: 'body_too_large', level: 'error' };
  if (err instanceof StallError) return { kind: 'stall', reason: 'stall' };
  if (err instanceof EarlyCloseError) return { kind: 'early_close', reason: 'early_close' };
  if (err instanceof MalformedEventError) return { kind: 'malformed', reason: 'malformed' };
  if (err instanceof ConnectError || err instanceof StreamError) return { kind: 'network', reason: err instanceof ConnectError ? 'connect' : 'stream' };
  if (err instanceof CmwatchError) return { kind: 'other', reason: err.code.toLowerCase() };
  return { kind: 'other', reason: 'error' };
}
