/**
 * What `cmwatch doctor` asks SelfSubjectAccessReview about: every verb the
 * chosen mode needs (README "RBAC, per mode"), per namespace watched (or
 * cluster-wide with -A), from the watch configuration. Pure data.
 */
import type { ApiResource } from '../api/resource.js';

export interface AccessNeed {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** undefined: cluster-wide (-A, or a cluster-scoped resource). */
  namespace: string | undefined;
  /** Why it is needed, for the line: `to watch`, `for --action delete-pods`. */
  why: string;
}

export interface NeedsInput {
  resources: readonly ApiResource[];
  namespaces: readonly string[] | undefined;
  action: string | undefined;
  leaderElection: { leaseNamespace: string | undefined } | undefined;
  state: string | undefined;
  stateNamespace: string | undefined;
  snapshots: readonly ApiResource[];
  finalizers: readonly ApiResource[];
}

type Rule = [verbs: string[], group: string, resource: string, subresource?: string];

const ACTION_RULES: Readonly<Record<string, Rule[]>> = {
  'delete-pods': [[['list', 'delete'], '', 'pods']],
  'evict-pods': [[['list'], '', 'pods'], [['create'], '', 'pods', 'eviction']],
  'rollout-restart': [
    [['get', 'list', 'patch'], 'apps', 'deployments'], [['get', 'list', 'patch'], 'apps', 'statefulsets'],
    [['get', 'list', 'patch'], 'apps', 'daemonsets'], [['create'], 'events.k8s.io', 'events'],
  ],
};

export function accessNeeds(i: NeedsInput): AccessNeed[] {
  const out: AccessNeed[] = [];
  const where = (namespaced: boolean): readonly (string | undefined)[] => (namespaced && i.namespaces ? i.namespaces : [undefined]);
  const add = (verbs: string[], group: string, resource: string, namespaced: boolean, why: string, subresource?: string, namespaces = where(namespaced)) => {
    for (const namespace of namespaces) for (const verb of verbs) out.push({ verb, group, resource, subresource, namespace, why });
  };
  for (const r of i.resources) add(['list', 'watch'], r.group, r.resource, r.namespaced, 'to watch');
  for (const r of i.snapshots) add(['list', 'watch'], r.group, r.resource, r.namespaced, 'for --snapshot');
  for (const r of i.finalizers) add(['get', 'patch'], r.group, r.resource, r.namespaced, 'for --finalizer');
  if (i.finalizers.length) add(['create'], 'events.k8s.io', 'events', true, 'for --finalizer');
  for (const [verbs, group, resource, sub] of (i.action && ACTION_RULES[i.action]) || []) add(verbs, group, resource, true, `for --action ${i.action}`, sub);
  if (i.leaderElection) {
    const ns = i.leaderElection.leaseNamespace ?? i.namespaces?.[0];
    add(['get', 'create', 'update'], 'coordination.k8s.io', 'leases', true, 'for --leader-elect', undefined, [ns]);
  }
  if (i.state) add(['get', 'create', 'update'], '', 'configmaps', true, 'for --state', undefined, [i.stateNamespace ?? i.namespaces?.[0]]);
  return out;
}

/** `list configmaps`, `create pods/eviction`, `patch deployments.apps`. */
export function needText(n: AccessNeed): string {
  const res = `${n.resource}${n.subresource ? `/${n.subresource}` : ''}${n.group ? `.${n.group}` : ''}`;
  return `${n.verb} ${res} ${n.namespace ? `in namespace ${n.namespace}` : 'in all namespaces (cluster-wide)'}`;
}

/** The kubectl command that grants one need. */
export function grantHint(n: AccessNeed): string {
  const res = `${n.resource}${n.group ? `.${n.group}` : ''}${n.subresource ? `/${n.subresource}` : ''}`;
  return n.namespace
    ? `grant it, e.g. kubectl create role cmwatch -n ${n.namespace} --verb=${n.verb} --resource=${res} and a rolebinding; see README "RBAC, per mode"`
    : `grant it cluster-wide, e.g. kubectl create clusterrole cmwatch --verb=${n.verb} --resource=${res} and a clusterrolebinding`;
}
