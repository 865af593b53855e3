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
import { makeEventPrinter } from './event-printer.js';
import { writeStdout } from './stdout.js';
import { runReflectors } from './reflectors.js';
import { watchTargets } from './watch-targets.js';
import { connect, handlerBaseEnv } from './connect.js';
import { startObservability } from './observability.js';
import { startLeaderElection } from './leader-election.js';
import { Discovery } from '../kube/discovery.js';
import { LiveWriteBack } from '../handlers/write-back/live.js';
import { Operator } from './operator.js';
import { levelHooks, setUpLevel } from './level.js';

export async function runWatch(cfg: WatchConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  // Before anything starts: a template the JSONPath library rejects is a usage error.
  const print = await makeEventPrinter(cfg.output);
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

  // --snapshot and --finalizer: hooks of the engine, resolved with the watched resources.
  // (engine is read when an event arrives, after it is created)
  const operator = Operator.create(cfg, { client, log, acting: () => engine.acting, observer: observe.observer });
  const hooks = levelHooks(cfg);
  const engine = new HandlerEngine({
    ...engineOptionsOf(cfg),
    snapshots: operator?.snapshots,
    finalize: operator?.finalizers,
    onHandled: hooks.onHandled,
    onGiveUp: hooks.onGiveUp,
    action: cfg.action === undefined
      ? undefined
      : bindAction(cfg.action, {
        client, log, selectorAnnotations: cfg.selectorAnnotations, dryRun: cfg.dryRun, signal, restart: cfg.restart, evict: cfg.evict,
        print: (line) => void writeStdout(line + '\n'), onRestartsPending: (read) => observe.recorder.restartsPending(read),
      }),
    contract: { server: handlerProxy?.url ?? conn.server, selectorAnnotations: cfg.selectorAnnotations, baseEnv: handlerBaseEnv(connected) },
    log,
    // Handlers' CMWATCH_OUTPUT lines, applied through the API (discovery maps their kinds to resources).
    writeBack: new LiveWriteBack({ client, discovery: new Discovery(client, { signal }), log, fieldManager: cfg.fieldManager, dryRun: cfg.dryRun }),
    onRun: (handler, result, seconds) => observe.recorder.handlerRun(handler, result, seconds),
    // Under leader election nothing runs until the Lease is acquired.
    paused: cfg.leaderElection !== undefined,
  });
  engine.announce();
  const { recorder } = observe;
  recorder.queue({ depth: () => engine.depth, givenUp: () => engine.stats.givenUp, coalesceFallbacks: () => engine.stats.coalesceFallbacks });
  recorder.leader(cfg.leaderElection === undefined);
  const intake = makeIntake({ log, print, on: cfg.on, selectorAnnotations: cfg.selectorAnnotations, engine, recorder });
  // --state / --resync: the catch-up stage sits between the reflectors and the intake (level.ts).
  const level = setUpLevel({
    cfg, client, namespaces, contextNamespace: connected.namespace, podNamespace: connected.podNamespace, engine, intake, hooks,
    multi: cfg.resources.length > 1, log, recorder,
  });
  const onEvent = level ? (d: Parameters<typeof intake>[0]) => level.stage.deliver(d) : intake;
  const elector = cfg.leaderElection && startLeaderElection({
    cfg: cfg.leaderElection, client, namespaces, contextNamespace: connected.namespace, podNamespace: connected.podNamespace, engine, recorder, log,
    ...(level && cfg.state !== undefined ? { takeOver: (resume: () => void) => level.stage.lead(resume, signal), onLost: () => level.stage.lost() } : {}),
  });

  // Resolving the RESOURCEs may wait for discovery; a bad name exits 2 before anything ran.
  let exitCode: number = ExitCode.Ok;
  let watched;
  try {
    watched = await watchTargets(cfg, client, log, signal);
    if (watched && operator && !(await operator.resolve(watched, namespaces, signal))) watched = undefined;
    // Without leader election the store is read now, before any list; with it, when the Lease is taken.
    if (watched && level && !elector) await level.stage.start(signal);
  } catch (err) {
    await engine.shutdown(0);
    await operator?.close();
    await elector?.stop();
    await observe.close();
    await handlerProxy?.close().catch(() => {});
    await conn.close().catch(() => {});
    throw err;
  }
  // A fatal error in one reflector stops the others (runReflectors).
  level?.startResync(signal);
  if (watched) {
    const w = watched;
    const listed = level ? (r: Parameters<typeof level.stage.listed>[0], ns: Parameters<typeof level.stage.listed>[1]) => level.stage.listed(r, ns) : undefined;
    const run = (s: AbortSignal) => runReflectors(
      { ...cfg, namespaces, finalizerOf: operator?.finalizerOf }, w, client, log, s, operator?.intake(onEvent) ?? onEvent, observe.observer, listed,
    );
    exitCode = await (operator ? operator.runAlongside(signal, run) : run(signal));
  }

  // Shutdown: stop intake, let running handlers finish, then kill the rest;
  // only then give up the Lease (client-go's ReleaseOnCancel contract).
  const down = await engine.shutdown(cfg.shutdownGraceMs);
  await operator?.close();
  if (down.killed.length > 0 && exitCode === ExitCode.Ok) exitCode = ExitCode.HandlersKilled;
  // What was handled is flushed before the Lease is released: the next leader reads it.
  await level?.stage.close();
  await elector?.stop();
  await observe.close();
  await handlerProxy?.close().catch(() => {});
  await conn.close().catch(() => {});
  log.debug('stopped');
  return exitCode;
}
