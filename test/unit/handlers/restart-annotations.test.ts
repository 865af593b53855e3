import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NAME_PART, parseRestartTargets, sourceAnnotationKey, sourceKindWord } from '../../../src/handlers/actions/restart-annotations.js';
import { podSpecRefs, referencesSource } from '../../../src/handlers/actions/template-refs.js';
import { outdated, restartPatch } from '../../../src/handlers/actions/restart-patch.js';
import { microTime, workloadEvent } from '../../../src/handlers/actions/workload-event.js';

test('sourceAnnotationKey: cmwatch.io/<kind>.<name>; a name part over 63 characters is cut and hashed, deterministically', () => {
  assert.equal(sourceAnnotationKey('configmap', 'webapp-config'), 'cmwatch.io/configmap.webapp-config');
  assert.equal(sourceAnnotationKey('secret', 'db'), 'cmwatch.io/secret.db');
  const long = `a${'b'.repeat(60)}.c-d`;
  const k = sourceAnnotationKey('configmap', long);
  const part = k.slice('cmwatch.io/'.length);
  assert.ok(part.length <= MAX_NAME_PART, part);
  assert.match(part, /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
  assert.equal(sourceAnnotationKey('configmap', long), k);
  assert.notEqual(sourceAnnotationKey('configmap', `${long}x`), k);
  assert.notEqual(sourceAnnotationKey('secret', long), k);
  // Exactly 63 fits as is.
  const fit = 'x'.repeat(63 - 'configmap.'.length);
  assert.equal(sourceAnnotationKey('configmap', fit), `cmwatch.io/configmap.${fit}`);
  // A cut that ends on "-" or "." drops it before the digest.
  const dashy = `${'a'.repeat(41)}${'-'.repeat(30)}`;
  assert.match(sourceAnnotationKey('configmap', dashy), /^cmwatch\.io\/configmap\.a+-[0-9a-f]{10}$/);
});

test('sourceKindWord: configmap, secret, else the kind in lower case', () => {
  assert.equal(sourceKindWord('ConfigMap', 'configmaps'), 'configmap');
  assert.equal(sourceKindWord(undefined, 'secrets'), 'secret');
  assert.equal(sourceKindWord('ConfigWatcher', 'configwatchers'), 'configwatcher');
});

test('parseRestartTargets: TYPE/NAME entries, comma separated; others are reported', () => {
  assert.deepEqual(parseRestartTargets('deployment/web, statefulset/db,,rollouts.argoproj.io/r1,deployment/web'), {
    targets: [{ type: 'deployment', name: 'web' }, { type: 'statefulset', name: 'db' }, { type: 'rollouts.argoproj.io', name: 'r1' }], invalid: [],
  });
  assert.deepEqual(parseRestartTargets('web, deployment/, /x, a/b/c').invalid, ['web', 'deployment/', '/x', 'a/b/c']);
});

test('podSpecRefs: volumes, projected sources, env valueFrom and envFrom of containers and init containers', () => {
  const spec = {
    volumes: [{ configMap: { name: 'v-cm' } }, { secret: { secretName: 'v-s' } }, { projected: { sources: [{ configMap: { name: 'p-cm' } }, { secret: { name: 'p-s' } }] } }],
    initContainers: [{ envFrom: [{ configMapRef: { name: 'i-cm' } }, { secretRef: { name: 'i-s' } }] }],
    containers: [{ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'e-cm', key: 'k' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'e-s', key: 'k' } } }, { name: 'C', value: 'x' }] }],
    imagePullSecrets: [{ name: 'pull' }],
  };
  const r = podSpecRefs(spec);
  assert.deepEqual([...r.configMaps].sort(), ['e-cm', 'i-cm', 'p-cm', 'v-cm']);
  assert.deepEqual([...r.secrets].sort(), ['e-s', 'i-s', 'p-s', 'v-s']);
  const wl = { spec: { template: { spec } } };
  assert.equal(referencesSource(wl, 'configmap', 'i-cm'), true);
  assert.equal(referencesSource(wl, 'secret', 'i-cm'), false);
  assert.equal(referencesSource(wl, 'secret', 'pull'), false);
  assert.equal(referencesSource({ spec: {} }, 'configmap', 'v-cm'), false);
  assert.deepEqual(podSpecRefs(null), { configMaps: new Set(), secrets: new Set() });
});

test('restartPatch and outdated: only the annotations that differ, as a merge patch', () => {
  const obj = { spec: { template: { metadata: { annotations: { 'cmwatch.io/configmap.a': 'H1', other: 'x' } } } } };
  const changes = [{ key: 'cmwatch.io/configmap.a', hash: 'H1', source: 'configmap a' }, { key: 'cmwatch.io/secret.b', hash: 'H2', source: 'secret b' }];
  const todo = outdated(obj, changes);
  assert.deepEqual(todo.map((c) => c.key), ['cmwatch.io/secret.b']);
  assert.deepEqual(restartPatch(todo), { spec: { template: { metadata: { annotations: { 'cmwatch.io/secret.b': 'H2' } } } } });
});

test('workloadEvent: an events.k8s.io/v1 Normal Event with the required fields', () => {
  const e = workloadEvent({ resource: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' } as any, namespace: 'ns', name: 'web', uid: 'u', note: 'configmap c changed', now: Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
  assert.equal(e.eventTime, '2026-01-02T03:04:05.678000Z');
  assert.equal(microTime(0), '1970-01-01T00:00:00.000000Z');
  assert.deepEqual((e as any).metadata, { generateName: 'web-', namespace: 'ns' });
  for (const f of ['reportingController', 'reportingInstance', 'action', 'reason', 'type', 'note']) assert.ok((e as any)[f], f);
  assert.deepEqual((e as any).regarding, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'web', uid: 'u' });
});
