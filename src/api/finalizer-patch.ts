/**
 * The JSON patches (RFC 6902, `application/json-patch+json`) that add or
 * remove one finalizer and never touch another: each first tests the list
 * as it was read, so a list someone changed meanwhile makes the server
 * refuse the patch (the caller reads the object again and retries) rather
 * than lose their change. An object without a finalizer list has nothing to
 * test: the patch then tests the object's resourceVersion instead.
 */
import type { K8sObject } from './types.js';

export type JsonPatchOp =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** The object's finalizers (absent or malformed: none). */
export function finalizersOf(obj: K8sObject): string[] {
  const f = obj.metadata?.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

export function hasFinalizer(obj: K8sObject, name: string): boolean {
  return finalizersOf(obj).includes(name);
}

export function isDeleting(obj: K8sObject): boolean {
  const t = obj.metadata?.deletionTimestamp;
  return typeof t === 'string' && t !== '';
}

/** The patch adding `name`, or undefined when it is there already. */
export function addFinalizerPatch(obj: K8sObject, name: string): JsonPatchOp[] | undefined {
  const raw = obj.metadata?.finalizers;
  if (Array.isArray(raw)) {
    if (raw.includes(name)) return undefined;
    return [
      { op: 'test', path: '/metadata/finalizers', value: raw },
      { op: 'add', path: '/metadata/finalizers/-', value: name },
    ];
  }
  const rv = obj.metadata?.resourceVersion;
  return [
    ...(typeof rv === 'string' && rv !== '' ? [{ op: 'test' as const, path: '/metadata/resourceVersion', value: rv }] : []),
    { op: 'add', path: '/metadata/finalizers', value: [name] },
  ];
}

/** The patch removing every `name` entry (and nothing else), or undefined when there is none. */
export function removeFinalizerPatch(obj: K8sObject, name: string): JsonPatchOp[] | undefined {
  const raw = obj.metadata?.finalizers;
  if (!Array.isArray(raw) || !raw.includes(name)) return undefined;
  const ops: JsonPatchOp[] = [{ op: 'test', path: '/metadata/finalizers', value: raw }];
  // From the end, so each index still points at the entry it was computed for.
  for (let i = raw.length - 1; i >= 0; i--) if (raw[i] === name) ops.push({ op: 'remove', path: `/metadata/finalizers/${i}` });
  return ops;
}
