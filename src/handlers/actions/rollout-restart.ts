/**
 * --action rollout-restart: when a ConfigMap or Secret changes, restart the
 * workloads that use it the way `kubectl rollout restart` does (a change of
 * the pod template), but with the source's content hash instead of a time:
 * `cmwatch.io/configmap.<name>: <hash>` in spec.template.metadata.annotations.
 *
 * For each event of a source (SYNC at start, ADDED, MODIFIED) its targets
 * are found (restart-targets.ts) and each target's annotation for it is
 * compared with the source's current hash:
 *   - equal: up to date, nothing to do (a restart of cmwatch, a no-op update);
 *   - different: restart (so a change made while cmwatch was down is caught
 *     at start, and content that goes back to an earlier version rolls too);
 *   - absent: restart only on MODIFIED (a change seen live). At start (SYNC)
 *     and for a new source (ADDED) the target is taken as up to date: writing
 *     the first annotation would itself roll it, so installing cmwatch rolls
 *     nothing. From its first restart on, a target is level-triggered.
 * Restarts are then debounced, throttled and performed by the Restarter.
 */
import type { WatchEvent } from '../../api/types.js';
import type { Logger } from '../../base/logger.js';
import { oneLine } from '../../base/errors.js';
import { fingerprint } from '../../watch/fingerprint.js';
import { configMapContent } from '../../watch/content.js';
import type { ActionResult } from '../action-run.js';
import { sourceAnnotationKey, sourceKindWord } from './restart-annotations.js';
import { TargetFinder, workloadLabel } from './restart-targets.js';
import { templateAnnotations } from './restart-patch.js';
import type { Restarter } from './restarter.js';

export interface RolloutRestartDeps {
  finder: TargetFinder;
  restarter: Restarter;
  log: Logger;
  /** For the hash of an event that carries none (a replayed recording). */
  selectorAnnotations: readonly string[];
}

export async function rolloutRestart(ev: WatchEvent, key: string, d: RolloutRestartDeps, signal: AbortSignal): Promise<ActionResult> {
  if (ev.type === 'DELETED') return { ok: true };
  const meta = ev.object.metadata ?? {};
  const ns = meta.namespace;
  const name = meta.name;
  if (!ns || !name) {
    d.log.debug(`rollout-restart ${key}: not a namespaced object; nothing to restart`);
    return { ok: true };
  }
  const kindWord = sourceKindWord(ev.object.kind ?? ev.resource?.kind, ev.resource?.name.split('.')[0]);
  const hash = ev.hash ?? fingerprint(configMapContent(d.selectorAnnotations)(ev.object));
  const annotation = sourceAnnotationKey(kindWord, name);
  const label = `${kindWord} ${ns}/${name}`;
  let targets;
  try {
    targets = await d.finder.find({ namespace: ns, kindWord, name, object: ev.object, label }, signal);
  } catch (err) {
    if (signal.aborted) return { ok: false, reason: 'stopped' };
    d.log.error(`rollout-restart ${label}: finding its workloads failed: ${oneLine(err)}`, { key });
    return { ok: false, reason: 'finding targets failed' };
  }
  if (targets.length === 0) d.log.debug(`rollout-restart ${label}: no workload to restart`);
  for (const t of targets) {
    const current = templateAnnotations(t.object)[annotation];
    if (current === hash) {
      d.log.debug(`rollout-restart ${workloadLabel(t)}: up to date with ${label}`);
    } else if (current === undefined && ev.type !== 'MODIFIED') {
      d.log.debug(`rollout-restart ${workloadLabel(t)}: carries no ${annotation} yet; taken as up to date`);
    } else {
      d.restarter.request(t, { key: annotation, hash, source: `${kindWord} ${name}` });
    }
  }
  return { ok: true };
}
