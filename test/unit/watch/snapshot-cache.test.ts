import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../../src/watch/snapshot-cache.js';
import { withDeletion } from '../../../src/watch/deletion-content.js';
import type { K8sObject } from '../../../src/api/types.js';

const obj = (ns: string, name: string, extra: Record<string, unknown> = {}): K8sObject => ({ metadata: { name, namespace: ns }, ...extra });

test('a List of the cached objects, sorted by namespace then name, each with apiVersion and kind', () => {
  const c = new SnapshotCache({ canonical: 'deployments.apps', apiVersion: 'apps/v1', kind: 'Deployment' });
  for (const [ns, n] of [['b', 'x'], ['a-b', 'a'], ['a', 'z'], ['a', 'b']] as const) c.apply({ type: 'SYNC', object: obj(ns, n), key: `${ns}/${n}` });
  const list = JSON.parse(c.listJson()) as { apiVersion: string; kind: string; items: Array<{ apiVersion: string; kind: string; metadata: { namespace: string; name: string } }> };
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.kind, 'List');
  // By namespace first: "a" before "a-b", though "a-b/…" sorts before "a/…" as one string.
  assert.deepEqual(list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['a/b', 'a/z', 'a-b/a', 'b/x']);
  assert.ok(list.items.every((i) => i.apiVersion === 'apps/v1' && i.kind === 'Deployment'));
  assert.equal(Object.keys(list.items[0]!)[0], 'apiVersion');
});

test('MODIFIED replaces, DELETED forgets; the text is rebuilt only after a change', () => {
  const c = new SnapshotCache({ canonical: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap' });
  c.apply({ type: 'ADDED', object: obj('d', 'a', { data: { k: '1' } }), key: 'd/a' });
  c.apply({ type: 'ADDED', object: obj('d', 'b'), key: 'd/b' });
  const first = c.listJson();
  assert.equal(c.listJson(), first);
  c.apply({ type: 'MODIFIED', object: obj('d', 'a', { data: { k: '2' } }), key: 'd/a' });
  c.apply({ type: 'DELETED', object: obj('d', 'b'), key: 'd/b' });
  const items = (JSON.parse(c.listJson()) as { items: Array<{ data: { k: string } }> }).items;
  assert.deepEqual(items.map((i) => i.data.k), ['2']);
  assert.equal(c.size, 1);
});

test('synced once every expected reflector synced; whenSynced waits for it', async () => {
  const c = new SnapshotCache({ canonical: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap' });
  assert.equal(c.synced, false, 'nothing expected yet: not synced');
  const a = c.expectSync();
  const b = c.expectSync();
  let done = false;
  const p = c.whenSynced().then(() => (done = true));
  a();
  a();
  await Promise.resolve();
  assert.equal(done, false);
  b();
  await p;
  assert.equal(c.synced, true);
});

test('withDeletion: the start of a deletion is a change, nothing else changes', () => {
  const f = withDeletion((o) => `d${JSON.stringify(o.data ?? {})}`);
  const live = { metadata: { name: 'a' }, data: { k: 'v' } };
  const deleting = { metadata: { name: 'a', deletionTimestamp: '2026-01-01T00:00:00Z' }, data: { k: 'v' } };
  assert.equal(f(live), 'd{"k":"v"}');
  assert.notEqual(f(deleting), f(live));
  // The own finalizer is not content; another one is.
  const g = withDeletion((o) => JSON.stringify(o.metadata?.finalizers ?? null), 'example.com/x');
  assert.equal(g({ metadata: { finalizers: ['example.com/x'] } }), g({ metadata: {} }));
  assert.equal(g({ metadata: { finalizers: ['other.io/y', 'example.com/x'] } }), '["other.io/y"]');
});
