import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectionPath, objectPath, objectNameError, isValidObjectName, dns1123LabelError, dns1123SubdomainError,
  isValidNamespace, mutationTargetError, InvalidPathSegmentError,
} from '../../../src/api/object-path.js';
import { collectionPath as fromSource } from '../../../src/watch/source.js';

test('collection paths: core and grouped, namespaced and not', () => {
  assert.equal(collectionPath({ resource: 'pods', namespace: 'web' }), '/api/v1/namespaces/web/pods');
  assert.equal(collectionPath({ resource: 'configmaps' }), '/api/v1/configmaps');
  assert.equal(collectionPath({ group: '', resource: 'configmaps', namespace: 'a-b' }), '/api/v1/namespaces/a-b/configmaps');
  assert.equal(collectionPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system' }), '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  assert.equal(collectionPath({ group: 'apps', version: 'v1beta2', resource: 'deployments' }), '/apis/apps/v1beta2/deployments');
  assert.equal(fromSource({ resource: 'configmaps', namespace: 'ns' }), '/api/v1/namespaces/ns/configmaps', 'source.ts re-exports the same function');
});

test('object paths: a name, and an optional subresource', () => {
  assert.equal(objectPath({ resource: 'pods', namespace: 'web', name: 'webapp-1' }), '/api/v1/namespaces/web/pods/webapp-1');
  assert.equal(objectPath({ resource: 'pods', namespace: 'web', name: 'webapp-1', subresource: 'eviction' }), '/api/v1/namespaces/web/pods/webapp-1/eviction');
  assert.equal(objectPath({ resource: 'nodes', name: 'node-1.example.com' }), '/api/v1/nodes/node-1.example.com');
  assert.equal(objectPath({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'ns', name: 'cmwatch' }), '/apis/coordination.k8s.io/v1/namespaces/ns/leases/cmwatch');
  // Allowed by the path rule, encoded: never a separator.
  assert.equal(objectPath({ resource: 'things', name: 'a b:c?d#e' }), '/api/v1/things/a%20b%3Ac%3Fd%23e');
});

test('object names: empty, missing, ".", "..", "/", "%" and too long are refused, naming the value', () => {
  for (const [name, why] of [
    ['', 'empty name'], ['.', '"." is not a name'], ['..', '".." is not a name'], ['a/b', 'contains "/"'], ['/', 'contains "/"'],
    ['%2e%2e', 'contains "%"'], ['a%2Fb', 'contains "%"'], ['x'.repeat(254), 'longer than 253 characters (254)'],
  ] as const) {
    assert.equal(objectNameError(name), why, JSON.stringify(name));
    assert.equal(isValidObjectName(name), false);
    assert.throws(() => objectPath({ resource: 'pods', namespace: 'ns', name }), (e: unknown) => {
      assert.ok(e instanceof InvalidPathSegmentError);
      assert.equal(e.code, 'E_INVALID_OBJECT_NAME');
      assert.equal(e.value, name);
      assert.ok(e.message.startsWith(`invalid pods name ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)}: ${why}`), e.message);
      return true;
    });
  }
  for (const name of [undefined, null, 42, {}] as unknown[]) {
    assert.notEqual(objectNameError(name), undefined);
    assert.throws(() => objectPath({ resource: 'pods', namespace: 'ns', name: name as string }), { code: 'E_INVALID_OBJECT_NAME' });
  }
  assert.match(String(new InvalidPathSegmentError('E_INVALID_OBJECT_NAME', 'pods name', undefined, 'no name').message), /invalid pods name \(missing\): no name/);
  assert.equal(isValidObjectName('x'.repeat(253)), true);
  assert.equal(isValidObjectName('webapp-7d9f8c-abcde'), true);
});

test('namespaces are DNS-1123 labels; an empty one is refused, not taken as "all namespaces"', () => {
  for (const ns of ['default', 'a', 'team-a', '0abc', 'x'.repeat(63)]) assert.equal(isValidNamespace(ns), true, ns);
  for (const ns of ['', 'A', '-a', 'a-', 'a.b', 'a/b', 'x'.repeat(64), '..']) {
    assert.notEqual(dns1123LabelError(ns), undefined, ns);
    assert.throws(() => collectionPath({ resource: 'pods', namespace: ns }), { code: 'E_INVALID_NAMESPACE' });
    assert.throws(() => objectPath({ resource: 'pods', namespace: ns, name: 'p' }), { code: 'E_INVALID_NAMESPACE' });
  }
});

test('resource, group, version and subresource segments are checked too', () => {
  assert.throws(() => collectionPath({ resource: '' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => collectionPath({ resource: 'pods/x' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => collectionPath({ group: 'apps/../x', resource: 'pods' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => collectionPath({ version: '', resource: 'pods' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => collectionPath({ version: 'v1/..', resource: 'pods' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => objectPath({ resource: 'pods', namespace: 'ns', name: 'p', subresource: '' }), { code: 'E_INVALID_RESOURCE' });
  assert.throws(() => objectPath({ resource: 'pods', namespace: 'ns', name: 'p', subresource: '../x' }), { code: 'E_INVALID_RESOURCE' });
  assert.equal(dns1123SubdomainError('coordination.k8s.io'), undefined);
  assert.notEqual(dns1123SubdomainError('a..b'), undefined);
});

test('mutationTargetError: only a path that names one object may be mutated', () => {
  for (const p of [
    '/api/v1/namespaces/ns/pods/p', '/api/v1/namespaces/ns/pods/p/eviction', '/api/v1/nodes/n', '/api/v1/namespaces/ns',
    '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l', '/api/v1/namespaces/ns/pods/p?dryRun=All',
  ]) assert.equal(mutationTargetError(p), undefined, p);
  for (const [p, why] of [
    ['/api/v1/namespaces/ns/pods/', 'ends in "/"'],
    ['/api/v1/namespaces/ns/pods', 'a collection'],
    ['/api/v1/namespaces/ns/pods?labelSelector=app%3Dx', 'a collection'],
    ['/api/v1/pods', 'a collection'],
    ['/api/v1/namespaces', 'a collection'],
    ['/apis/coordination.k8s.io/v1/namespaces/ns/leases', 'a collection'],
    ['/api/v1', 'a collection'],
    ['/api/v1/namespaces//pods/p', 'empty segment'],
    ['/api/v1/namespaces/ns/pods/..', '"." or ".."'],
    ['/api/v1/namespaces/ns/pods/%2E%2e', '"." or ".."'],
    ['/healthz/x', 'not under /api or /apis'],
  ] as const) assert.match(mutationTargetError(p) ?? 'allowed', new RegExp(why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), p);
});
