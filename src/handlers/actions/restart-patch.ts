/**
 * The restart itself: a JSON merge patch (it works on every kind, custom
 * resources included) of `spec.template.metadata.annotations`, one key per
 * changed source holding its content hash. Only the keys whose value
 * differs are written; no difference, no patch, no rollout.
 */
import type { K8sObject } from '../../api/types.js';
import { isRecord } from '../../base/records.js';

export const MERGE_PATCH = 'application/merge-patch+json';

/** One source's wanted annotation on a target. */
export interface SourceChange {
  /** `cmwatch.io/configmap.webapp-config`. */
  key: string;
  hash: string;
  /** `configmap webapp-config`, for logs and the Event. */
  source: string;
}

/** The pod template's annotations (empty when there are none). */
export function templateAnnotations(obj: K8sObject): Record<string, string> {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  const tmpl = spec && isRecord(spec.template) ? spec.template : undefined;
  const meta = tmpl && isRecord(tmpl.metadata) ? tmpl.metadata : undefined;
  const ann = meta && isRecord(meta.annotations) ? meta.annotations : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ann)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The changes whose hash differs from the template's annotation. */
export function outdated(obj: K8sObject, changes: Iterable<SourceChange>): SourceChange[] {
  const have = templateAnnotations(obj);
  return [...changes].filter((c) => have[c.key] !== c.hash);
}

/** The merge patch that writes these changes. */
export function restartPatch(changes: readonly SourceChange[]): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  for (const c of [...changes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) annotations[c.key] = c.hash;
  return { spec: { template: { metadata: { annotations } } } };
}

/** True when the workload is paused (`spec.paused`, Deployments and Argo Rollouts): it is left alone. */
export function isPaused(obj: K8sObject): boolean {
  return isRecord(obj.spec) && obj.spec.paused === true;
}
