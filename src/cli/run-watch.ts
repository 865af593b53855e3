/**
 * `cmwatch` / `cmwatch watch`: composes connection → reflectors → queue →
 * handlers, and drains on shutdown.
 */
import { KubeClient } from '../kube/client.js';
import { proxyConnection } from '../kube/connection.js';
import { HandlerEngine } from '../handlers/engine.js';
import { deletePods } from '../handlers/delete-pods.js';
import { Logger } from '../util/log.js';
import { ExitCode } from '../util/exit-codes.js';
import type { WatchConfig } from './options.js';
import { makeIntake } from './intake.js';
import { runReflectors } from './reflectors.js';

export async function runWatch(cfg: WatchConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const conn = proxyConnection(cfg.server);
  const client = new KubeClient(conn);
  const where = cfg.namespaces ? `namespace${cfg.namespaces.length > 1 ? 's' : ''} ${cfg.namespaces.join(', ')}` : 'all namespaces';
  log.info(`using ${conn.server} via ${conn.description}; watching configmaps in ${where}`);

  const actionOn = new Set<string>(['MODIFIED']);
  const engine = new HandlerEngine({
    execs: cfg.handlers,
    execDir: cfg.execDir,
    action: cfg.action === 'delete-pods'
      ? (ev, key) => deletePods(ev, key, { client, log, annotations: cfg.selectorAnnotations, dryRun: cfg.dryRun })
      : undefined,
    handlersOn: cfg.on,
    actionOn,
    contract: { server: conn.server, selectorAnnotations: cfg.selectorAnnotations },
    log,
    timeoutMs: cfg.timeoutMs,
    killGraceMs: cfg.killGraceMs,
    concurrency: cfg.concurrency,
    coalesce: cfg.coalesce,
    maxRetries: cfg.maxRetries,
    retryBaseMs: cfg.retryBaseMs,
    retryMaxMs: cfg.retryMaxMs,
  });
  engine.announce();
  const onEvent = makeIntake({ log, output: cfg.output, on: cfg.on, selectorAnnotations: cfg.selectorAnnotations, engine });

  // A fatal error in one namespace's reflector stops the others (runReflectors).
  let exitCode = await runReflectors(cfg, client, log, signal, onEvent);

  // Shutdown: stop intake, let running handlers finish, then kill the rest.
  const down = await engine.shutdown(cfg.shutdownGraceMs);
  if (down.killed.length > 0 && exitCode === ExitCode.Ok) exitCode = ExitCode.HandlersKilled;
  await conn.close().catch(() => {});
  log.debug('stopped');
  return exitCode;
}
