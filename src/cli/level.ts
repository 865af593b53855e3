/**
 * Composes --state and --resync for `watch`: the store, the catch-up stage
 * between the reflectors and the intake, and the resync pacer. Without
 * either flag nothing here exists and events go straight to the intake.
 */
import type { KubeClient } from '../kube/client.js';
import type { HandlerEngine } from '../handlers/engine.js';
import type { Logger } from '../ops/log.js';
import type { Recorder } from '../ops/recorder.js';
import { StateStore } from '../ops/state-store.js';
import { ResyncPacer } from '../ops/resync-pacer.js';
import { formatDuration } from '../base/duration.js';
import type { WatchEvent } from '../api/types.js';
import { CatchUp } from './catch-up.js';
import type { IntakeEvent } from './intake.js';
import { stateNamespace } from './state-options.js';
import type { WatchConfig } from './options.js';

/** The engine's hooks, bound before the stage exists (the stage needs the engine). */
export interface LevelHooks {
  onHandled?: (key: string, ev: WatchEvent) => void;
  onGiveUp?: (key: string, ev: WatchEvent) => void;
  bind(stage: CatchUp): void;
}

export function levelHooks(cfg: Pick<WatchConfig, 'state'>): LevelHooks {
  let stage: CatchUp | undefined;
  if (cfg.state === undefined) return { bind: () => {} };
  return {
    onHandled: (_key, ev) => stage?.handled(ev),
    onGiveUp: (_key, ev) => stage?.gaveUp(ev),
    bind: (s) => { stage = s; },
  };
}

export interface LevelSetup {
  stage: CatchUp;
  /** Starts the pacer (with --resync) in the background. */
  startResync(signal: AbortSignal): void;
}

export interface LevelOptions {
  cfg: WatchConfig;
  client: KubeClient;
  namespaces: string[] | undefined;
  contextNamespace: string | undefined;
  podNamespace: string | undefined;
  engine: HandlerEngine;
  intake: (d: IntakeEvent) => void | Promise<void>;
  hooks: LevelHooks;
  multi: boolean;
  log: Logger;
  recorder: Recorder;
}

export function setUpLevel(o: LevelOptions): LevelSetup | undefined {
  const { cfg, log } = o;
  if (cfg.state === undefined && cfg.resyncMs === undefined) return undefined;
  const namespace = cfg.state === undefined ? undefined : stateNamespace(cfg.stateNamespace, o.namespaces, o.contextNamespace, o.podNamespace);
  const store = cfg.state === undefined ? undefined : new StateStore({ client: o.client, namespace: namespace!, name: cfg.state, log });
  const stage = new CatchUp({
    store, storeNamespace: namespace, engine: o.engine, forward: o.intake, log, multi: o.multi,
    keepObjects: cfg.resyncMs !== undefined || (store !== undefined && cfg.leaderElection !== undefined),
  });
  o.hooks.bind(stage);
  o.recorder.state(stage.readings());
  if (store) log.info(`state store: ConfigMap ${store.description} (label cmwatch.io/state=${cfg.state}); writes batched, at most one every 2s`);
  return {
    stage,
    startResync(signal) {
      if (cfg.resyncMs === undefined) return;
      const period = cfg.resyncMs;
      log.info(`resync: every ${formatDuration(period)}, each object again as SYNC, spread evenly over the period`);
      const pacer = new ResyncPacer({
        periodMs: period,
        keys: () => stage.resyncKeys(),
        deliver: (k) => stage.resync(k),
        busy: (k) => stage.busy(k),
        waiting: () => o.engine.depth > 0,
        acting: () => stage.acting(),
      });
      void pacer.run(signal);
    },
  };
}
