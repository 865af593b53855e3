/**
 * Content of objects other than ConfigMaps and Secrets (content.ts chooses):
 *
 *   - an object with `metadata.generation` (Deployments, CRs with a status
 *     subresource, …): its generation, labels and annotations. The API
 *     server bumps the generation on every change of the spec (and when a
 *     deletion starts) but never on a write of status, so a status-only
 *     update, such as an operator's own status write, is not a change;
 *   - any other object: the whole object minus `metadata.resourceVersion`,
 *     `metadata.managedFields`, `metadata.generation` and `status`.
 *
 * Bookkeeping annotations (IGNORED_ANNOTATIONS) never count in either: they
 * are written by kubectl or a built-in controller as a record of a change
 * whose effect is already counted (the spec it copies, or the generation it
 * follows), so counting them would deliver one change twice, or a change
 * that changed nothing (an `apply` that drops a field equal to its default
 * rewrites last-applied-configuration and nothing else).
 */
import { canonicalRecord, canonicalText } from './canonical.js';
import type { ContentFunction } from './content.js';
import type { K8sObject } from '../api/types.js';

/**
 * Annotations that are not content. `last-applied-configuration`: kubectl's
 * copy of the manifest last applied (client-side apply); the deployment
 * controller's `revision` and `revision-history`: written after it acted on
 * a new generation.
 */
export const IGNORED_ANNOTATIONS: readonly string[] = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
];
const IGNORED = new Set(IGNORED_ANNOTATIONS);

/** The annotations that count (undefined when none does, as when the object has none). */
function countedAnnotations(ann: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!ann) return undefined;
  let out: Record<string, string> | undefined;
  for (const k of Object.keys(ann)) {
    if (IGNORED.has(k)) continue;
    (out ??= {})[k] = ann[k]!;
  }
  return out;
}

/** Whether the object carries a generation (the API sets it on creation for every resource that keeps one). */
export function hasGeneration(obj: K8sObject): boolean {
  const g = obj.metadata?.['generation'];
  return typeof g === 'number';
}

/**
 * Generation content: `g` + generation + `|l` + labels + `|a` + annotations,
 * each in canonical text (canonical.ts); no labels and an empty map are the
 * same (the API omits an empty map).
 */
export const generationContent: ContentFunction = (obj) => {
  const m = obj.metadata ?? {};
  return 'g' + canonicalText(m['generation']) + '|l' + canonicalRecord(m.labels ?? {}) +
    '|a' + canonicalRecord(countedAnnotations(m.annotations) ?? {});
};

/**
 * Whole-object content: `o` + the canonical text of the object without
 * status, resourceVersion, managedFields, generation and the ignored
 * annotations. Only the top level and metadata are copied (shallowly).
 */
export const objectContent: ContentFunction = (obj) => {
  const rest: Record<string, unknown> = { ...obj, status: undefined };
  if (obj.metadata) {
    rest['metadata'] = {
      ...obj.metadata,
      resourceVersion: undefined,
      managedFields: undefined,
      generation: undefined,
      annotations: countedAnnotations(obj.metadata.annotations),
    };
  }
  return 'o' + canonicalRecord(rest);
};

/** Per object: generation content if it has a generation, else whole-object content. */
export const defaultObjectContent: ContentFunction = (obj) =>
  hasGeneration(obj) ? generationContent(obj) : objectContent(obj);
