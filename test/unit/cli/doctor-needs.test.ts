/**
 * What `cmwatch doctor` asks SelfSubjectAccessReview about, per mode
 * (README "RBAC, per mode").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessNeeds, grantHint, needText, type NeedsInput } from '../../../src/cli/doctor-needs.js';
import type { ApiResource } from '../../../src/api/resource.js';

const res = (resource: string, group = '', namespaced = true): ApiResource => ({
  group, version: 'v1', resource, singular: resource, kind: resource, shortNames: [], namespaced, verbs: ['list', 'watch'], canonical: group ? `${resource}.${group}` : resource,
});
const base: NeedsInput = { resources: [res('configmaps')], namespaces: ['web'], action: undefined, leaderElection: undefined, state: undefined, stateNamespace: undefined, snapshots: [], finalizers: [] };
const texts = (i: Partial<NeedsInput>) => accessNeeds({ ...base, ...i }).map((n) => `${needText(n)} (${n.why})`);

test('watch: list and watch per namespace; -A and cluster-scoped resources: cluster-wide', () => {
  assert.deepEqual(texts({}), ['list configmaps in namespace web (to watch)', 'watch configmaps in namespace web (to watch)']);
  assert.deepEqual(texts({ namespaces: undefined, resources: [res('nodes', '', false)] }), ['list nodes in all namespaces (cluster-wide) (to watch)', 'watch nodes in all namespaces (cluster-wide) (to watch)']);
  assert.deepEqual(texts({ namespaces: ['a', 'b'] }).length, 4);
});

test('actions, leader election, --state add their verbs', () => {
  assert.deepEqual(texts({ action: 'delete-pods' }).slice(2), ['list pods in namespace web (for --action delete-pods)', 'delete pods in namespace web (for --action delete-pods)']);
  assert.ok(texts({ action: 'evict-pods' }).includes('create pods/eviction in namespace web (for --action evict-pods)'));
  assert.ok(texts({ action: 'rollout-restart' }).includes('patch deployments.apps in namespace web (for --action rollout-restart)'));
  assert.deepEqual(texts({ leaderElection: { leaseNamespace: 'ops' } }).slice(2), ['get', 'create', 'update'].map((v) => `${v} leases.coordination.k8s.io in namespace ops (for --leader-elect)`));
  assert.ok(texts({ state: 'cmwatch-state', stateNamespace: undefined }).includes('update configmaps in namespace web (for --state)'));
});

test('the hint is the kubectl command that grants the verb', () => {
  const [n] = accessNeeds({ ...base, action: 'evict-pods' }).filter((x) => x.subresource === 'eviction');
  assert.match(grantHint(n!), /kubectl create role cmwatch -n web --verb=create --resource=pods\/eviction/);
});
