/**
 * The Normal Event (events.k8s.io/v1) cmwatch writes on a workload it
 * restarted, naming the sources that changed (kind and name, and their
 * content hash: never a Secret's value). A failure to write it is only
 * warned about: the restart itself happened.
 */
import { hostname } from 'node:os';
import type { KubeClient } from '../../kube/client.js';
import type { ApiResource } from '../../api/resource.js';
import { apiVersionOf } from '../../api/resource.js';
import { collectionPath } from '../../api/object-path.js';

export const REPORTING_CONTROLLER = 'cmwatch.io/cmwatch';
export const EVENT_REASON = 'ConfigChanged';
export const EVENT_ACTION = 'RolloutRestart';
const MAX_NOTE = 1024;

/** A MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface WorkloadEventInput {
  resource: ApiResource;
  namespace: string;
  name: string;
  uid?: string;
  /** e.g. `configmap webapp-config changed (content hash …)`. */
  note: string;
  now: number;
}

/** The Event object (exported for tests). */
export function workloadEvent(e: WorkloadEventInput): Record<string, unknown> {
  // generateName must itself be a valid DNS-subdomain prefix: `name-`, never `name.`.
  const prefix = `${e.name.slice(0, 200).replace(/[^a-z0-9]+$/, '')}-`;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { generateName: prefix, namespace: e.namespace },
    eventTime: microTime(e.now),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: `cmwatch-${hostname()}`.slice(0, 128),
    action: EVENT_ACTION,
    reason: EVENT_REASON,
    type: 'Normal',
    note: e.note.length > MAX_NOTE ? `${e.note.slice(0, MAX_NOTE - 1)}…` : e.note,
    regarding: { apiVersion: apiVersionOf(e.resource), kind: e.resource.kind, namespace: e.namespace, name: e.name, ...(e.uid ? { uid: e.uid } : {}) },
  };
}

export async function postWorkloadEvent(client: KubeClient, e: WorkloadEventInput, signal?: AbortSignal): Promise<void> {
  await client.json('POST', collectionPath({ group: 'events.k8s.io', version: 'v1', resource: 'events', namespace: e.namespace }), {
    body: workloadEvent(e), signal, verb: 'create', resource: 'events.events.k8s.io',
  });
}
