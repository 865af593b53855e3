/** The in-cluster namespace file, read by one function with one rule: only ENOENT means "not in a pod". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inClusterFileExists, readInClusterNamespace } from '../../../src/kube/in-cluster.js';
import { ConnectionConfigError } from '../../../src/kube/errors.js';

function saDir(namespace?: string | 'dir'): string {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-sa-'));
  if (namespace === 'dir') mkdirSync(join(dir, 'namespace'));
  else if (namespace !== undefined) writeFileSync(join(dir, 'namespace'), namespace);
  return dir;
}

test('in-cluster namespace: the file\'s namespace; no file or an empty one is none', () => {
  assert.equal(readInClusterNamespace({ CMWATCH_SA_DIR: saDir('team\n') }), 'team');
  assert.equal(readInClusterNamespace({ CMWATCH_SA_DIR: saDir() }), undefined, 'no file: not in a pod');
  assert.equal(readInClusterNamespace({ CMWATCH_SA_DIR: join(tmpdir(), 'cmwatch-no-such-sa-dir') }), undefined, 'no directory: not in a pod');
  assert.equal(readInClusterNamespace({ CMWATCH_SA_DIR: saDir('  \n') }), undefined);
});

test('in-cluster namespace: a file that cannot be read, or holds no valid namespace, is a typed error naming it', () => {
  const dir = saDir('dir');
  assert.throws(() => readInClusterNamespace({ CMWATCH_SA_DIR: dir }), (e: unknown) => {
    assert.ok(e instanceof ConnectionConfigError);
    assert.equal(e.code, 'E_CONNECTION_CONFIG');
    assert.equal(e.message, `the in-cluster namespace file ${join(dir, 'namespace')}: cannot read (EISDIR)`);
    assert.ok(e.hint);
    return true;
  });
  assert.throws(() => readInClusterNamespace({ CMWATCH_SA_DIR: saDir('Not_A_Namespace') }), /holds "Not_A_Namespace", not a valid namespace/);
});

test('in-cluster files: ENOENT is "not there"; any other failure is an error', () => {
  const dir = saDir('team');
  assert.equal(inClusterFileExists(join(dir, 'namespace'), 'x'), true);
  assert.equal(inClusterFileExists(join(dir, 'token'), 'x'), false);
  assert.throws(() => inClusterFileExists(join(dir, 'namespace', 'token'), 'the in-cluster token'), /^ConnectionConfigError: the in-cluster token .*: cannot read \(ENOTDIR\)$/);
});
