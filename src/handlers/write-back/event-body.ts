/**
 * An `event` line as the events.k8s.io/v1 Event cmwatch creates: eventTime
 * (a MicroTime), reportingController `cmwatch`, reportingInstance, action
 * (the line's, else its reason), reason, type, note (the line's message) and
 * regarding (the triggering object, or the line's `of`). The Event lives in
 * the regarded object's namespace ("default" for a cluster-scoped one) and is
 * named as client-go names its Events: `<object name>.<hex time>`.
 */
import { hostname } from 'node:os';
import type { WriteOp } from './protocol.js';
import type { Trigger } from './trigger.js';

export const REPORTING_CONTROLLER = 'cmwatch';
const INSTANCE_MAX = 128;

/** This process as reportingInstance: `cmwatch-<host>` (a pod's name, in a cluster). */
export function reportingInstance(host = hostname()): string {
  return `${REPORTING_CONTROLLER}-${host}`.slice(0, INSTANCE_MAX);
}

/** The Event's namespace: the regarded object's, or "default" for a cluster-scoped one (as kubectl events shows them). */
export function eventNamespace(regarding: { namespace?: string }): string {
  return regarding.namespace ?? 'default';
}

/** RFC 3339 with microseconds, as the API's MicroTime is written. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

let sequence = 0;

/** A name unique to this process: a DNS subdomain of at most 253 characters. */
function eventName(objectName: string, now: Date): string {
  const stamp = (BigInt(now.getTime()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16);
  const base = objectName.toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 253 - stamp.length - 1).replace(/[^a-z0-9]+$/, '');
  return base ? `${base}.${stamp}` : stamp;
}

export function eventBody(op: Extract<WriteOp, { op: 'event' }>, regarding: Trigger, instance: string, now = new Date()): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: eventName(regarding.name, now), namespace: eventNamespace(regarding) },
    eventTime: microTime(now),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: instance,
    action: op.action ?? op.reason,
    reason: op.reason,
    type: op.type,
    note: op.message,
    regarding: {
      apiVersion: regarding.apiVersion, kind: regarding.kind, name: regarding.name,
      ...(regarding.namespace ? { namespace: regarding.namespace } : {}),
      ...(regarding.uid ? { uid: regarding.uid } : {}),
    },
  };
}
