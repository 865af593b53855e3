/**
 * Posting an `events.k8s.io/v1` Event about one object, as a controller
 * does: the fields that API requires (eventTime as a MicroTime,
 * reportingController, reportingInstance, action, reason, type; `note` is
 * the message) and `regarding` naming the object. The Event goes to the
 * object's namespace (a cluster-scoped object's to `default`). Its name is
 * the object's, made a valid DNS subdomain, plus a unique suffix, as
 * kubectl names Events.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { collectionPath } from '../api/object-path.js';
import type { K8sObject } from '../api/types.js';
import type { KubeClient } from './client.js';

export const REPORTING_CONTROLLER = 'cmwatch';

export interface ObjectEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** What was being done, e.g. Finalize. */
  action: string;
  note: string;
  /** The object the Event is about, with its apiVersion and kind. */
  regarding: K8sObject;
  apiVersion: string;
  kind: string;
}

/** `note` is limited to 1 kB by the API. */
const MAX_NOTE = 1024;

export async function postObjectEvent(client: KubeClient, ev: ObjectEvent, signal?: AbortSignal): Promise<void> {
  const m = ev.regarding.metadata ?? {};
  const namespace = m.namespace || 'default';
  const base = (m.name ?? 'object').toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 200) || 'object';
  const body = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${base}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`, namespace },
    eventTime: microTime(new Date()),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: `${REPORTING_CONTROLLER}-${hostname()}`.slice(0, 128),
    action: ev.action,
    reason: ev.reason,
    type: ev.type,
    note: ev.note.length > MAX_NOTE ? `${ev.note.slice(0, MAX_NOTE - 1)}…` : ev.note,
    regarding: {
      apiVersion: ev.apiVersion, kind: ev.kind, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion,
    },
  };
  await client.json('POST', collectionPath({ group: 'events.k8s.io', version: 'v1', resource: 'events', namespace }), {
    body, verb: 'create', resource: 'events.events.k8s.io', signal,
  });
}

/** RFC 3339 with microseconds, as metav1.MicroTime is written. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
