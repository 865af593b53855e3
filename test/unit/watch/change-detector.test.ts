import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeDetector } from '../../../src/watch/change-detector.js';
import { configMapContent } from '../../../src/watch/content.js';
import { fingerprint } from '../../../src/watch/fingerprint.js';
import type { K8sObject } from '../../../src/api/types.js';

const content = configMapContent([]);
const cm = (name: string, rv: string, data: Record<string, string>): K8sObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, data });
const key = (ns: string, name: string) => `${ns}/${name}`;
// The keys below have 13 characters or more, so the detector keeps copies of them (V8 builds such a string from its parts).

test('every hash the detector hands out is the 22-character fingerprint of the content', () => {
  const d = new ChangeDetector({ content });
  const a1 = cm('a', '10', { k: '1' });
  const added = d.event('ADDED', key('long-namespace', 'a'), a1);
  assert.ok('deliver' in added);
  assert.equal(added.hash, fingerprint(content(a1)));
  assert.equal(added.hash.length, 22);
  assert.equal(d.hashOf(key('long-namespace', 'a')), added.hash);

  const a2 = cm('a', '11', { k: '2' });
  const modified = d.event('MODIFIED', key('long-namespace', 'a'), a2);
  assert.ok('deliver' in modified && modified.deliver === 'MODIFIED');
  assert.equal(modified.hash, fingerprint(content(a2)));

  assert.deepEqual(d.event('MODIFIED', key('long-namespace', 'a'), cm('a', '12', { k: '2' })), { skip: 'unchanged' });
  assert.deepEqual(d.event('MODIFIED', key('long-namespace', 'a'), cm('a', '12', { k: '3' })), { skip: 'duplicate' });

  d.remember(key('long-namespace', 'b'), cm('b', '5', { x: 'y' }));
  assert.equal(d.hashOf(key('long-namespace', 'b')), fingerprint(content(cm('b', '5', { x: 'y' }))));
  const gone = d.sweep(new Set([key('long-namespace', 'a')]));
  assert.deepEqual(gone, [{ key: 'long-namespace/b', rv: '5', hash: fingerprint(content(cm('b', '5', { x: 'y' }))) }]);

  const deleted = d.event('DELETED', key('long-namespace', 'a'), cm('a', '13', { k: '9' }));
  assert.deepEqual(deleted, { deliver: 'DELETED', hash: fingerprint(content(a2)) }, 'a DELETED carries the last known content');
  assert.equal(d.size, 0);
});

test('a key is found again by an equal string built another way, after the detector kept its own copy', () => {
  const d = new ChangeDetector({ content });
  d.listed(key('long-namespace', 'c'), cm('c', '1', {}));
  assert.ok(d.has('long-namespace/c'));
  assert.ok(d.has(['long-namespace', 'c'].join('/')));
  assert.equal(d.listed('long-namespace' + '/' + 'c', cm('c', '1', {})), 'same');
  assert.equal(d.listed(key('long-namespace', 'c'), cm('c', '2', { k: 'v' })), 'MODIFIED');
});

test('a key that UTF-8 cannot carry (a lone surrogate, which the API never sends) is kept as it is', () => {
  const d = new ChangeDetector({ content });
  const odd = key('long-namespace', 'x\ud800');
  d.event('ADDED', odd, cm('x\ud800', '1', {}));
  assert.ok(d.has(odd));
  assert.deepEqual(d.event('MODIFIED', odd, cm('x\ud800', '1', {})), { skip: 'duplicate' });
});
