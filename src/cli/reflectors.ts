/**
 * Runs the watches of `watch` and `events`: one ResourceWatch per RESOURCE
 * (each with its reflectors, one per namespace, or one cluster-wide), all
 * sharing a client, discovery and one delivery callback. A fatal error in
 * one (a 401/403/404 with --exit-on-error) stops the others, is logged as one
 * line and becomes the exit code; otherwise they run until the signal aborts.
 */
import type { KubeClient } from '../kube/client.js';
import type { Discovery } from '../kube/discovery.js';
import { oneLine } from '../base/errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { Logger } from '../ops/log.js';
import type { DeliveryHandler } from '../watch/reflector.js';
import { contentFor, type ContentFunction } from '../watch/content.js';
import { contentPaths } from '../watch/content-paths.js';
import { withDeletion } from '../watch/deletion-content.js';
import { ResourceWatch, type ResourceWatchObserver, type ResourceWatchOptions } from '../watch/resource-watch.js';
import type { Target } from '../watch/targets.js';
import { warnMissingNamespaces } from '../watch/namespace-check.js';

export interface ReflectorsConfig {
  namespaces: string[] | undefined;
  /** Neither -n, -A nor WATCH_NAMESPACE chose the namespaces (then no "-n does not apply" line). */
  namespaceDefaulted?: boolean;
  labelSelector: string | undefined;
  fieldSelector?: string | undefined;
  selectorAnnotations: readonly string[];
  trigger: 'content' | 'any';
  /** --content: field paths replacing every resource's default content function. */
  contentPaths?: string | undefined;
  stallTimeoutMs: number;
  /** undefined: random 300–600 s per watch; 0: none asked, the server decides. */
  watchTimeoutSeconds?: number | undefined;
  exitOnError: boolean;
  /** A resource's --finalizer, if any: its content counts the start of a deletion, not the finalizer (watch/deletion-content.ts). */
  finalizerOf?: (canonical: string) => string | undefined;
}

/** Optional observers of each reflector (readiness, metrics): `watch` passes them, `events` does not. */
export type ReflectorObserver = ResourceWatchObserver;

export interface WatchTargets {
  targets: readonly Target[];
  /** Undefined when only the default ConfigMaps are watched (resolved without discovery). */
  discovery: Discovery | undefined;
  /** No RESOURCE was given: keys and readiness labels stay as they always were. */
  defaulted: boolean;
}

/** Resolves with the exit code: 0 after the signal aborted, else the fatal error's. */
export async function runReflectors(
  cfg: ReflectorsConfig, watched: WatchTargets, client: KubeClient, log: Logger, signal: AbortSignal, onEvent: DeliveryHandler,
  observer?: ReflectorObserver,
  onListed?: ResourceWatchOptions['onListed'],
): Promise<number> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal.aborted) stop.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const paths: ContentFunction | undefined = cfg.contentPaths === undefined ? undefined : contentPaths(cfg.contentPaths);
  const watches = watched.targets.map(
    (target) =>
      new ResourceWatch({
        target,
        discovery: watched.discovery,
        client,
        log,
        signal: stop.signal,
        namespaces: cfg.namespaces,
        namespacesGiven: cfg.namespaces !== undefined && !cfg.namespaceDefaulted,
        labelSelector: cfg.labelSelector,
        fieldSelector: cfg.fieldSelector,
        content: (r) => {
          const f = paths ?? contentFor(r, { selectorAnnotations: cfg.selectorAnnotations });
          const own = cfg.finalizerOf?.(r.canonical);
          return own === undefined ? f : withDeletion(f, own);
        },
        reflector: {
          trigger: cfg.trigger,
          stallTimeoutMs: cfg.stallTimeoutMs,
          ...(cfg.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: () => cfg.watchTimeoutSeconds! }),
          exitOnError: cfg.exitOnError,
        },
        onEvent,
        keyPrefix: watched.targets.length > 1,
        labelled: !watched.defaulted,
        observer,
        onListed,
      }),
  );
  // A namespace that does not exist: one warning, alongside the watches (watch/namespace-check.ts).
  const namespaced = watched.targets.some((t) => t.resolution.status !== 'resolved' || t.resolution.resource.namespaced);
  if (cfg.namespaces && namespaced) void warnMissingNamespaces(client, cfg.namespaces, log, stop.signal);
  let exitCode: number = ExitCode.Ok;
  await Promise.all(
    watches.map((w) =>
      w.run().catch((err: unknown) => {
        if (exitCode !== ExitCode.Ok) return;
        exitCode = exitCodeFor(err);
        log.error(oneLine(err), { reason: 'fatal' });
        stop.abort();
      }),
    ),
  );
  signal.removeEventListener('abort', onAbort);
  return exitCode;
}
