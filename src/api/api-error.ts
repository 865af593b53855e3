/**
 * An error from the API server (or from kubectl proxy, whose own refusals
 * are plain text rather than a Status). Carries the HTTP status, the Status
 * reason if any, the verb and the URL, and a hint on what to check.
 */
import { CmwatchError } from '../base/errors.js';

export interface K8sStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string }>; retryAfterSeconds?: number };
}

export function hintFor(status: number, verb: string, resource: string): string | undefined {
  switch (status) {
    case 401:
      return 'the credentials were rejected: check the token or kubeconfig, or that kubectl proxy still has a valid token';
    case 403:
      return `check RBAC: the identity needs "${verb}" on ${resource} (kubectl auth can-i ${verb} ${resource})`;
    case 404:
      return 'check that the namespace and resource exist and that the server URL points at the API server';
    case 410:
      return 'the resource version expired; cmwatch relists';
    case 429:
      return 'the API server is throttling; cmwatch backs off';
    default:
      return status >= 500 ? 'the API server or proxy failed; cmwatch retries with backoff' : undefined;
  }
}

export class ApiError extends CmwatchError {
  readonly status: number;
  readonly reason: string | undefined;
  readonly verb: string;
  readonly url: string;
  readonly statusObject: K8sStatus | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(opts: {
    status: number; verb: string; url: string; resource: string;
    statusObject?: K8sStatus; bodyText?: string; retryAfterMs?: number; cause?: unknown;
  }) {
    const s = opts.statusObject;
    const detail = s?.message ?? (opts.bodyText ? opts.bodyText.trim().split('\n')[0]!.slice(0, 200) : '');
    const reason = s?.reason;
    super(
      `API_${opts.status}`,
      `${opts.verb} ${opts.url}: HTTP ${opts.status}${reason ? ` ${reason}` : ''}${detail ? `: ${detail}` : ''}`,
      { hint: hintFor(opts.status, opts.verb, opts.resource), cause: opts.cause },
    );
    this.name = 'ApiError';
    this.status = opts.status;
    this.reason = reason;
    this.verb = opts.verb;
    this.url = opts.url;
    this.statusObject = s;
    this.retryAfterMs = opts.retryAfterMs;
  }

  get expired(): boolean {
    return this.status === 410 || this.reason === 'Expired' || this.reason === 'Gone';
  }
  /** A 504 whose Status says the resource version asked for is ahead of the server (ResourceVersionTooLarge). */
  get resourceVersionTooLarge(): boolean {
    if (this.status !== 504) return false;
    const st = this.statusObject;
    return Boolean(st?.details?.causes?.some((c) => c.reason === 'ResourceVersionTooLarge') || /too large resource version/i.test(st?.message ?? ''));
  }
  get permanent(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
