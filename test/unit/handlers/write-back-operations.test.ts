import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOutput, InvalidWriteBackLine } from '../../../src/handlers/write-back/protocol.js';
import { operations, type ScopeOf } from '../../../src/handlers/write-back/operations.js';
import { planCall } from '../../../src/handlers/write-back/calls.js';
import { eventBody, microTime } from '../../../src/handlers/write-back/event-body.js';
import { apiResource } from '../../../src/api/resource.js';
import type { Trigger } from '../../../src/handlers/write-back/trigger.js';

const cw: Trigger = { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w', namespace: 'shop', uid: 'u-1' };
const ns: Trigger = { apiVersion: 'v1', kind: 'Namespace', name: 'team', uid: 'u-ns' };
const resources = [
  apiResource({ group: 'k8spatterns.com', version: 'v1', resource: 'configwatchers', kind: 'ConfigWatcher', namespaced: true, subresources: ['status'] }),
  apiResource({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true }),
  apiResource({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, subresources: ['status', 'finalize'] }),
  apiResource({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  apiResource({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, subresources: ['status', 'eviction'] }),
];
const scope: ScopeOf = (apiVersion, kind) => resources.find((r) => r.kind === kind && (r.group ? `${r.group}/${r.version}` : r.version) === apiVersion);
const ops = (text: string, t: Trigger = cw, s: ScopeOf | 'offline' = scope) => operations(parseOutput('h.sh', text), t, s === 'offline' ? undefined : s);
function refused(text: string, why: RegExp, t: Trigger = cw, s: ScopeOf | 'offline' = scope): void {
  assert.throws(() => ops(text, t, s), (e: unknown) => e instanceof InvalidWriteBackLine && why.test(e.why) && /nothing was applied/.test(e.message));
}
const cm = (meta: string, extra = '') => `{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"${meta}},"data":{"k":"v"}}${extra}}`;

test('apply: namespace defaults to the event\'s, a controller ownerReference to the trigger is added', () => {
  const [o] = ops(cm(''));
  assert.deepEqual(o!.target, { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'shop' });
  assert.deepEqual((o!.body.metadata as { ownerReferences: unknown }).ownerReferences, [
    { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w', uid: 'u-1', controller: true, blockOwnerDeletion: true },
  ]);
  const [free] = ops(cm(',"namespace":"other"', ',"owned":false'));
  assert.equal((free!.body.metadata as { ownerReferences?: unknown }).ownerReferences, undefined);
  assert.equal(free!.target.namespace, 'other');
});

test('apply: an owner in another namespace, a cluster-scoped child of a namespaced owner, two controllers, no uid: refused', () => {
  refused(cm(',"namespace":"other"'), /owner in another namespace/);
  refused(cm(',"namespace":"other"'), /owner in another namespace/, cw, 'offline');
  refused('{"apply":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"}}}', /cluster-scoped ClusterRole cannot be owned by the namespaced ConfigWatcher/);
  refused('{"apply":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r","namespace":"shop"}},"owned":false}', /cluster-scoped but the manifest has metadata.namespace/);
  refused(cm(',"ownerReferences":[{"apiVersion":"v1","kind":"X","name":"x","uid":"other","controller":true}]'), /already has a controller/);
  refused(cm(''), /no metadata\.uid/, { ...cw, uid: undefined });
});

test('apply: a cluster-scoped owner may own a cluster-scoped child; a namespaced child then needs its namespace', () => {
  const [o] = ops('{"apply":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"}}}', ns);
  assert.equal(o!.target.namespace, undefined);
  assert.equal((o!.body.metadata as { ownerReferences: Array<{ uid: string }> }).ownerReferences[0]!.uid, 'u-ns');
  refused(cm(''), /namespaced and the triggering object is cluster-scoped/, ns);
  assert.equal(ops(cm(',"namespace":"team"'), ns)[0]!.target.namespace, 'team');
});

test('status: the trigger\'s or of\'s /status; refused when the resource has none or the kind is unknown', () => {
  const [a, b] = ops('{"status":{"p":1}}\n{"status":{"q":2},"of":{"apiVersion":"k8spatterns.com/v1","kind":"ConfigWatcher","name":"x"}}');
  assert.deepEqual(a!.target, cw);
  assert.deepEqual(a!.body, { status: { p: 1 } });
  assert.deepEqual(b!.target, { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'x', namespace: 'shop' });
  refused('{"status":{},"of":{"apiVersion":"v1","kind":"ConfigMap","name":"c"}}', /configmaps has no status subresource/);
  refused('{"status":{},"of":{"apiVersion":"x.io/v1","kind":"Nope","name":"c"}}', /no resource serves apiVersion x\.io\/v1, kind Nope/);
  refused('{"status":{},"of":{"apiVersion":"v1","kind":"Namespace","name":"c","namespace":"shop"}}', /cluster-scoped but a namespace is given/);
  // Offline: no discovery, no such checks.
  assert.equal(ops('{"status":{},"of":{"apiVersion":"v1","kind":"ConfigMap","name":"c"}}', cw, 'offline').length, 1);
});

test('calls: paths, content types, field manager, force, dryRun=All, the RBAC resource of each', () => {
  const text = [
    '{"status":{"p":1}}', cm(''), '{"event":{"type":"Normal","reason":"Synced","message":"done"}}',
    '{"delete":{"apiVersion":"v1","kind":"Pod","name":"p","uid":"pu"}}',
  ].join('\n');
  const now = new Date('2026-01-02T03:04:05.678Z');
  const calls = ops(text).concat(ops('{"delete":{"apiVersion":"v1","kind":"Namespace","name":"gone"}}', ns)).map((o) => planCall(o, { fieldManager: 'fm', dryRun: false, instance: 'cmwatch-h', now }));
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path} ${JSON.stringify(c.query)} ${c.contentType} ${c.verb} ${c.resource}`), [
    'PATCH /apis/k8spatterns.com/v1/namespaces/shop/configwatchers/w/status {} application/merge-patch+json patch configwatchers.k8spatterns.com/status',
    'PATCH /api/v1/namespaces/shop/configmaps/c {"fieldManager":"fm","force":"true"} application/apply-patch+yaml patch configmaps',
    'POST /apis/events.k8s.io/v1/namespaces/shop/events {} application/json create events.events.k8s.io',
    'DELETE /api/v1/namespaces/shop/pods/p {} application/json delete pods',
    'DELETE /api/v1/namespaces/gone {} application/json delete namespaces',
  ]);
  assert.deepEqual(calls[3]!.body, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'pu' } });
  // The apply's log words never carry a value.
  assert.doesNotMatch(calls[1]!.what, /"v"|k: v/);
  const dry = planCall(ops(cm(''))[0]!, { fieldManager: 'fm', dryRun: true, instance: 'i' });
  assert.deepEqual(dry.query, { dryRun: 'All', fieldManager: 'fm', force: 'true' });
  // A DELETE's body options replace its query's: dryRun is in the body.
  const dryDelete = planCall(ops('{"delete":{"apiVersion":"v1","kind":"Pod","name":"p"}}')[0]!, { fieldManager: 'fm', dryRun: true, instance: 'i' });
  assert.deepEqual(dryDelete.body, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
});

test('event body: the events.k8s.io/v1 fields the API requires', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  const b = eventBody({ op: 'event', type: 'Warning', reason: 'BadSelector', message: 'no' }, cw, 'cmwatch-pod-1', now) as Record<string, any>;
  assert.equal(b.eventTime, '2026-01-02T03:04:05.678000Z');
  assert.equal(microTime(now), '2026-01-02T03:04:05.678000Z');
  assert.equal(b.reportingController, 'cmwatch');
  assert.equal(b.reportingInstance, 'cmwatch-pod-1');
  assert.equal(b.action, 'BadSelector');
  assert.equal(b.note, 'no');
  assert.equal(b.type, 'Warning');
  assert.deepEqual(b.regarding, { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w', namespace: 'shop', uid: 'u-1' });
  assert.equal(b.metadata.namespace, 'shop');
  assert.match(b.metadata.name, /^w\.[0-9a-f]+$/);
  const other = eventBody({ op: 'event', type: 'Normal', reason: 'R', message: '' }, { apiVersion: 'v1', kind: 'Namespace', name: 'Odd_Name' }, 'i', now) as Record<string, any>;
  assert.equal(other.metadata.namespace, 'default');
  assert.match(other.metadata.name, /^odd-name\.[0-9a-f]+$/);
});
