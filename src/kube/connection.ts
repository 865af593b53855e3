/**
 * A connection to the Kubernetes API: where it is, how to reach it (an undici
 * dispatcher carrying TLS settings) and how to authenticate each request.
 * Every way of reaching the API (kubectl proxy, kubeconfig, in-cluster) builds
 * one of these; the rest of cmwatch only sees this interface.
 */
import { Agent, type Dispatcher } from 'undici';
import { UsageError } from '../util/errors.js';

export interface Connection {
  /** Base URL without a trailing slash, e.g. http://localhost:8001. */
  readonly server: string;
  readonly dispatcher: Dispatcher;
  /** Human description for the start-up line, e.g. "kubectl proxy". */
  readonly description: string;
  /** Headers that authenticate a request (may refresh a credential). */
  authHeaders(): Promise<Record<string, string>>;
  /** Called after a 401, so a rotating credential can be re-read. Returns true if it changed. */
  refreshAfterUnauthorized(): Promise<boolean>;
  close(): Promise<void>;
}

/** An Agent that never cuts a long watch: no body timeout; stall detection is ours. */
export function watchAgent(connect?: Agent.Options['connect']): Agent {
  return new Agent({
    bodyTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 30_000,
    connect: { timeout: 10_000, ...(connect as object | undefined) },
  });
}

export function normalizeServer(url: string, flag = '--server'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new UsageError(`${flag}: invalid URL "${url}"`, 'use e.g. http://localhost:8001 (kubectl proxy) or https://HOST:6443', cause);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${flag}: unsupported scheme "${u.protocol}" in "${url}"`, 'use http:// or https://');
  }
  return u.toString().replace(/\/+$/, '');
}

/** The `kubectl proxy` ambassador: plain HTTP, the proxy authenticates for us. */
export function proxyConnection(server: string): Connection {
  const base = normalizeServer(server);
  const agent = watchAgent();
  return {
    server: base,
    dispatcher: agent,
    description: 'kubectl proxy (no credentials of its own)',
    authHeaders: async () => ({}),
    refreshAfterUnauthorized: async () => false,
    close: () => agent.close(),
  };
}
