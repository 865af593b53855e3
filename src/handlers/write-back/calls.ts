/**
 * Live write-back: each operation (operations.ts) as the one API call that
 * carries it out, with its path built by src/api/object-path.ts:
 *
 *   status  PATCH …/NAME/status          application/merge-patch+json
 *   apply   PATCH …/NAME?fieldManager=M&force=true   application/apply-patch+yaml (a JSON body is YAML)
 *   event   POST  /apis/events.k8s.io/v1/namespaces/NS/events
 *   delete  DELETE …/NAME                DeleteOptions, with a UID precondition when the line gave one
 *
 * Under --dry-run every call carries dryRun=All: the server validates,
 * admits and defaults it, and persists nothing.
 */
import type { Query } from '../../kube/client.js';
import { collectionPath, objectPath } from '../../api/object-path.js';
import { objectSummary } from '../../api/object-summary.js';
import type { ApiResource } from '../../api/resource.js';
import type { Operation } from './operations.js';
import { eventBody } from './event-body.js';
import { targetText } from './trigger.js';

export interface CallContext {
  fieldManager: string;
  dryRun: boolean;
  /** reportingInstance of the Events. */
  instance: string;
  now?: Date;
}

export interface PlannedCall {
  operation: Operation;
  method: 'PATCH' | 'POST' | 'DELETE';
  path: string;
  query: Query;
  body: unknown;
  contentType: string;
  /** RBAC words for messages: `patch`, and `configwatchers.k8spatterns.com/status`. */
  verb: 'patch' | 'create' | 'delete';
  resource: string;
  /** What it does, safe for a log line (no Secret value): `patch configwatchers.k8spatterns.com/status ns/w`. */
  what: string;
}

const EVENTS = 'events.events.k8s.io';

export function planCall(o: Operation, ctx: CallContext): PlannedCall {
  const query: Query = ctx.dryRun ? { dryRun: 'All' } : {};
  const t = o.target;
  const where = targetText(t);
  switch (o.op) {
    case 'status': {
      const r = o.resource!;
      const resource = `${r.canonical}/status`;
      return {
        operation: o, method: 'PATCH', path: objectPath({ ...ref(r, t.namespace), name: t.name, subresource: 'status' }), query,
        body: o.body, contentType: 'application/merge-patch+json', verb: 'patch', resource, what: `patch ${resource} ${where}`,
      };
    }
    case 'apply': {
      const r = o.resource!;
      return {
        operation: o, method: 'PATCH', path: objectPath({ ...ref(r, t.namespace), name: t.name }),
        query: { ...query, fieldManager: ctx.fieldManager, force: 'true' }, body: o.body, contentType: 'application/apply-patch+yaml',
        verb: 'patch', resource: r.canonical, what: `apply ${r.canonical} ${objectSummary(o.body)}`,
      };
    }
    case 'event': {
      const b = o.body as { type: 'Normal' | 'Warning'; reason: string; action: string; note: string };
      const body = eventBody({ op: 'event', type: b.type, reason: b.reason, message: b.note, action: b.action }, t, ctx.instance, ctx.now);
      const ns = (body.metadata as { namespace: string }).namespace;
      return {
        operation: o, method: 'POST', path: collectionPath({ group: 'events.k8s.io', version: 'v1', resource: 'events', namespace: ns }), query,
        body, contentType: 'application/json', verb: 'create', resource: EVENTS, what: `create ${EVENTS} in ${ns} (${b.type} ${b.reason} regarding ${t.kind} ${where})`,
      };
    }
    case 'delete': {
      const r = o.resource!;
      // A DELETE with a body takes its options from the body only: dryRun goes there too.
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...o.body, ...(ctx.dryRun ? { dryRun: ['All'] } : {}) };
      return {
        operation: o, method: 'DELETE', path: objectPath({ ...ref(r, t.namespace), name: t.name }), query,
        body, contentType: 'application/json', verb: 'delete', resource: r.canonical, what: `delete ${r.canonical} ${where}`,
      };
    }
  }
}

function ref(r: ApiResource, namespace: string | undefined) {
  return { group: r.group, version: r.version, resource: r.resource, ...(r.namespaced && namespace ? { namespace } : {}) };
}
