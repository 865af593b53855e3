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
import { ResourceWatch, type ResourceWatchObserver, type ResourceWatchOptions } from '../watch/resource-watch.js';
import type { Target } from '../watch/targets.js';

export interface ReflectorsConfig {
  namespaces: string[] | undefined;
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
        labelSelector: cfg.labelSelector,
        fieldSelector: cfg.fieldSelector,
        content: (r) => paths ?? contentFor(r, { selectorAnnotations: cfg.selectorAnnotations }),
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
