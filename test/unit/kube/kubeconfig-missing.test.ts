import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingKubeconfigFiles } from '../../../src/kube/kubeconfig-missing.js';

const dir = mkdtempSync(join(tmpdir(), 'cmwatch-kcmissing-'));
const HOME = join(dir, 'home');
const base = { home: HOME, cwd: dir };

test('KUBECONFIG naming only missing files: all of them, resolved against cwd', () => {
  assert.deepEqual(missingKubeconfigFiles({}, { ...base, env: { KUBECONFIG: 'a.yaml:/nope/b.yaml' } }), [join(dir, 'a.yaml'), '/nope/b.yaml']);
});

test('one file that exists (even an empty one), --kubeconfig, or no KUBECONFIG: not this case', () => {
  const there = join(dir, 'there.yaml');
  writeFileSync(there, '');
  assert.equal(missingKubeconfigFiles({}, { ...base, env: { KUBECONFIG: `/nope/a:${there}` } }), undefined);
  assert.equal(missingKubeconfigFiles({ kubeconfig: '/nope/k' }, { ...base, env: { KUBECONFIG: '/nope/a' } }), undefined);
  assert.equal(missingKubeconfigFiles({}, { ...base, env: {} }), undefined);
});
