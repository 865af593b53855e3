/**
 * Parsed write-back lines → the operations they ask for, each with the
 * object it acts on (namespace settled, `of` or the trigger) and its body:
 *
 *   status  body = the JSON merge patch sent to /status: {"status": {…}}
 *   apply   body = the manifest as applied (namespace, ownerReference)
 *   event   body = {type, reason, action, note}; target = the regarded object
 *   delete  body = {} or {"preconditions": {"uid": …}}
 *
 * `cmwatch replay` prints exactly these; a live run turns them into API calls
 * (calls.ts). With `scope` (live: discovery's answer for each kind) the
 * checks that need the resource are made too: a status subresource, and the
 * namespace rules of its scope. Any refusal is an InvalidWriteBackLine.
 */
import type { ApiResource } from '../../api/resource.js';
import { hasSubresource } from '../../api/resource.js';
import { InvalidWriteBackLine, type ObjectTarget, type WriteLine } from './protocol.js';
import { ownedManifest } from './owned-manifest.js';
import type { Trigger } from './trigger.js';

export type OpName = 'status' | 'apply' | 'event' | 'delete';

export interface Operation {
  from: WriteLine;
  op: OpName;
  target: Trigger;
  body: Record<string, unknown>;
  /** Live only: the resource serving the target, from discovery. */
  resource?: ApiResource;
}

/** Discovery's resource for an apiVersion and kind (already resolved: lookups are async, this is not). */
export type ScopeOf = (apiVersion: string, kind: string) => ApiResource | undefined;

export function operations(lines: readonly WriteLine[], trigger: Trigger, scope?: ScopeOf): Operation[] {
  return lines.map((from) => operation(from, trigger, scope));
}

function operation(from: WriteLine, trigger: Trigger, scope: ScopeOf | undefined): Operation {
  const fail = (why: string, hint?: string): never => {
    throw new InvalidWriteBackLine(from.handler, from.line, why, hint);
  };
  const op = from.op;
  const resourceFor = (t: { apiVersion: string; kind: string }) => {
    if (!scope) return undefined;
    const r = scope(t.apiVersion, t.kind);
    if (!r) fail(`no resource serves apiVersion ${t.apiVersion}, kind ${t.kind} on this server`, '`kubectl api-resources` lists them');
    return r;
  };
  switch (op.op) {
    case 'status': {
      const target = op.of ? placed(op.of, trigger, resourceFor(op.of), 'of', fail) : trigger;
      const resource = resourceFor(target);
      if (resource && !hasSubresource(resource, 'status')) {
        fail(`${resource.canonical} has no status subresource`, 'a CRD gets one with subresources: {status: {}}; or apply the object instead');
      }
      return { from, op: 'status', target, body: { status: op.status }, ...(resource ? { resource } : {}) };
    }
    case 'apply': {
      const m = op.manifest;
      const resource = resourceFor({ apiVersion: m.apiVersion!, kind: m.kind! });
      const manifest = ownedManifest(m, op.owned, trigger, resource?.namespaced, fail);
      const meta = manifest.metadata!;
      const target: Trigger = { apiVersion: m.apiVersion!, kind: m.kind!, name: meta.name!, ...(meta.namespace ? { namespace: meta.namespace } : {}) };
      return { from, op: 'apply', target, body: manifest, ...(resource ? { resource } : {}) };
    }
    case 'event': {
      const target = op.of ? placed(op.of, trigger, resourceFor(op.of), 'of', fail) : trigger;
      return { from, op: 'event', target, body: { type: op.type, reason: op.reason, action: op.action ?? op.reason, note: op.message } };
    }
    case 'delete': {
      const resource = resourceFor(op.target);
      const target = placed(op.target, trigger, resource, 'delete', fail);
      return { from, op: 'delete', target, body: op.uid ? { preconditions: { uid: op.uid } } : {}, ...(resource ? { resource } : {}) };
    }
  }
}

/** A named object's namespace: its own, else the trigger's; none for a cluster-scoped kind (known live). */
function placed(t: ObjectTarget, trigger: Trigger, resource: ApiResource | undefined, what: string, fail: (why: string, hint?: string) => never): Trigger {
  const base = { apiVersion: t.apiVersion, kind: t.kind, name: t.name };
  if (resource && !resource.namespaced) {
    if (t.namespace !== undefined) fail(`${what}: ${resource.canonical} is cluster-scoped but a namespace is given`, `remove ${what}.namespace`);
    return base;
  }
  const ns = t.namespace ?? trigger.namespace;
  if (resource && ns === undefined) fail(`${what}: ${resource.canonical} is namespaced and the triggering object is cluster-scoped`, `give ${what}.namespace`);
  return ns === undefined ? base : { ...base, namespace: ns };
}
