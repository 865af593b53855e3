/**
 * Runs the reflectors of `watch` and `events`: one per namespace (or one for
 * all namespaces), sharing a client and a delivery callback. A fatal error in
 * one (a 401/403/404 with --exit-on-error) stops the others, is logged as one
 * line and becomes the exit code; otherwise they run until the signal aborts.
 */
import type { KubeClient } from '../kube/client.js';
import { oneLine } from '../base/errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { Logger } from '../ops/log.js';
import { Reflector, type DeliveryHandler, type ReflectorOptions } from '../watch/reflector.js';
import { HttpSource } from '../watch/source.js';
import { configMapContent } from '../watch/content.js';

export interface ReflectorsConfig {
  namespaces: string[] | undefined;
  labelSelector: string | undefined;
  selectorAnnotations: readonly string[];
  trigger: 'content' | 'any';
  stallTimeoutMs: number;
  /** undefined: random 300–600 s per watch; 0: none asked, the server decides. */
  watchTimeoutSeconds?: number | undefined;
  exitOnError: boolean;
}

/** Optional observers of each reflector (readiness, metrics): `watch` passes them, `events` does not. */
export interface ReflectorObserver {
  /** Hooks for the reflector of one namespace (undefined: all namespaces). */
  hooks(namespace: string | undefined): Pick<ReflectorOptions, 'onSynced' | 'onWatchState'>;
  /** Each reflector once created (its stats are read at each metrics scrape). */
  created(reflector: Reflector): void;
}

/** Resolves with the exit code: 0 after the signal aborted, else the fatal error's. */
export async function runReflectors(
  cfg: ReflectorsConfig, client: KubeClient, log: Logger, signal: AbortSignal, onEvent: DeliveryHandler,
  observer?: ReflectorObserver,
): Promise<number> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal.aborted) stop.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const reflectors = (cfg.namespaces ?? [undefined]).map(
    (namespace) =>
      new Reflector({
        source: new HttpSource(client, { resource: 'configmaps', kind: 'ConfigMap', namespace, labelSelector: cfg.labelSelector }),
        log,
        signal: stop.signal,
        onEvent,
        content: configMapContent(cfg.selectorAnnotations),
        trigger: cfg.trigger,
        stallTimeoutMs: cfg.stallTimeoutMs,
        ...(cfg.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: () => cfg.watchTimeoutSeconds! }),
        exitOnError: cfg.exitOnError,
        ...observer?.hooks(namespace),
      }),
  );
  for (const r of reflectors) observer?.created(r);
  let exitCode: number = ExitCode.Ok;
  await Promise.all(
    reflectors.map((r) =>
      r.run().catch((err: unknown) => {
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
