/**
 * Adding or removing one finalizer of one object through the API, with the
 * tested JSON patches of api/finalizer-patch.ts. A patch the server refuses
 * because the list (or resourceVersion) it tested changed meanwhile (409 or
 * 422) is computed again from a fresh GET, a few times; a 404 means the
 * object is gone, which for a removal is as good as done.
 */
import { ApiError } from '../api/api-error.js';
import { addFinalizerPatch, isDeleting, removeFinalizerPatch } from '../api/finalizer-patch.js';
import { objectPath } from '../api/object-path.js';
import type { GroupVersionResource } from '../api/resource.js';
import type { K8sObject } from '../api/types.js';
import type { KubeClient } from './client.js';

/** Fresh reads before a conflicting patch is given up (the error is thrown then). */
const MAX_ATTEMPTS = 5;

export type FinalizerChange = 'changed' | 'unchanged' | 'gone';

export interface FinalizerTarget extends GroupVersionResource {
  /** For error hints: `configwatchers.k8spatterns.com`. */
  readonly canonical: string;
  readonly namespaced: boolean;
}

export interface ChangeFinalizerOptions {
  signal?: AbortSignal;
  /** Send the patch with dryRun=All: the server validates it, nothing persists. */
  dryRun?: boolean;
}

/**
 * Adds (`add`) or removes (`remove`) finalizer `name` on the object `obj` as
 * last seen. A finalizer is never added to an object already being deleted
 * (the API refuses it anyway): 'unchanged'.
 */
export async function changeFinalizer(
  client: KubeClient, r: FinalizerTarget, obj: K8sObject, name: string, mode: 'add' | 'remove', o: ChangeFinalizerOptions = {},
): Promise<FinalizerChange> {
  const path = objectPath({
    group: r.group, version: r.version, resource: r.resource, name: obj.metadata?.name as string,
    namespace: r.namespaced ? (obj.metadata?.namespace ?? undefined) : undefined,
  });
  const query = o.dryRun ? { dryRun: 'All' } : undefined;
  let current = obj;
  for (let attempt = 1; ; attempt++) {
    if (mode === 'add' && isDeleting(current)) return 'unchanged';
    const patch = mode === 'add' ? addFinalizerPatch(current, name) : removeFinalizerPatch(current, name);
    if (!patch) return 'unchanged';
    try {
      await client.json('PATCH', path, { body: patch, query, contentType: 'application/json-patch+json', verb: 'patch', resource: r.canonical, signal: o.signal });
      return 'changed';
    } catch (err) {
      if (isStatus(err, 404)) return 'gone';
      if (!(isStatus(err, 409) || isStatus(err, 422)) || attempt >= MAX_ATTEMPTS) throw err;
    }
    try {
      current = await client.json<K8sObject>('GET', path, { verb: 'get', resource: r.canonical, signal: o.signal });
    } catch (err) {
      if (isStatus(err, 404)) return 'gone';
      throw err;
    }
  }
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.status === status;
}
