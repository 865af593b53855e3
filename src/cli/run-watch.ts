/**
 * `cmwatch` / `cmwatch watch`: composes connection → reflectors → queue →
 * handlers, and drains on shutdown.
 */
import { KubeClient } from '../kube/client.js';
import { proxyConnection } from '../kube/connection.js';
import { Reflector, type Delivery } from '../watch/reflector.js';
import { HttpSource } from '../watch/source.js';
import { WorkQueue } from '../queue/work-queue.js';
import { makeDispatcher } from '../handlers/dispatcher.js';
import { deletePods } from '../handlers/delete-pods.js';
import { selectorOf } from '../handlers/contract.js';
import { Logger } from '../util/log.js';
import { ExitCode } from '../util/exit-codes.js';
import { formatDuration } from '../util/duration.js';
import type { WatchEvent } from '../watch/types.js';
import type { WatchConfig } from './options.js';
import { writeStdout } from './stdout.js';

export async function runWatch(cfg: WatchConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const conn = proxyConnection(cfg.server);
  const client = new KubeClient(conn);
  const where = cfg.namespaces ? `namespace${cfg.namespaces.length > 1 ? 's' : ''} ${cfg.namespaces.join(', ')}` : 'all namespaces';
  log.info(`using ${conn.server} via ${conn.description}; watching configmaps in ${where}`);

  const kill = new AbortController();
  const actionOn = new Set<string>(['MODIFIED']);
  const dispatcher = makeDispatcher({
    handlers: cfg.handlers,
    action: cfg.action === 'delete-pods'
      ? (ev, key) => deletePods(ev, key, { client, log, annotations: cfg.selectorAnnotations, dryRun: cfg.dryRun })
      : undefined,
    handlersOn: cfg.on,
    actionOn,
    contract: { server: conn.server, selectorAnnotations: cfg.selectorAnnotations },
    log,
    timeoutMs: cfg.timeoutMs,
    killGraceMs: cfg.killGraceMs,
    kill: kill.signal,
  });
  const queue = new WorkQueue<WatchEvent>({
    worker: (key, ev) => dispatcher(key, ev),
    log,
    concurrency: cfg.concurrency,
    coalesce: cfg.coalesce,
    maxRetries: cfg.maxRetries,
  });
  const hasWork = cfg.handlers.length > 0 || cfg.action !== undefined;

  const onEvent = (d: Delivery) => {
    const selector = selectorOf(d.object, cfg.selectorAnnotations);
    if (d.type === 'SYNC') {
      if (!cfg.on.has('SYNC')) return;
      log.debug(`SYNC ${d.key}`, { selector });
    } else {
      log.event(d.type, d.key, { selector, via: d.via === 'relist' ? 'relist' : undefined });
    }
    if (cfg.output === 'json') writeStdout(JSON.stringify({ type: d.type, object: d.object }) + '\n');
    if (!hasWork) return;
    const wanted = (cfg.handlers.length > 0 && cfg.on.has(d.type)) || (cfg.action !== undefined && actionOn.has(d.type));
    if (wanted) queue.add(d.key, { type: d.type, object: d.object });
  };

  const reflectors = (cfg.namespaces ?? [undefined]).map(
    (namespace) =>
      new Reflector({
        source: new HttpSource(client, { resource: 'configmaps', namespace, labelSelector: cfg.labelSelector }),
        log,
        signal,
        onEvent,
        contentAnnotations: cfg.selectorAnnotations,
        trigger: cfg.trigger,
        stallTimeoutMs: cfg.stallTimeoutMs,
        exitOnError: cfg.exitOnError,
      }),
  );

  let exitCode: number = ExitCode.Ok;
  try {
    await Promise.all(reflectors.map((r) => r.run()));
  } catch (err) {
    exitCode = (err as { exitCode?: number }).exitCode ?? ExitCode.Failure;
    log.error(err instanceof Error ? err.message : String(err));
  }

  // Shutdown: stop intake, let running handlers finish, then kill the rest.
  const busy = queue.running;
  if (busy > 0) log.info(`shutting down: waiting up to ${formatDuration(cfg.shutdownGraceMs)} for ${busy} running handler(s)`);
  const drained = await queue.drain(cfg.shutdownGraceMs);
  if (drained.dropped.length) log.warn(`shutdown: dropped queued work for ${drained.dropped.join(', ')}`);
  if (drained.running.length) {
    log.error(`shutdown: killing handlers still running after ${formatDuration(cfg.shutdownGraceMs)}: ${drained.running.join(', ')}`);
    kill.abort();
    await queue.drain(cfg.killGraceMs + 2000);
    if (exitCode === ExitCode.Ok) exitCode = ExitCode.HandlersKilled;
  }
  await conn.close().catch(() => {});
  log.debug('stopped');
  return exitCode;
}
