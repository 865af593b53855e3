/**
 * A small Kubernetes REST client over a Connection: JSON requests and
 * streaming GETs, with API failures turned into ApiError/ConnectError.
 * Every JSON request has a deadline (--request-timeout, a RequestTimeoutError);
 * watches have none. A DELETE, PATCH or PUT that does not name one object is
 * refused before anything is sent (UnsafeRequestError).
 */
import type { Dispatcher } from 'undici';
import { request } from './undici.js';
import type { Readable } from 'node:stream';
import type { Connection } from './connection.js';
import { ApiError, parseRetryAfter, type K8sStatus } from '../api/api-error.js';
import { ConnectError } from './connect-error.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, RequestTimeoutError, startDeadline } from './request-timeout.js';
import { MUTATING_METHODS, mutationTargetError } from '../api/object-path.js';
import { CmwatchError } from '../base/errors.js';
import { unparsableDetails } from '../base/safe-text.js';
import { BodyTooLargeError, discard, MAX_ERROR_BODY_BYTES, readText } from './body-limit.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  signal?: AbortSignal;
  body?: unknown;
  /** Resource name for hints, e.g. "configmaps" or "pods". */
  resource?: string;
  /** RBAC verb for hints (list, watch, delete...), default from the method. */
  verb?: string;
  /** json(): called as each chunk of the response body arrives (stall detection). */
  onBytes?: (n: number) => void;
  /** json(): the most bytes the body may have; past it the read is aborted with a BodyTooLargeError. */
  maxBytes?: number;
  /** The Accept header, default application/json (discovery asks for its aggregated form). */
  accept?: string;
  /** Called with the HTTP status of a successful answer (write-back logs it). */
  onStatus?: (status: number) => void;
  /** The body's Content-Type; default application/json, or a strategic merge patch for PATCH. */
  contentType?: string;
}

export function buildUrl(server: string, path: string, query?: Query): string {
  let url = server + path;
  if (query) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
    if (parts.length) url += (path.includes('?') ? '&' : '?') + parts.join('&');
  }
  return url;
}

function defaultVerb(method: string): string {
  return method === 'GET' ? 'get' : method === 'DELETE' ? 'delete' : method === 'POST' ? 'create' : method === 'PATCH' ? 'patch' : 'update';
}

/** A mutating request that names no single object (a collection, a trailing "/"): never sent. */
export class UnsafeRequestError extends CmwatchError {
  constructor(method: string, url: string, why: string) {
    super('E_UNSAFE_REQUEST', `refusing to send ${method} ${url}: ${why}`, {
      hint: 'cmwatch only ever changes single named objects; nothing was sent (please report this as a bug)',
    });
    this.name = 'UnsafeRequestError';
  }
}

export interface KubeClientOptions {
  /** Deadline of each non-watch request, in ms; 0: none (--request-timeout, default 30 s). */
  requestTimeoutMs?: number;
  /** The hint's advice on a deadline that passed, in the caller's words (the CLI names its flag). */
  raiseTimeoutHint?: string;
}

export class KubeClient {
  readonly requestTimeoutMs: number;
  private readonly raiseTimeoutHint: string | undefined;

  constructor(readonly conn: Connection, opts: KubeClientOptions = {}) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.raiseTimeoutHint = opts.raiseTimeoutHint;
  }

  get server(): string {
    return this.conn.server;
  }

  /**
   * A request whose answer is JSON; throws ApiError on a non-2xx status, and
   * RequestTimeoutError when the whole answer has not arrived within the deadline.
   */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const deadline = startDeadline(this.requestTimeoutMs, opts.signal);
    try {
      return await this.jsonUntimed<T>(method, path, { ...opts, signal: deadline.signal });
    } catch (err) {
      if (deadline.expired()) {
        throw new RequestTimeoutError(opts.verb ?? defaultVerb(method), buildUrl(this.server, path, opts.query), this.requestTimeoutMs, err, this.raiseTimeoutHint);
      }
      throw err;
    } finally {
      deadline.clear();
    }
  }

  private async jsonUntimed<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const res = await this.send(method, path, opts);
    opts.onStatus?.(res.statusCode);
    const max = opts.maxBytes ?? Infinity;
    const tooLarge = () => new BodyTooLargeError(opts.verb ?? defaultVerb(method), buildUrl(this.server, path, opts.query), max);
    if (Number(res.headers['content-length'] ?? 0) > max) {
      discard(res.body);
      throw tooLarge();
    }
    let text: string;
    try {
      if (opts.onBytes || opts.maxBytes !== undefined) {
        const read = await readText(res.body, max, { onBytes: opts.onBytes });
        if (read.over) throw tooLarge();
        text = read.text;
      } else {
        text = await res.body.text();
      }
    } catch (cause) {
      // The connection broke while the body was read (reset, aborted).
      if (opts.signal?.aborted || cause instanceof BodyTooLargeError) throw cause;
      throw new ConnectError(opts.verb ?? defaultVerb(method), buildUrl(this.server, path, opts.query), cause, this.conn.caSource, this.conn.serverSource);
    }
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new ApiError({
        status: res.statusCode, verb: opts.verb ?? defaultVerb(method), url: buildUrl(this.server, path, opts.query),
        // Described, not quoted: the body may be a list of Secrets cut short (base/safe-text.ts).
        resource: opts.resource ?? 'the resource', bodyText: `invalid JSON (${unparsableDetails(text, cause)})`, cause,
      });
    }
  }

  /** A streaming GET (a watch); resolves once a 200's headers arrive. */
  async stream(path: string, opts: RequestOptions = {}): Promise<Readable> {
    const res = await this.send('GET', path, { verb: 'watch', ...opts });
    return res.body as unknown as Readable;
  }

  private async send(method: string, path: string, opts: RequestOptions, retried = false): Promise<Dispatcher.ResponseData> {
    const url = buildUrl(this.server, path, opts.query);
    const verb = opts.verb ?? defaultVerb(method);
    // Defence in depth: whoever built the path, a mutation names one object.
    const unsafe = MUTATING_METHODS.has(method.toUpperCase()) ? mutationTargetError(path) : undefined;
    if (unsafe !== undefined) throw new UnsafeRequestError(method, url, unsafe);
    const auth = await this.conn.authHeaders();
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json', ...auth };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? (method === 'PATCH' ? 'application/strategic-merge-patch+json' : 'application/json');
    }
    let res;
    try {
      res = await request(url, {
        method: method as 'GET',
        headers,
        body,
        signal: opts.signal,
        dispatcher: this.conn.dispatcher,
      });
    } catch (cause) {
      if (opts.signal?.aborted) throw cause;
      throw new ConnectError(verb, url, cause, this.conn.caSource, this.conn.serverSource);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = (await readText(res.body, MAX_ERROR_BODY_BYTES, { keepPrefix: true }).catch(() => undefined))?.text ?? '';
    if (res.statusCode === 401 && !retried && (await this.conn.refreshAfterUnauthorized(auth))) {
      return this.send(method, path, opts, true);
    }
    let statusObject: K8sStatus | undefined;
    let bodyText = text;
    try {
      const parsed = JSON.parse(text) as K8sStatus;
      if (parsed && parsed.kind === 'Status') statusObject = parsed;
      // JSON that is not a Status may be an object (a Secret?): said, not quoted.
      else bodyText = `a JSON body of ${Buffer.byteLength(text)} bytes that is not a Status`;
    } catch {
      // kubectl proxy answers its own refusals in plain text
    }
    throw new ApiError({
      status: res.statusCode, verb, url, resource: opts.resource ?? 'the resource',
      statusObject, bodyText, retryAfterMs: parseRetryAfter(res.headers['retry-after']),
    });
  }
}
