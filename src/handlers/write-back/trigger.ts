/**
 * The triggering object of a write-back: what `status` without `of`
 * patches, what an Event is about by default, and the owner an applied
 * child gets, with the ownerReference the API expects for it.
 */
import type { WatchEvent } from '../../api/types.js';
import type { ObjectTarget } from './protocol.js';

export interface Trigger extends ObjectTarget {
  uid?: string;
}

/** The event's object as a target: its apiVersion and kind as watched (or as recorded), its name, namespace and uid. */
export function triggerOf(ev: WatchEvent): Trigger {
  const m = ev.object.metadata ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    apiVersion: ev.resource?.apiVersion ?? str(ev.object.apiVersion),
    kind: ev.resource?.kind ?? str(ev.object.kind),
    name: m.name ?? '',
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
  };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

/** The controller reference to the trigger (its uid must be known). */
export function ownerReference(t: Trigger & { uid: string }): OwnerReference {
  return { apiVersion: t.apiVersion, kind: t.kind, name: t.name, uid: t.uid, controller: true, blockOwnerDeletion: true };
}

/** `ns/name`, or `name` for a cluster-scoped object. */
export function targetText(t: { name: string; namespace?: string }): string {
  return t.namespace ? `${t.namespace}/${t.name}` : t.name;
}
