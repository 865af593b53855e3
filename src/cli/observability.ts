/**
 * `watch`'s health and metrics: readiness from the reflectors' hooks,
 * liveness from the event loop, the Prometheus recorder (prom-client is
 * loaded only with --metrics-addr), and the servers. Started before cmwatch
 * connects, so a listener that cannot be opened is an error at start (exit 2)
 * and /healthz answers while the connection is being resolved.
 */
import type { Logger } from '../ops/log.js';
import { Liveness } from '../ops/liveness.js';
import { Readiness } from '../ops/readiness.js';
import { noRecorder, type Recorder } from '../ops/recorder.js';
import { CmwatchError } from '../base/errors.js';
import { ListenError, startObserveServers, type Listener, type ObserveServers } from '../ops/health-server.js';
import type { ObserveConfig } from './observe-options.js';
import type { ReflectorObserver } from './reflectors.js';

const LISTENER_FLAGS: Readonly<Record<Listener, string>> = { health: '--health-addr', metrics: '--metrics-addr' };

/** A listener that cannot be opened, with the flag that gave its address in front: `--health-addr: cannot listen on …`. */
function withListenerFlag(err: unknown): unknown {
  if (!(err instanceof ListenError)) return err;
  return new CmwatchError(err.code, `${LISTENER_FLAGS[err.listener]}: ${err.message}`, { hint: err.hint, cause: err });
}

export interface Observability {
  recorder: Recorder;
  readiness: Readiness;
  /** For runReflectors: readiness hooks and metrics for each reflector. */
  observer: ReflectorObserver;
  close(): Promise<void>;
}

export async function startObservability(cfg: ObserveConfig & { stallTimeoutMs: number }, log: Logger): Promise<Observability> {
  const readiness = new Readiness(cfg.stallTimeoutMs);
  let recorder: Recorder = noRecorder;
  let render: (() => Promise<{ contentType: string; body: string }>) | undefined;
  if (cfg.metricsAddr) {
    const { createPrometheus } = await import('../ops/prometheus.js');
    const p = await createPrometheus();
    recorder = p.recorder;
    render = async () => ({ contentType: p.contentType, body: await p.render() });
  }
  recorder.watching(() => readiness.watching);
  const liveness = cfg.healthAddr ? new Liveness() : undefined;
  let servers: ObserveServers | undefined;
  if (cfg.healthAddr || cfg.metricsAddr) {
    try {
      servers = await startObserveServers({
        health: cfg.healthAddr, metrics: cfg.metricsAddr, log,
        endpoints: { liveness: liveness && (() => liveness.check()), readiness: () => readiness.check(), metrics: render },
      });
    } catch (err) {
      liveness?.stop();
      throw withListenerFlag(err);
    }
    const { health, metrics } = servers.urls;
    if (health && health === metrics) log.info(`health and metrics on ${health} (/healthz, /readyz, /metrics)`, { addr: cfg.healthAddr!.text });
    else {
      if (health) log.info(`health on ${health} (/healthz, /readyz)`, { addr: cfg.healthAddr!.text });
      if (metrics) log.info(`metrics on ${metrics}/metrics`, { addr: cfg.metricsAddr!.text });
    }
  }
  return {
    recorder,
    readiness,
    observer: {
      hooks: (label) => readiness.track(label),
      created: (r) => recorder.reflector(r.stats),
      waiting: (label) => readiness.wait(label),
    },
    close: async () => {
      liveness?.stop();
      await servers?.close();
    },
  };
}
