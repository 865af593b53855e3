/**
 * One eviction through the Eviction API (`policy/v1`): POST
 * `pods/NAME/eviction`, preconditioned on the pod's UID so that a
 * replacement of the same name is never evicted. The API server checks the
 * pod's PodDisruptionBudgets: an eviction that would break one is refused
 * with 429, and its `details.causes` name the budget
 * ("The disruption budget web-pdb needs 2 healthy pods and has 2 currently").
 */
import type { KubeClient } from '../../kube/client.js';
import { ApiError } from '../../api/api-error.js';
import { objectPath } from '../../api/object-path.js';

export type EvictionResult =
  | { kind: 'evicted' }
  /** Already gone (404), or replaced under the same name (409: the UID precondition failed). */
  | { kind: 'gone'; status: number }
  /** Refused by a disruption budget (429): `budget` is its name when the answer gives it, `message` the server's words. */
  | { kind: 'budget'; budget: string | undefined; message: string; retryAfterMs: number | undefined };

/** The budget's name from a 429's details.causes (or its message), if there. */
export function budgetOf(err: ApiError): { budget: string | undefined; message: string } {
  const st = err.statusObject;
  const causes = st?.details?.causes ?? [];
  const texts = [...causes.map((c) => c.message ?? ''), st?.message ?? ''];
  for (const t of texts) {
    const m = /disruption budget "?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)"?/i.exec(t);
    if (m) return { budget: m[1], message: causes.find((c) => c.message)?.message ?? st?.message ?? err.message };
  }
  return { budget: undefined, message: st?.message ?? err.message };
}

/** Evicts one pod; throws on anything but success, 404, 409 and 429. */
export async function evictPod(client: KubeClient, ns: string, name: string, uid: string, signal?: AbortSignal): Promise<EvictionResult> {
  try {
    await client.json('POST', objectPath({ resource: 'pods', namespace: ns, name, subresource: 'eviction' }), {
      body: {
        apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns },
        deleteOptions: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } },
      },
      signal, verb: 'create', resource: 'pods/eviction',
    });
    return { kind: 'evicted' };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) return { kind: 'gone', status: err.status };
    if (err instanceof ApiError && err.status === 429) return { kind: 'budget', ...budgetOf(err), retryAfterMs: err.retryAfterMs };
    throw err;
  }
}
