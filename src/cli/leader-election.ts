/**
 * `watch --leader-elect`: the Lease's namespace, the elector, and what
 * leadership switches. The engine starts paused; acquiring the Lease resumes
 * it, losing it pauses it at once. Events that arrived while this instance
 * was a standby are not replayed when it takes over: its watch and change
 * detection were kept current, so only changes after the take-over are acted
 * on (no restart storm on a leader change).
 */
import type { KubeClient } from '../kube/client.js';
import type { HandlerEngine } from '../handlers/engine.js';
import { LeaderElector } from '../ops/leader-elector.js';
import { LeaseLock } from '../ops/lease-lock.js';
import type { Recorder } from '../ops/recorder.js';
import type { Logger } from '../ops/log.js';
import type { LeaderElectionConfig } from './leader-options.js';

/**
 * --lease-namespace, else the pod's namespace (the service account's
 * namespace file, read and checked once by src/kube/resolve.ts), else the
 * one watched namespace, else the context's, else "default".
 */
export function leaseNamespace(
  flag: string | undefined, watched: string[] | undefined, contextNamespace: string | undefined, podNamespace: string | undefined,
): { namespace: string; from: string } {
  if (flag) return { namespace: flag, from: '--lease-namespace' };
  if (podNamespace) return { namespace: podNamespace, from: "the pod's namespace" };
  if (watched?.length === 1) return { namespace: watched[0]!, from: 'the watched namespace' };
  if (contextNamespace) return { namespace: contextNamespace, from: "the context's namespace" };
  return { namespace: 'default', from: 'the default' };
}

export interface LeadershipOptions {
  cfg: LeaderElectionConfig;
  client: KubeClient;
  namespaces: string[] | undefined;
  contextNamespace: string | undefined;
  /** The pod's namespace, when in a pod (ResolvedConnection.podNamespace). */
  podNamespace: string | undefined;
  engine: HandlerEngine;
  recorder: Recorder;
  log: Logger;
  /** --state: reads the store when leadership is taken, calling `resume` once it may act. */
  takeOver?: (resume: () => void) => Promise<void>;
  /** --state: leadership lost (after the engine paused). */
  onLost?: () => void;
}

export function startLeaderElection(o: LeadershipOptions): LeaderElector {
  const { cfg, log, engine, recorder } = o;
  const where = leaseNamespace(cfg.leaseNamespace, o.namespaces, o.contextNamespace, o.podNamespace);
  const lock = new LeaseLock(o.client, where.namespace, cfg.leaseName);
  log.info(`leader election: lease ${lock.description} (${where.from}) as ${cfg.identity}; standing by until it is acquired`, { reason: 'standby' });
  const elector = new LeaderElector({
    lock, identity: cfg.identity, log,
    leaseDurationMs: cfg.leaseDurationMs, renewDeadlineMs: cfg.renewDeadlineMs, retryPeriodMs: cfg.retryPeriodMs,
    onStartedLeading: () => {
      const resume = () => {
        engine.resume();
        recorder.leader(true);
      };
      if (!o.takeOver) return resume();
      o.takeOver(resume).catch((err: unknown) => log.error(`taking over: ${err instanceof Error ? err.message : String(err)}`, { reason: 'leader_election' }));
    },
    onStoppedLeading: () => {
      engine.pause('lost the lease');
      recorder.leader(false);
      o.onLost?.();
    },
  });
  elector.start();
  return elector;
}
