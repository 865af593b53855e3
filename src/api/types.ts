/** The API shapes cmwatch reads. Only the fields it uses are typed. */
import type { K8sStatus } from './api-error.js';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

/** The content fields of a ConfigMap or Secret, typed for the content function and the tests that read them. */
export interface DataFields {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Any object of any resource; only the fields every object has are typed. */
export interface K8sObject extends DataFields {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

export interface K8sList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items?: K8sObject[];
}

/** What the API sends on a watch stream. */
export type WireEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WireEvent {
  type: WireEventType | string;
  object: K8sObject | K8sStatus;
}

/**
 * What cmwatch delivers: the API's types, plus SYNC for objects that already
 * existed when cmwatch started (the baseline, not a change), and FINALIZE
 * for an object being deleted that carries cmwatch's --finalizer.
 */
export type EventType = 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED' | 'FINALIZE';
/** What a watch or a recording delivers by itself. */
export const EVENT_TYPES: readonly EventType[] = ['SYNC', 'ADDED', 'MODIFIED', 'DELETED'];
/** What `watch --on` takes: FINALIZE happens only with --finalizer. */
export const WATCH_EVENT_TYPES: readonly EventType[] = [...EVENT_TYPES, 'FINALIZE'];

/** The watched resource an event is of, as handlers are told it (CMWATCH_RESOURCE, CMWATCH_KIND, CMWATCH_API_VERSION). */
export interface EventResource {
  /** `plural` for the core group, else `plural.group`: `configmaps`, `configwatchers.k8spatterns.com`. */
  readonly name: string;
  readonly kind: string;
  /** `v1`, `k8spatterns.com/v1`. */
  readonly apiVersion: string;
}

export interface WatchEvent {
  type: EventType;
  object: K8sObject;
  /** The resource watched; unset where it is not known (a replayed recording). */
  resource?: EventResource;
  /** The content fingerprint change detection used (watch/fingerprint.ts): for DELETED, the last one known. */
  hash?: string;
  /**
   * How it came (CMWATCH_VIA): list, watch, relist; catch-up (--state: a
   * difference with the store), resync (--resync). Unset in a recording.
   */
  via?: string;
}

export function keyOf(obj: K8sObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}
