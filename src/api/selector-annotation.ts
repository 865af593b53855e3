/**
 * The selector annotation: the annotation(s) of an object that carry a pod
 * selector (the book's `k8spatterns.io/podDeleteSelector`). It is part of
 * the resource model because the handler contract (CMWATCH_SELECTOR), the
 * delete-pods action, the log line and change detection all read it.
 */
import type { K8sObject } from './types.js';

/** The annotations that carry a ConfigMap's pod selector, first match wins (the book's, and its .com variant). */
export const DEFAULT_SELECTOR_ANNOTATIONS = ['k8spatterns.io/podDeleteSelector', 'k8spatterns.com/podDeleteSelector'] as const;

/**
 * The value of the first of `annotations` the object has, or undefined. A
 * value that is not a string (the API never sends one; a broken proxy might)
 * is returned as '', which no selector parses: it deletes nothing.
 */
export function selectorOf(obj: K8sObject, annotations: readonly string[]): string | undefined {
  const ann: unknown = obj.metadata?.annotations;
  if (!ann || typeof ann !== 'object') return undefined;
  for (const a of annotations) {
    const v = (ann as Record<string, unknown>)[a];
    if (v !== undefined) return typeof v === 'string' ? v : '';
  }
  return undefined;
}
