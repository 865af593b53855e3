/**
 * `cmwatch` / `cmwatch watch`: composes connection → reflectors → queue →
 * handlers, with health and metrics servers and leader election when asked,
 * and drains on shutdown: handlers finish, then the Lease is released, so a
 * standby takes over only once this instance has stopped acting.
 */
import { RAISE_REQUEST_TIMEOUT } from './connection-hints.js';
import { KubeClient } from '../kube/client.js';
import { startHandlerProxy, type HandlerProxy } from '../kube/handler-proxy.js';
import { HandlerEngine } from '../handlers/engine.js';
import { engineOptionsOf } from './handler-options.js';
import { bindAction } from '../handlers/actions/registry.js';
import { Logger } from '../ops/log.js';
import { ExitCode } from './exit-codes.js';
import type { WatchConfig } from './options.js';
import { makeIntake } from './intake.js';
import { writeStdout } from './stdout.js';
import { runReflectors } from './reflectors.js';
import { watchTargets } from './watch-targets.js';
import { connect, handlerBaseEnv } from './connect.js';
import { startObservability } from './observability.js';
import { startLeaderElection } from './leader-election.js';

export async function runWatch(cfg: WatchConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const observe = await startObservability(cfg, log);
  let connected;
  try {
    connected = await connect(cfg, log);
  } catch (err) {
    await observe.close();
    throw err;
  }
  const { conn, namespaces } = connected;
  const client = new KubeClient(conn, { requestTimeoutMs: cfg.requestTimeoutMs, raiseTimeoutHint: RAISE_REQUEST_TIMEOUT });
  log.info(`${connected.summary}; watching ${connected.where}`);
  let handlerProxy: HandlerProxy | undefined;
  if (cfg.handlerProxy) {
    try {
      handlerProxy = await startHandlerProxy(conn, log);
    } catch (err) {
      await conn.close().catch(() => {});
      await observe.close();
      throw err;
    }
    log.info(`handler proxy on ${handlerProxy.url} (handlers get it as CMWATCH_SERVER) → ${conn.server}`);
  }

  const engine = new HandlerEngine({
    ...engineOptionsOf(cfg),
    action: cfg.action === undefined
      ? undefined
      : bindAction(cfg.action, {
        client, log, selectorAnnotations: cfg.selectorAnnotations, dryRun: cfg.dryRun, signal, restart: cfg.restart, evict: cfg.evict,
        print: (line) => void writeStdout(line + '\n'), onRestartsPending: (read) => observe.recorder.restartsPending(read),
      }),
    contract: { server: handlerProxy?.url ?? conn.server, selectorAnnotations: cfg.selectorAnnotations, baseEnv: handlerBaseEnv(connected) },
    log,
    onRun: (handler, result, seconds) => observe.recorder.handlerRun(handler, result, seconds),
    // Under leader election nothing runs until the Lease is acquired.
    paused: cfg.leaderElection !== undefined,
  });
  engine.announce();
  const { recorder } = observe;
  recorder.queue({ depth: () => engine.depth, givenUp: () => engine.stats.givenUp, coalesceFallbacks: () => engine.stats.coalesceFallbacks });
  recorder.leader(cfg.leaderElection === undefined);
  const onEvent = makeIntake({ log, output: cfg.output, on: cfg.on, selectorAnnotations: cfg.selectorAnnotations, engine, recorder });
  const elector = cfg.leaderElection && startLeaderElection({
    cfg: cfg.leaderElection, client, namespaces, contextNamespace: connected.namespace, podNamespace: connected.podNamespace, engine, recorder, log,
  });

  // Resolving the RESOURCEs may wait for discovery; a bad name exits 2 before anything ran.
  let exitCode: number = ExitCode.Ok;
  let watched;
  try {
    watched = await watchTargets({ ...cfg, namespaces }, client, log, signal);
  } catch (err) {
    await engine.shutdown(0);
    await elector?.stop();
    await observe.close();
    await handlerProxy?.close().catch(() => {});
    await conn.close().catch(() => {});
    throw err;
  }
  // A fatal error in one reflector stops the others (runReflectors).
  if (watched) exitCode = await runReflectors({ ...cfg, namespaces }, watched, client, log, signal, onEvent, observe.observer);

  // Shutdown: stop intake, let running handlers finish, then kill the rest;
  // only then give up the Lease (client-go's ReleaseOnCancel contract).
  const down = await engine.shutdown(cfg.shutdownGraceMs);
  if (down.killed.length > 0 && exitCode === ExitCode.Ok) exitCode = ExitCode.HandlersKilled;
  await elector?.stop();
  await observe.close();
  await handlerProxy?.close().catch(() => {});
  await conn.close().catch(() => {});
  log.debug('stopped');
  return exitCode;
}
