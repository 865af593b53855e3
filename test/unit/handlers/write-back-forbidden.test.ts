import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/api/api-error.js';
import { oneLine } from '../../../src/base/errors.js';
import { forbiddenError } from '../../../src/handlers/write-back/forbidden.js';
import { planCall } from '../../../src/handlers/write-back/calls.js';
import { operations } from '../../../src/handlers/write-back/operations.js';
import { parseOutput } from '../../../src/handlers/write-back/protocol.js';
import { apiResource } from '../../../src/api/resource.js';

const cw = apiResource({ group: 'k8spatterns.com', version: 'v1', resource: 'configwatchers', kind: 'ConfigWatcher', namespaced: true, subresources: ['status'] });
const cm = apiResource({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true });
const trigger = { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w', namespace: 'shop', uid: 'u' };
const call = (line: string) => planCall(operations(parseOutput('h.sh', line), trigger, (_v, k) => (k === 'ConfigWatcher' ? cw : cm))[0]!, { fieldManager: 'cmwatch', dryRun: false, instance: 'i' });
const denied = (message: string) => new ApiError({ status: 403, verb: 'patch', url: 'https://x/…', resource: 'r', statusObject: { kind: 'Status', reason: 'Forbidden', message } });

test('403 on a status patch: verb, resource with subresource, namespace, and the can-i line', () => {
  const e = forbiddenError(call('{"status":{"a":1}}'), denied('configwatchers.k8spatterns.com "w" is forbidden: User "u" cannot patch resource "configwatchers/status" in API group "k8spatterns.com" in the namespace "shop"'));
  assert.equal(e.code, 'E_WRITE_BACK_FORBIDDEN');
  assert.match(oneLine(e), /^forbidden: patch configwatchers\.k8spatterns\.com\/status in "shop" \(HTTP 403: /);
  assert.match(oneLine(e), /hint: grant verb "patch" on resource "configwatchers\/status" in API group "k8spatterns\.com"; check with kubectl auth can-i patch configwatchers\.k8spatterns\.com --subresource=status -n shop\)$/);
});

test('403 on an apply that creates: the verb the server checked (create) is named', () => {
  const e = forbiddenError(call('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}'), denied('configmaps "c" is forbidden: User "u" cannot create resource "configmaps" in API group "" in the namespace "shop"'));
  assert.match(e.message, /^forbidden: create configmaps in "shop"/);
  assert.match(e.hint!, /grant verb "create" on resource "configmaps" in API group ""; check with kubectl auth can-i create configmaps -n shop$/);
});

test('403 on an Event: create events.events.k8s.io in the Event\'s namespace', () => {
  const e = forbiddenError(call('{"event":{"type":"Normal","reason":"R"}}'), denied(''));
  assert.match(e.message, /^forbidden: create events\.events\.k8s\.io in "shop" \(HTTP 403\)/);
  assert.match(e.hint!, /resource "events" in API group "events\.k8s\.io"/);
});
