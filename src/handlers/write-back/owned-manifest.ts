/**
 * An `apply` line's manifest as it is sent: its namespace settled and, unless
 * `"owned": false`, a controller ownerReference to the triggering object.
 *
 * What the API (and its garbage collector) would reject is refused here, so
 * that nothing of the run is applied:
 * - a namespaced owner can only own objects of its own namespace;
 * - a cluster-scoped object cannot have a namespaced owner (the collector
 *   treats the reference as unresolvable);
 * - an object has at most one controller reference;
 * - a cluster-scoped kind takes no metadata.namespace, a namespaced one needs
 *   one (the event's, by default).
 * Offline (replay) the scope is unknown: the namespace defaults to the
 * event's, as it would for a namespaced kind.
 */
import { isRecord } from '../../base/records.js';
import type { K8sObject } from '../../api/types.js';
import { ownerReference, type Trigger } from './trigger.js';

type Fail = (why: string, hint?: string) => never;

/** `childNamespaced`: the kind's scope from discovery; undefined when unknown (replay). */
export function ownedManifest(m: K8sObject, owned: boolean, t: Trigger, childNamespaced: boolean | undefined, fail: Fail): K8sObject {
  const meta = { ...(m.metadata ?? {}) };
  const kind = m.kind ?? 'object';
  const given = meta.namespace;
  let ns: string | undefined;
  if (childNamespaced === false) {
    if (given !== undefined) fail(`apply: ${kind} is cluster-scoped but the manifest has metadata.namespace`, 'remove metadata.namespace');
  } else {
    ns = given ?? t.namespace;
    if (ns === undefined) fail(`apply: ${kind} is namespaced and the triggering object is cluster-scoped: no namespace to default to`, 'give metadata.namespace');
  }
  if (ns !== undefined) meta.namespace = ns;
  if (owned) meta.ownerReferences = ownerRefs(meta.ownerReferences, kind, ns, childNamespaced, t, fail);
  return { ...m, metadata: meta };
}

function ownerRefs(existing: unknown, kind: string, ns: string | undefined, childNamespaced: boolean | undefined, t: Trigger, fail: Fail): unknown[] {
  const notOwned = 'add "owned": false to apply it without an owner';
  if (!t.uid) fail('apply: the triggering object has no metadata.uid to own the object', notOwned);
  if (t.namespace !== undefined && childNamespaced === false) {
    fail(`apply: a cluster-scoped ${kind} cannot be owned by the namespaced ${t.kind} ${t.namespace}/${t.name}`, notOwned);
  }
  if (t.namespace !== undefined && ns !== undefined && ns !== t.namespace) {
    fail(`apply: owner in another namespace: ${kind} in "${ns}" cannot be owned by ${t.kind} ${t.namespace}/${t.name}`, `apply it in "${t.namespace}", or ${notOwned}`);
  }
  const refs = Array.isArray(existing) ? existing.filter((r) => !(isRecord(r) && r.uid === t.uid)) : [];
  if (refs.some((r) => isRecord(r) && r.controller === true)) {
    fail('apply: the manifest already has a controller ownerReference; an object has at most one', notOwned);
  }
  return [...refs, ownerReference({ ...t, uid: t.uid })];
}
