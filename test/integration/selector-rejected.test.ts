/**
 * Field selectors through the fake API server (real HttpSource and Reflector):
 * a supported one filters the list and the watch; one the server refuses
 * (a 400 naming a field the resource does not support, or a selector that
 * does not parse) stops the reflector at once with a SelectorRejectedError,
 * whose one line names the flag and the field, and whose code exits 2.
 * Another 400 is still retried. The fake words its 400s as kube-apiserver
 * v1.36.3 does (checked with kubectl get cm|pods --field-selector foo=bar -v=8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../fake/api-server.js';
import { until } from '../helpers/cli.js';
import { KubeClient } from '../../src/kube/client.js';
import { proxyConnection } from '../../src/kube/connection.js';
import { Reflector, type Delivery } from '../../src/watch/reflector.js';
import { configMapContent } from '../../src/watch/content.js';
import { HttpSource, type ResourceRef } from '../../src/watch/source.js';
import { SelectorRejectedError } from '../../src/watch/selector-rejection.js';
import { Backoff } from '../../src/base/backoff.js';
import { oneLine } from '../../src/base/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { Logger } from '../../src/ops/log.js';

async function withReflector(ref: ResourceRef, prepare: (api: FakeApiServer) => void, body: (o: {
  api: FakeApiServer; run: Promise<void>; deliveries: Delivery[]; logs: string[];
}) => Promise<void>): Promise<void> {
  const api = await new FakeApiServer().start();
  prepare(api);
  const ac = new AbortController();
  const deliveries: Delivery[] = [];
  const logs: string[] = [];
  const r = new Reflector({
    source: new HttpSource(new KubeClient(proxyConnection(api.url)), ref),
    log: new Logger({ level: 'debug', color: false, write: (l) => logs.push(l) }),
    signal: ac.signal,
    onEvent: (d) => deliveries.push(d),
    content: configMapContent([]),
    backoff: new Backoff({ initialMs: 10, maxMs: 100 }),
    stallTimeoutMs: 5000,
  });
  const run = r.run();
  try {
    await body({ api, run, deliveries, logs });
  } finally {
    ac.abort();
    await run.catch(() => {});
    await api.stop();
  }
}

const cmRef = (extra: Partial<ResourceRef>): ResourceRef => ({ resource: 'configmaps', kind: 'ConfigMap', namespace: 'default', ...extra });

test('a supported field selector filters the list and the watch; it is sent on both', async () => {
  await withReflector(cmRef({ fieldSelector: 'metadata.name=web' }), (api) => {
    api.upsertConfigMap('default', 'web', { v: '1' });
    api.upsertConfigMap('default', 'db', { v: '1' });
  }, async ({ api, deliveries }) => {
    await until(() => api.watchCount > 0, 10_000, 'an open watch');
    api.upsertConfigMap('default', 'db', { v: '2' });
    api.upsertConfigMap('default', 'web', { v: '2' });
    await until(() => deliveries.length >= 2, 10_000, 'two deliveries');
    assert.deepEqual(deliveries.map((d) => `${d.type} ${d.key}`), ['SYNC default/web', 'MODIFIED default/web']);
    const gets = api.requests.filter((r) => r.method === 'GET');
    assert.ok(gets.length >= 2 && gets.every((r) => r.query.fieldSelector === 'metadata.name=web'), JSON.stringify(gets.map((r) => r.query)));
  });
});

test('a field configmaps do not support: one list, no retry, the reflector rejects with a one-line error that exits 2', async () => {
  await withReflector(cmRef({ fieldSelector: 'metadata.name=web,foo=bar' }), () => {}, async ({ api, run, logs }) => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SelectorRejectedError, String(err));
    assert.equal(oneLine(err),
      '--field-selector: the server does not support field "foo" on configmaps (hint: configmaps support only "metadata.name", "metadata.namespace"; e.g. --field-selector metadata.name=web)');
    assert.equal(err.code, 'E_SELECTOR_REJECTED');
    assert.equal((err.cause as { status?: number }).status, 400, 'the ApiError is the cause');
    assert.equal(exitCodeFor(err), 2);
    assert.equal(api.requests.length, 1, 'not retried');
    assert.ok(!logs.some((l) => /listing again/.test(l)), logs.join('\n'));
  });
});

test('a field pods do not support ("field label not supported: foo"): the same error, with the server\'s words in the hint', async () => {
  await withReflector({ resource: 'pods', kind: 'Pod', namespace: 'default', fieldSelector: 'foo=bar' }, () => {}, async ({ run }) => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SelectorRejectedError, String(err));
    assert.equal(oneLine(err),
      '--field-selector: the server does not support field "foo" on pods (hint: every resource supports metadata.name and metadata.namespace, some a few more (the server said: field label not supported: foo); e.g. --field-selector metadata.name=web)');
  });
});

test('a 400 on the watch that names an unsupported field also stops the reflector', async () => {
  await withReflector(cmRef({ fieldSelector: 'metadata.name=web' }), (api) => {
    api.faults.push({ kind: 'status', status: 400, reason: 'BadRequest', on: 'watch', message: 'field label not supported: metadata.name' });
  }, async ({ run, deliveries }) => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SelectorRejectedError, String(err));
    assert.match(oneLine(err), /^--field-selector: the server does not support field "metadata\.name" on configmaps \(hint: /);
    assert.equal(deliveries.length, 0);
  });
});

test('a field selector the server cannot parse, and a label selector it cannot parse, stop the reflector naming their flag', async () => {
  await withReflector(cmRef({ fieldSelector: 'metadata.name=a=b' }), () => {}, async ({ run }) => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SelectorRejectedError, String(err));
    assert.match(oneLine(err), /^--field-selector: the server rejected the field selector "metadata\.name=a=b": invalid field selector: .* \(hint: e\.g\. --field-selector metadata\.name=web\)$/);
  });
  await withReflector(cmRef({ labelSelector: 'tier in (' }), () => {}, async ({ run }) => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SelectorRejectedError, String(err));
    assert.match(oneLine(err), /^--selector: the server rejected the label selector "tier in \(": unable to parse requirement: .* \(hint: e\.g\. -l app=webapp/);
    assert.equal(exitCodeFor(err), 2);
  });
});

test('a 400 that blames no selector is still retried (back off, relist)', async () => {
  await withReflector(cmRef({ fieldSelector: 'metadata.name=web' }), (api) => {
    api.upsertConfigMap('default', 'web', { v: '1' });
    api.faults.push({ kind: 'status', status: 400, reason: 'BadRequest', on: 'list', message: 'something else' });
  }, async ({ deliveries, logs }) => {
    await until(() => deliveries.length >= 1, 10_000, 'the sync after the retry');
    assert.ok(logs.some((l) => /HTTP 400 BadRequest: something else; listing again in/.test(l)), logs.join('\n'));
  });
});
