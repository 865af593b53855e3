/** The Lease's namespace: the flag, else the pod's (read once at start by the connection), else the watched one, else the context's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseNamespace } from '../../../src/cli/leader-election.js';

test('lease namespace: --lease-namespace, then the pod\'s, the one watched, the context\'s, default', () => {
  assert.deepEqual(leaseNamespace('ops', ['web'], 'ctx', 'pod'), { namespace: 'ops', from: '--lease-namespace' });
  assert.deepEqual(leaseNamespace(undefined, ['web'], 'ctx', 'pod'), { namespace: 'pod', from: "the pod's namespace" });
  assert.deepEqual(leaseNamespace(undefined, ['web'], 'ctx', undefined), { namespace: 'web', from: 'the watched namespace' });
  assert.deepEqual(leaseNamespace(undefined, ['a', 'b'], 'ctx', undefined), { namespace: 'ctx', from: "the context's namespace" });
  assert.deepEqual(leaseNamespace(undefined, undefined, undefined, undefined), { namespace: 'default', from: 'the default' });
});
