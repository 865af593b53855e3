/** objectSummary: human output about an object never contains a value of data, binaryData or stringData. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectSummary } from '../../../src/api/object-summary.js';
import type { K8sObject } from '../../../src/api/types.js';

const PLAIN = ['hunter2-s3cr3t', 'binary-payload-9', 'string-data-value-7'];
const secret: K8sObject = {
  apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
  metadata: { name: 'db', namespace: 'web', resourceVersion: '812' },
  data: { password: Buffer.from(PLAIN[0]!).toString('base64'), user: 'YWRtaW4=', host: 'ZGIud2Vi' },
  binaryData: { blob: Buffer.from(PLAIN[1]!).toString('base64') },
  stringData: { token: PLAIN[2]! },
};

test('a Secret is summarised by kind, name, version and key counts', () => {
  assert.equal(objectSummary(secret), 'Secret web/db rv=812 data: 3 keys, binaryData: 1 key, stringData: 1 key');
});

test('no value of a Secret appears in its summary, plain or base64', () => {
  const s = objectSummary(secret);
  for (const field of ['data', 'binaryData', 'stringData'] as const) {
    for (const v of Object.values(secret[field] as Record<string, string>)) {
      assert.ok(!s.includes(v), `${field} value ${v} leaked`);
      assert.ok(!s.includes(Buffer.from(v, 'base64').toString()), `${field} decoded value leaked`);
    }
  }
  for (const p of PLAIN) assert.ok(!s.includes(p));
});

test('a value map of the wrong shape is described, never printed', () => {
  const odd = { kind: 'Secret', metadata: { name: 'x' }, data: 'hunter2-s3cr3t' as unknown as Record<string, string>, stringData: ['a-secret-item'] as unknown as Record<string, string> };
  const s = objectSummary(odd);
  assert.equal(s, 'Secret x data: not a map, stringData: not a map');
});

test('an object without value maps, cluster-scoped or empty', () => {
  assert.equal(objectSummary({ kind: 'Namespace', metadata: { name: 'web', resourceVersion: '3' } }), 'Namespace web rv=3');
  assert.equal(objectSummary({ kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: {} }), 'ConfigMap d/c data: 0 keys');
  assert.equal(objectSummary({}), 'object');
});
