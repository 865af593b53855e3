/**
 * Once at start: does each namespace to watch exist? A watch of a namespace
 * that does not exist lists 0 objects and then stays silent for ever, which
 * looks like a broken controller. So each one is read once (`get namespaces`);
 * a 404 gives one warning line and the watch goes on (the namespace may be
 * created later, and the watch then sees its objects). Any other answer says
 * nothing: a 403 means RBAC does not allow the check (cmwatch needs no
 * cluster-scoped rights), and connection trouble is the reflectors' to report.
 * Only the API server's own answer counts as "does not exist": a 404 Status
 * whose details name this namespace (a proxy or a server without the route
 * answers a bare 404).
 */
import { ApiError } from '../api/api-error.js';
import { objectPath } from '../api/object-path.js';
import type { Logger } from '../base/logger.js';
import type { KubeClient } from '../kube/client.js';

/** Resolves when every check answered (or the signal aborted); never rejects. */
export async function warnMissingNamespaces(client: KubeClient, namespaces: readonly string[], log: Logger, signal: AbortSignal): Promise<string[]> {
  const missing: string[] = [];
  await Promise.all(
    namespaces.map(async (ns) => {
      try {
        await client.json('GET', objectPath({ resource: 'namespaces', name: ns }), { signal, resource: 'namespaces', verb: 'get' });
      } catch (err) {
        if (signal.aborted) return;
        if (!isNamespaceNotFound(err, ns)) {
          log.debug(`namespace ${ns}: existence not checked (${err instanceof ApiError ? (err.status === 403 ? 'no permission to get namespaces' : `status ${err.status}`) : 'no answer'})`);
          return;
        }
        missing.push(ns);
        log.warn(`namespace ${ns} does not exist; watching it anyway, its objects appear once it is created (hint: check -n, or create it: kubectl create namespace ${ns})`, { reason: 'namespace-missing' });
      }
    }),
  );
  return missing;
}

function isNamespaceNotFound(err: unknown, ns: string): boolean {
  if (!(err instanceof ApiError) || err.status !== 404) return false;
  const d = err.statusObject?.details;
  return err.statusObject?.reason === 'NotFound' && d?.kind === 'namespaces' && d.name === ns;
}
