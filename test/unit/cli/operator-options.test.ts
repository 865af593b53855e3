import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOperatorConfig, onWithFinalizers, parseFinalizerFlag } from '../../../src/cli/operator-options.js';
import { buildConfig } from '../../../src/cli/options.js';
import { CmwatchError } from '../../../src/base/errors.js';

const usage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof CmwatchError && e.code === 'E_USAGE' && re.test(e.message) && !!e.hint);

test('--finalizer NAME and RESOURCE=NAME', () => {
  assert.deepEqual(parseFinalizerFlag('example.com/cleanup'), { resource: undefined, name: 'example.com/cleanup', text: 'example.com/cleanup' });
  assert.deepEqual(parseFinalizerFlag('cw=example.com/cleanup'), { resource: 'cw', name: 'example.com/cleanup', text: 'cw=example.com/cleanup' });
  assert.deepEqual(parseFinalizerFlag('deployments.apps=example.com/x').resource, 'deployments.apps');
  usage(() => parseFinalizerFlag('example.com/a/b'), /--finalizer: invalid finalizer name "example.com\/a\/b": more than one/);
  usage(() => parseFinalizerFlag('cw='), /invalid finalizer name "": empty/);
  usage(() => parseFinalizerFlag('c w=example.com/x'), /--finalizer: invalid resource name "c w"/);
  usage(() => parseFinalizerFlag('cm,cw=example.com/x'), /one resource per flag/);
  usage(() => parseFinalizerFlag('orphan'), /Kubernetes itself/);
});

test('--snapshot: resource names, comma lists split', () => {
  assert.deepEqual(buildOperatorConfig({ snapshot: ['cw', 'deploy,svc'] }).snapshots, ['cw', 'deploy', 'svc']);
  usage(() => buildOperatorConfig({ snapshot: ['deploy/web'] }), /--snapshot: invalid resource name "deploy\/web"/);
});

test('--on: FINALIZE added by default with a finalizer; the given --on stands; FINALIZE without --finalizer is refused', () => {
  const fin = [parseFinalizerFlag('example.com/x')];
  assert.deepEqual([...onWithFinalizers(new Set(['MODIFIED']), false, fin)].sort(), ['FINALIZE', 'MODIFIED']);
  assert.deepEqual([...onWithFinalizers(new Set(['MODIFIED']), true, fin)], ['MODIFIED']);
  usage(() => onWithFinalizers(new Set(['FINALIZE']), true, []), /FINALIZE happens only with --finalizer/);
});

test('buildConfig: --on takes FINALIZE for watch; the default --on gains it with --finalizer', () => {
  const base = { trigger: 'content', stallTimeout: '3m', logLevel: 'info', logFormat: 'text', server: 'http://127.0.0.1:1' };
  const cfg = buildConfig({ ...base, finalizer: ['example.com/x'] } as never, {});
  assert.deepEqual([...cfg.on].sort(), ['FINALIZE', 'MODIFIED']);
  assert.deepEqual(cfg.finalizers.map((f) => f.name), ['example.com/x']);
  const given = buildConfig({ ...base, finalizer: ['example.com/x'], on: 'ADDED,FINALIZE', onGiven: true } as never, {});
  assert.deepEqual([...given.on].sort(), ['ADDED', 'FINALIZE']);
  usage(() => buildConfig({ ...base, on: 'FINALIZE', onGiven: true } as never, {}), /FINALIZE happens only with --finalizer/);
});
