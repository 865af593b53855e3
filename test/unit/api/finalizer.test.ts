import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalizerNameError, finalizerNameUnqualified, isBuiltInGroup } from '../../../src/api/finalizer-name.js';
import { addFinalizerPatch, hasFinalizer, isDeleting, removeFinalizerPatch } from '../../../src/api/finalizer-patch.js';

test('finalizer names: qualified names as the API validates them', () => {
  for (const ok of ['example.com/cleanup', 'a.b.c/x_y.z-1', 'cleanup', 'k8spatterns.com/Config', `example.com/${'a'.repeat(63)}`]) {
    assert.equal(finalizerNameError(ok), undefined, ok);
  }
  const bad: Array<[string, RegExp]> = [
    ['', /empty/], ['a/b/c', /more than one "\/"/], ['/x', /empty prefix/], ['Example.com/x', /not a DNS subdomain/],
    ['example.com/', /empty name/], ['example.com/-x', /alphanumeric at both ends/], ['has space', /alphanumeric/],
    [`example.com/${'a'.repeat(64)}`, /longer than 63/], ['orphan', /Kubernetes itself/], ['foregroundDeletion', /Kubernetes itself/], ['kubernetes', /Kubernetes itself/],
  ];
  for (const [name, why] of bad) assert.match(finalizerNameError(name) ?? '', why, name);
  assert.equal(finalizerNameUnqualified('cleanup'), true);
  assert.equal(finalizerNameUnqualified('example.com/cleanup'), false);
});

test('built-in groups (refuse unqualified finalizers) and CRD groups (warn)', () => {
  for (const g of ['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'networking.k8s.io']) assert.equal(isBuiltInGroup(g), true, g);
  for (const g of ['k8spatterns.com', 'e2e.cmwatch.io']) assert.equal(isBuiltInGroup(g), false, g);
});

test('add: tests the list, then appends; no list: tests the resourceVersion, then adds the list; present: nothing', () => {
  assert.deepEqual(addFinalizerPatch({ metadata: { name: 'a', resourceVersion: '7', finalizers: ['other.io/x'] } }, 'example.com/f'), [
    { op: 'test', path: '/metadata/finalizers', value: ['other.io/x'] },
    { op: 'add', path: '/metadata/finalizers/-', value: 'example.com/f' },
  ]);
  assert.deepEqual(addFinalizerPatch({ metadata: { name: 'a', resourceVersion: '7' } }, 'example.com/f'), [
    { op: 'test', path: '/metadata/resourceVersion', value: '7' },
    { op: 'add', path: '/metadata/finalizers', value: ['example.com/f'] },
  ]);
  assert.equal(addFinalizerPatch({ metadata: { name: 'a', finalizers: ['example.com/f'] } }, 'example.com/f'), undefined);
});

test('remove: tests the list, removes only our entries (from the end), never another finalizer', () => {
  const obj = { metadata: { name: 'a', finalizers: ['example.com/f', 'other.io/x', 'example.com/f'] } };
  assert.deepEqual(removeFinalizerPatch(obj, 'example.com/f'), [
    { op: 'test', path: '/metadata/finalizers', value: ['example.com/f', 'other.io/x', 'example.com/f'] },
    { op: 'remove', path: '/metadata/finalizers/2' },
    { op: 'remove', path: '/metadata/finalizers/0' },
  ]);
  assert.equal(removeFinalizerPatch({ metadata: { name: 'a', finalizers: ['other.io/x'] } }, 'example.com/f'), undefined);
  assert.equal(removeFinalizerPatch({ metadata: { name: 'a' } }, 'example.com/f'), undefined);
});

test('hasFinalizer and isDeleting', () => {
  assert.equal(hasFinalizer({ metadata: { finalizers: ['a/b'] } }, 'a/b'), true);
  assert.equal(hasFinalizer({ metadata: { finalizers: 'a/b' } }, 'a/b'), false);
  assert.equal(isDeleting({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), true);
  assert.equal(isDeleting({ metadata: {} }), false);
});
