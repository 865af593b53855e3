/**
 * Shared by `watch` and `events`: resolve the connection (src/kube/resolve.ts)
 * and the namespaces to watch, and say once how cmwatch reaches the API:
 * `using https://127.0.0.1:6443 as kind-admin (kubeconfig context kind-kind); …`
 */
import { connectionSummary } from '../kube/connection.js';
import { withFlagHint } from './connection-hints.js';
import { resolveConnection, type ResolvedConnection } from '../kube/resolve.js';
import { connectionSettings, type ConnectionFlags } from './connection-flags.js';
import type { Logger } from '../ops/log.js';

export interface ConnectConfig {
  connection: ConnectionFlags;
  /** The RESOURCE arguments as written (empty: configmaps). */
  resources: readonly string[];
  /** From -n / WATCH_NAMESPACE / -A; ['default'] when namespaceDefaulted. */
  namespaces: string[] | undefined;
  /** Neither -n, -A nor WATCH_NAMESPACE: the context's or the in-cluster namespace applies, else default. */
  namespaceDefaulted: boolean;
}

export interface Connected extends ResolvedConnection {
  namespaces: string[] | undefined;
  /** e.g. `configmaps in namespace web (from kubeconfig context "staging")`. */
  where: string;
  /** The start-up line's first half: `using … as … (…)`. */
  summary: string;
}

export async function connect(cfg: ConnectConfig, log: Logger): Promise<Connected> {
  let resolved: ResolvedConnection;
  try {
    resolved = await resolveConnection(connectionSettings(cfg.connection), { log });
  } catch (err) {
    throw withFlagHint(err);
  }
  let namespaces = cfg.namespaces;
  let from = '';
  if (cfg.namespaceDefaulted && resolved.namespace) {
    namespaces = [resolved.namespace];
    from = ` (from ${resolved.namespaceSource})`;
  }
  const what = cfg.resources.length ? cfg.resources.join(', ') : 'configmaps';
  const where = namespaces ? `${what} in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')}${from}` : `${what} in all namespaces`;
  return { ...resolved, namespaces, where, summary: connectionSummary(resolved.conn) };
}

/**
 * The environment handlers start from: cmwatch's own, with KUBECONFIG set to
 * the kubeconfig file(s) cmwatch used, so kubectl in a handler talks to the
 * same cluster. The context is not passed (kubectl has no variable for it).
 */
export function handlerBaseEnv(c: Pick<ResolvedConnection, 'kubeconfigFiles'>, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!c.kubeconfigFiles?.length) return env;
  return { ...env, KUBECONFIG: c.kubeconfigFiles.join(':') };
}
