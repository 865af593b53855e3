/**
 * How cmwatch reaches the API, in this order:
 *
 * 1. a server URL, with a token or token file, a CA, a client certificate
 *    and key, or insecure-skip-tls-verify (server-connection.ts). A plain
 *    http:// URL with none of them is the kubectl proxy, exactly as before.
 * 2. kubeconfig: the file asked for, else $KUBECONFIG, else ~/.kube/config;
 *    the context asked for, else current-context (kubeconfig-connection.ts).
 * 3. in-cluster: KUBERNETES_SERVICE_HOST and _PORT set and the service
 *    account token present (in-cluster-connection.ts).
 * 4. http://localhost:8001, the kubectl proxy ambassador; but not when
 *    KUBECONFIG names only files that do not exist (kubeconfig-missing.ts).
 *
 * The namespace that applies when the caller names none: the context's
 * namespace, else the in-cluster namespace file, else none (the caller's
 * default). The namespace file is read once, here (in-cluster.ts has its
 * rule: only ENOENT means "not in a pod").
 *
 * Credentials are fetched once here (token files read, exec plugins run) so
 * that a broken configuration fails at start, before anything runs.
 */
import { withDefaults } from '../base/options.js';
import { homedir } from 'node:os';
import { proxyConnection } from './connection.js';
import {
  DEFAULT_LABELS, type ConnectionSettings, type ResolveContext, type ResolveOptions, type ResolvedConnection, type SettingLabels,
} from './connection-settings.js';
import { inClusterConnection } from './in-cluster-connection.js';
import { readInClusterNamespace } from './in-cluster.js';
import { kubeconfigConnection } from './kubeconfig-connection.js';
import { serverConnection } from './server-connection.js';
import { displayFiles } from './display-path.js';
import { missingKubeconfigError, missingKubeconfigFiles } from './kubeconfig-missing.js';

export type { ConnectionMode, ConnectionSettings, ResolveOptions, ResolvedConnection, SettingLabels } from './connection-settings.js';
export { DEFAULT_SA_DIR, saDir, tokenSubject } from './in-cluster.js';

export const DEFAULT_PROXY_SERVER = 'http://localhost:8001';
/** The default's serverSource: why cmwatch is trying the kubectl proxy address. */
export const DEFAULT_PROXY_SOURCE = 'the default, the kubectl proxy address (no server given, no kubeconfig, not in a pod)';

/** Works out the connection; configuration errors are typed CmwatchErrors naming the file, context and field. */
export async function resolveConnection(s: ConnectionSettings, opts: ResolveOptions): Promise<ResolvedConnection> {
  const o: ResolveContext = {
    log: opts.log,
    env: opts.env ?? process.env,
    home: opts.home ?? homedir(),
    cwd: opts.cwd ?? process.cwd(),
    stdinIsTTY: opts.stdinIsTTY ?? process.stdin.isTTY === true,
    labels: withDefaults(DEFAULT_LABELS, s.labels ?? {}),
  };
  // Read first, and whatever the mode: the default namespace and the Lease's come from it.
  const podNamespace = readInClusterNamespace(o.env, o.home);
  let r: ResolvedConnection | undefined;
  if (s.server) r = await serverConnection(s, o);
  else {
    r = await kubeconfigConnection(s, o);
    if (!r) {
      // KUBECONFIG naming only missing files: in a pod, a warning; with nothing else, an error (kubeconfig-missing.ts).
      const missing = missingKubeconfigFiles(s, o);
      r = await inClusterConnection(o);
      if (missing && !r) throw missingKubeconfigError(missing, o.home);
      if (missing) o.log.warn(`KUBECONFIG names no file that exists (${displayFiles(missing, o.home)}); using the in-cluster service account`);
    }
  }
  r ??= { conn: proxyConnection(DEFAULT_PROXY_SERVER, DEFAULT_PROXY_SOURCE), mode: 'proxy' };
  r.podNamespace = podNamespace;
  if (r.namespace === undefined && podNamespace) {
    r.namespace = podNamespace;
    r.namespaceSource = 'the in-cluster namespace file';
  }
  return r;
}
