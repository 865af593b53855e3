/**
 * ResourceWatch (src/watch/resource-watch.ts) with the real reflector and
 * HttpSource against the fake API server, and a scripted discovery whose
 * answers the test changes: a resource not served at start is waited for and
 * its first list delivered as ADDED; a resource that stops being served (a
 * 404, and discovery agrees) is waited for again and, when back, relisted
 * and diffed; a 404 while discovery still serves it is retried; keys carry
 * the resource when asked; the handler fields (resource, hash) are set.
 * The real control plane runs the same paths with real CRDs in
 * test/e2e/any-resource.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../fake/api-server.js';
import { until } from '../helpers/cli.js';
import { KubeClient } from '../../src/kube/client.js';
import { proxyConnection } from '../../src/kube/connection.js';
import type { Discovery, DiscoverySnapshot } from '../../src/kube/discovery.js';
import { apiResource, type ApiResource } from '../../src/api/resource.js';
import { Backoff } from '../../src/base/backoff.js';
import { Logger } from '../../src/ops/log.js';
import { ResourceWatch } from '../../src/watch/resource-watch.js';
import { contentFor } from '../../src/watch/content.js';
import type { Delivery } from '../../src/watch/reflector.js';
import type { Target } from '../../src/watch/targets.js';

const CONFIGMAPS = apiResource({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list', 'watch'] });

/** A discovery whose served resources the test sets; counts refreshes. */
class ScriptedDiscovery {
  served: ApiResource[] = [];
  refreshes = 0;
  async refresh(): Promise<DiscoverySnapshot> {
    this.refreshes++;
    return {
      groups: [{ name: '', preferredVersion: 'v1', versions: ['v1'] }],
      resources: this.served,
      failed: [],
      form: { core: 'aggregated', groups: 'aggregated' },
    };
  }
}

async function rig(target: Target, opts: { keyPrefix?: boolean; discovery?: ScriptedDiscovery; namespaces?: string[] } = {}) {
  const api = await new FakeApiServer().start();
  const conn = proxyConnection(api.url);
  const ac = new AbortController();
  const got: Delivery[] = [];
  const logs: string[] = [];
  const waits: string[] = [];
  const discovery = opts.discovery ?? new ScriptedDiscovery();
  const w = new ResourceWatch({
    target,
    discovery: discovery as unknown as Discovery,
    client: new KubeClient(conn),
    log: new Logger({ level: 'debug', color: false, write: (l) => logs.push(l) }),
    signal: ac.signal,
    namespaces: opts.namespaces ?? ['default'],
    content: (r) => contentFor(r),
    reflector: { stallTimeoutMs: 2000, exitOnError: false },
    onEvent: (d) => {
      got.push(d);
    },
    keyPrefix: opts.keyPrefix ?? false,
    labelled: true,
    observer: {
      hooks: () => ({}),
      created: () => {},
      waiting: (label) => {
        waits.push(label);
        return () => waits.splice(waits.indexOf(label), 1);
      },
    },
    waitBackoff: new Backoff({ initialMs: 20, maxMs: 50, jitter: 0 }),
  });
  const running = w.run();
  return {
    api, got, logs, waits, discovery,
    async stop() {
      ac.abort();
      await running.catch(() => {});
      await conn.close();
      await api.stop();
    },
  };
}

test('a resource not served at start is waited for (one info line, not ready meanwhile); once served, its objects arrive as ADDED, not SYNC', async () => {
  const r = await rig({ name: 'configmaps', resolution: { status: 'not-served', name: 'configmaps', resource: 'configmaps', group: '' } });
  try {
    r.api.upsertConfigMap('default', 'early', { a: '1' });
    await until(() => r.discovery.refreshes >= 3, 5000, 'a few discoveries');
    assert.equal(r.got.length, 0);
    assert.deepEqual(r.waits, ['configmaps: not served yet']);
    r.discovery.served = [CONFIGMAPS];
    await until(() => r.got.length === 1, 5000, 'the first object');
    assert.equal(r.got[0]!.type, 'ADDED');
    assert.equal(r.got[0]!.key, 'default/early');
    assert.deepEqual(r.got[0]!.resource, { name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1' });
    assert.match(r.got[0]!.hash!, /^\S{22}$/);
    assert.deepEqual(r.waits, [], 'ready once served');
    assert.equal(r.logs.filter((l) => /not served yet; waiting for it/.test(l)).length, 1, r.logs.join('\n'));
    r.api.upsertConfigMap('default', 'later', { a: '1' });
    await until(() => r.got.some((d) => d.key === 'default/later' && d.type === 'ADDED'), 5000, 'a live ADDED');
  } finally {
    await r.stop();
  }
});

test('a 404 while discovery no longer serves the resource: logged, waited for; back, it is relisted and diffed (new objects ADDED, gone ones DELETED)', async () => {
  const discovery = new ScriptedDiscovery();
  discovery.served = [CONFIGMAPS];
  const r = await rig({ name: 'configmaps', resolution: { status: 'resolved', name: 'configmaps', resource: CONFIGMAPS, form: 'plural' } }, { discovery, keyPrefix: true });
  try {
    r.api.upsertConfigMap('default', 'stays', { a: '1' });
    r.api.upsertConfigMap('default', 'goes', { a: '1' });
    await until(() => r.api.watchCount > 0 && r.got.length === 2, 5000, 'synced and watching');
    assert.deepEqual(r.got.map((d) => `${d.type} ${d.key}`).sort(), ['SYNC configmaps/default/goes', 'SYNC configmaps/default/stays']);
    discovery.served = [];
    r.api.faults.push({ kind: 'status', status: 404, reason: 'NotFound', times: 1000 });
    r.api.closeWatches();
    await until(() => r.logs.some((l) => /configmaps is no longer served \(as v1: its CRD deleted\?\); waiting for it to be served again/.test(l)), 5000, 'the gone line');
    r.api.faults.length = 0;
    r.api.deleteConfigMap('default', 'goes');
    r.api.upsertConfigMap('default', 'new', { a: '1' });
    discovery.served = [CONFIGMAPS];
    await until(() => r.got.length === 4, 5000, 'the diff');
    assert.deepEqual(r.got.slice(2).map((d) => `${d.type} ${d.key}`).sort(), ['ADDED configmaps/default/new', 'DELETED configmaps/default/goes']);
  } finally {
    await r.stop();
  }
});

test('a 404 while discovery still serves the resource is logged and retried, not taken as gone', async () => {
  const discovery = new ScriptedDiscovery();
  discovery.served = [CONFIGMAPS];
  const r = await rig({ name: 'configmaps', resolution: { status: 'resolved', name: 'configmaps', resource: CONFIGMAPS, form: 'plural' } }, { discovery });
  try {
    r.api.faults.push({ kind: 'status', status: 404, reason: 'NotFound', on: 'list', times: 1 });
    await until(() => r.logs.some((l) => /HTTP 404.*listing again in/.test(l)), 5000, 'the retry line');
    assert.ok(!r.logs.some((l) => /no longer served/.test(l)));
  } finally {
    await r.stop();
  }
});

test('several namespaces: one reflector finding the resource gone stops the others; when it is back, every namespace is watched again and nothing is lost', async () => {
  const discovery = new ScriptedDiscovery();
  discovery.served = [CONFIGMAPS];
  const r = await rig({ name: 'configmaps', resolution: { status: 'resolved', name: 'configmaps', resource: CONFIGMAPS, form: 'plural' } }, { discovery, namespaces: ['a', 'b'] });
  try {
    await until(() => r.api.watchCount >= 2, 5000, 'two watches');
    discovery.served = [];
    r.api.faults.push({ kind: 'status', status: 404, reason: 'NotFound', on: 'watch', times: 1 });
    r.api.closeWatches();
    await until(() => r.logs.some((l) => /is no longer served/.test(l)), 5000, 'the gone line');
    discovery.served = [CONFIGMAPS];
    await until(() => r.logs.some((l) => /is served now/.test(l)), 5000, 'served again');
    r.api.upsertConfigMap('a', 'x', { v: '1' });
    r.api.upsertConfigMap('b', 'y', { v: '1' });
    await until(() => r.got.some((d) => d.key === 'a/x') && r.got.some((d) => d.key === 'b/y'), 5000, 'both namespaces delivered');
    assert.deepEqual(r.got.map((d) => `${d.type} ${d.key}`).sort(), ['ADDED a/x', 'ADDED b/y']);
  } finally {
    await r.stop();
  }
});
