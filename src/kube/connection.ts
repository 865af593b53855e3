/**
 * A connection to the Kubernetes API: where it is, how to reach it (an undici
 * dispatcher carrying TLS settings) and how to authenticate each request.
 * Every way of reaching the API (kubectl proxy, kubeconfig, in-cluster) builds
 * one of these; the rest of cmwatch only sees this interface.
 */
import { Agent, type Dispatcher } from './undici.js';
import { normalizeServer } from './server-url.js';

export { normalizeServer };

export interface Connection {
  /** Base URL without a trailing slash, e.g. http://localhost:8001. */
  readonly server: string;
  readonly dispatcher: Dispatcher;
  /** How the API is reached, for the start-up line, e.g. "kubectl proxy" or "kubeconfig context kind-kind". */
  readonly description: string;
  /** Who cmwatch is to the API, e.g. "kind-admin"; undefined when a proxy authenticates for us. Never a secret. */
  readonly identity?: string;
  /** Where the trusted CA comes from, for the hint of a TLS failure. */
  readonly caSource?: string;
  /**
   * Where the server URL came from, for the hint of a refused connection, e.g.
   * `--server` or `cluster "kind" of kubeconfig context kind-kind (~/.kube/config)`.
   */
  readonly serverSource?: string;
  /**
   * Headers that authenticate a request (may refresh a credential). The
   * object returned names the credential: pass it back to
   * refreshAfterUnauthorized() if the request gets a 401.
   */
  authHeaders(): Promise<Record<string, string>>;
  /**
   * Called after a 401 to a request sent with `used` (from authHeaders()),
   * so a rotating credential can be re-read. Returns true if a different
   * credential is now available and the request is worth retrying once.
   */
  refreshAfterUnauthorized(used?: Record<string, string>): Promise<boolean>;
  close(): Promise<void>;
}

/** The start-up line: `using https://127.0.0.1:6443 as kind-admin (kubeconfig context kind-kind)`. */
export function connectionSummary(conn: Connection): string {
  return conn.identity !== undefined
    ? `using ${conn.server} as ${conn.identity} (${conn.description})`
    : `using ${conn.server} via ${conn.description}`;
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

/** The `kubectl proxy` ambassador: plain HTTP, the proxy authenticates for us. */
export function proxyConnection(server: string, serverSource?: string): Connection {
  const base = normalizeServer(server);
  const agent = watchAgent();
  return {
    server: base,
    serverSource,
    dispatcher: agent,
    description: 'kubectl proxy (no credentials of its own)',
    authHeaders: async () => ({}),
    refreshAfterUnauthorized: async () => false,
    close: () => agent.close(),
  };
}
