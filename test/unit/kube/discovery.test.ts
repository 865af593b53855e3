/**
 * Discovery documents read into the resource model, both forms; and the
 * Discovery cache against a small HTTP server that serves the aggregated
 * form only to the aggregated Accept header, as kube-apiserver does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../../src/kube/client.js';
import { proxyConnection } from '../../../src/kube/connection.js';
import { Discovery, DISCOVERY_ACCEPT, discover } from '../../../src/kube/discovery.js';
import {
  DiscoveryShapeError, parseAggregatedDiscovery, parseCoreVersions, parseGroupList, parseResourceList,
} from '../../../src/kube/discovery-documents.js';
import type { DiscoveredResources } from '../../../src/api/resource.js';
import * as fx from './discovery-fixtures.js';

const summary = (d: DiscoveredResources) => d.resources.map((r) => `${r.canonical}@${r.version} ${r.kind} ${r.singular} [${r.shortNames}] ${r.namespaced ? 'ns' : 'cluster'} ${r.verbs.join(',')}`).sort();

test('aggregated: groups in order with versions by preference, resources without subresources, a Stale version recorded as failed', () => {
  const core = parseAggregatedDiscovery(fx.aggregatedCore, '/api');
  assert.deepEqual(core.groups, [{ name: '', preferredVersion: 'v1', versions: ['v1'] }]);
  const cm = core.resources.find((r) => r.resource === 'configmaps')!;
  assert.deepEqual(cm, {
    group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', shortNames: ['cm'], namespaced: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], canonical: 'configmaps',
  });
  assert.equal(core.resources.find((r) => r.resource === 'namespaces')!.namespaced, false);
  assert.equal(core.resources.length, 3, 'pods/status is a subresource');

  const g = parseAggregatedDiscovery(fx.aggregatedGroups, '/apis');
  assert.deepEqual(g.groups.map((x) => `${x.name}:${x.preferredVersion}:${x.versions}`), ['apps:v1:v1', 'autoscaling:v2:v2,v1', 'k8spatterns.com:v1:v1']);
  assert.deepEqual(g.failed, [{ groupVersion: 'metrics.k8s.io/v1beta1', message: 'the server reports its discovery as stale' }]);
  assert.deepEqual(g.resources.map((r) => `${r.canonical}@${r.version}`), [
    'deployments.apps@v1', 'horizontalpodautoscalers.autoscaling@v2', 'horizontalpodautoscalers.autoscaling@v1', 'configwatchers.k8spatterns.com@v1',
  ]);
});

test('per-group documents: APIVersions, APIGroupList, APIResourceList (subresources left out)', () => {
  assert.deepEqual(parseCoreVersions(fx.legacyApi), { name: '', preferredVersion: 'v1', versions: ['v1'] });
  assert.deepEqual(parseGroupList(fx.legacyApis).map((x) => `${x.name}:${x.preferredVersion}:${x.versions}`),
    ['apps:v1:v1', 'autoscaling:v2:v2,v1', 'metrics.k8s.io:v1beta1:v1beta1', 'k8spatterns.com:v1:v1']);
  const core = parseResourceList(fx.legacyCoreV1, '', 'v1', '/api/v1');
  assert.deepEqual(core.map((r) => r.canonical), ['configmaps', 'pods', 'namespaces']);
  const apps = parseResourceList(fx.legacyGroupVersions['/apis/apps/v1'], 'apps', 'v1', '/apis/apps/v1');
  assert.deepEqual(apps.map((r) => `${r.canonical} ${r.kind} ${r.singular} ${r.shortNames}`), ['deployments.apps Deployment deployment deploy']);
});

test('a server that lists no singular gets the lower-case Kind, as kubectl guesses it', () => {
  const doc = { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'things', namespaced: true, kind: 'Thing', verbs: ['list'] }] };
  assert.equal(parseResourceList(doc, '', 'v1', '/api/v1')[0]!.singular, 'thing');
});

test('a document of the wrong shape is an E_DISCOVERY_SHAPE error naming its path', () => {
  assert.throws(() => parseGroupList({ kind: 'Status' }, '/apis'), (e: unknown) => e instanceof DiscoveryShapeError && e.code === 'E_DISCOVERY_SHAPE' && /\/apis is not an APIGroupList/.test(e.message));
  assert.throws(() => parseResourceList([], 'apps', 'v1', '/apis/apps/v1'), { code: 'E_DISCOVERY_SHAPE' });
  assert.throws(() => parseCoreVersions({ kind: 'APIVersions', versions: [] }), { code: 'E_DISCOVERY_SHAPE' });
  assert.throws(() => parseAggregatedDiscovery({ kind: 'APIGroupDiscoveryList' }, '/apis'), { code: 'E_DISCOVERY_SHAPE' });
});

/** A discovery server: aggregated documents only for the aggregated Accept header, unless `aggregated` is off. */
async function discoveryServer(opts: { aggregated: boolean }) {
  const state = { aggregated: opts.aggregated, withCrd: true, seen: [] as string[], accepts: [] as string[] };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const withoutCrd = <T extends { items?: unknown[]; groups?: unknown[] }>(doc: T): T => state.withCrd ? doc : {
    ...doc,
    ...(doc.items ? { items: doc.items.filter((i: any) => i.metadata?.name !== 'k8spatterns.com') } : {}),
    ...(doc.groups ? { groups: doc.groups.filter((g: any) => g.name !== 'k8spatterns.com') } : {}),
  };
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url!.split('?')[0]!;
    state.seen.push(path);
    state.accepts.push(String(req.headers.accept));
    const wantsAggregated = state.aggregated && /g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/.test(String(req.headers.accept));
    if (path === '/api') return send(res, 200, wantsAggregated ? fx.aggregatedCore : fx.legacyApi);
    if (path === '/apis') return send(res, 200, wantsAggregated ? withoutCrd(fx.aggregatedGroups) : withoutCrd(fx.legacyApis));
    if (path === '/api/v1') return send(res, 200, fx.legacyCoreV1);
    const doc = fx.legacyGroupVersions[path];
    if (doc && (state.withCrd || !path.includes('k8spatterns'))) return send(res, 200, doc);
    if (path.startsWith('/apis/metrics.k8s.io/')) return send(res, 503, { kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503, message: 'the server is currently unable to handle the request' });
    send(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const conn = proxyConnection(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  return {
    state, client: new KubeClient(conn),
    async close() {
      s.closeAllConnections();
      await conn.close().catch(() => {});
      await new Promise((r) => s.close(r));
    },
  };
}

test('discover(): aggregated where served (two requests), the per-group documents otherwise; both give the same resources', async () => {
  const agg = await discoveryServer({ aggregated: true });
  const legacy = await discoveryServer({ aggregated: false });
  try {
    const a = await discover(agg.client);
    assert.deepEqual(a.form, { core: 'aggregated', groups: 'aggregated' });
    assert.deepEqual(agg.state.seen.sort(), ['/api', '/apis']);
    assert.ok(agg.state.accepts.every((h) => h === DISCOVERY_ACCEPT));

    const l = await discover(legacy.client);
    assert.deepEqual(l.form, { core: 'legacy', groups: 'legacy' });
    assert.deepEqual(legacy.state.seen.filter((p) => p.split('/').length > 2).sort(),
      ['/api/v1', '/apis/apps/v1', '/apis/autoscaling/v1', '/apis/autoscaling/v2', '/apis/k8spatterns.com/v1', '/apis/metrics.k8s.io/v1beta1']);
    assert.deepEqual(summary(l), summary(a));
    assert.deepEqual(l.groups.map((g) => g.name), a.groups.map((g) => g.name), 'the down group is left out of both');
    assert.deepEqual(l.failed.map((f) => f.groupVersion), ['metrics.k8s.io/v1beta1']);
    assert.match(l.failed[0]!.message, /HTTP 503/);

    const forced = await discover(agg.client, { aggregated: false });
    assert.deepEqual(forced.form, { core: 'legacy', groups: 'legacy' }, 'aggregated: false asks for the plain form only');
    assert.deepEqual(summary(forced), summary(a));
  } finally {
    await agg.close();
    await legacy.close();
  }
});

test('Discovery: cached for the run; resolve() re-discovers once for a name it cannot resolve, then answers', async () => {
  const srv = await discoveryServer({ aggregated: true });
  try {
    srv.state.withCrd = false;
    const d = new Discovery(srv.client);
    const count = () => srv.state.seen.filter((p) => p === '/apis').length;
    const cm = await d.resolve('cm');
    assert.equal(cm.status === 'resolved' && cm.resource.canonical, 'configmaps');
    assert.equal(count(), 1);
    await d.resolve('deploy');
    assert.equal(count(), 1, 'a name that resolves uses the cache');

    // Not served yet: one fresh discovery, still not served.
    assert.deepEqual(await d.resolve('configwatchers.k8spatterns.com'),
      { status: 'not-served', name: 'configwatchers.k8spatterns.com', resource: 'configwatchers', group: 'k8spatterns.com' });
    assert.equal(count(), 2);
    // An unknown short name: one fresh discovery, then the error.
    await assert.rejects(d.resolve('cw'), { code: 'E_RESOURCE_UNKNOWN', message: 'no resource cw on this server' });
    assert.equal(count(), 3);

    // The CRD appears: the next resolve finds it after its one refresh.
    srv.state.withCrd = true;
    const cw = await d.resolve('cw');
    assert.equal(cw.status === 'resolved' && cw.resource.canonical, 'configwatchers.k8spatterns.com');
    assert.equal(count(), 4);
    await d.resolve('configwatchers.k8spatterns.com');
    assert.equal(count(), 4);

    // Ambiguity and not-watchable are answers, not reasons to re-discover.
    await d.refresh();
    assert.equal(count(), 5);
    const [a, b] = await Promise.all([d.refresh(), d.refresh()]);
    assert.equal(a, b, 'callers at the same time share one discovery');
    assert.equal(count(), 6);
  } finally {
    await srv.close();
  }
});

test('Discovery: the first resolve of an unknown name does not discover twice', async () => {
  const srv = await discoveryServer({ aggregated: true });
  try {
    const d = new Discovery(srv.client);
    await assert.rejects(d.resolve('nosuch'), { code: 'E_RESOURCE_UNKNOWN' });
    assert.equal(srv.state.seen.filter((p) => p === '/apis').length, 1);
  } finally {
    await srv.close();
  }
});

test('subresources are recorded on their resource, in both forms (write-back refuses a status line without one)', () => {
  const agg = parseAggregatedDiscovery(fx.aggregatedCore, '/api').resources;
  assert.deepEqual(agg.find((r) => r.resource === 'pods')!.subresources, ['status']);
  assert.equal(agg.find((r) => r.resource === 'configmaps')!.subresources, undefined);
  const legacy = parseResourceList(fx.legacyCoreV1, '', 'v1', '/api/v1');
  assert.deepEqual(legacy.find((r) => r.resource === 'pods')!.subresources, ['status']);
  assert.equal(legacy.find((r) => r.resource === 'configmaps')!.subresources, undefined);
});

test('Discovery.byKind: apiVersion + kind → resource; a miss re-discovers once (a CRD created since)', async () => {
  const srv = await discoveryServer({ aggregated: true });
  try {
    srv.state.withCrd = false;
    const d = new Discovery(srv.client);
    const count = () => srv.state.seen.filter((p) => p === '/apis').length;
    assert.equal((await d.byKind('apps/v1', 'Deployment'))?.canonical, 'deployments.apps');
    assert.equal((await d.byKind('v1', 'ConfigMap'))?.canonical, 'configmaps');
    assert.equal(await d.byKind('v2', 'ConfigMap'), undefined, 'the version must be served');
    assert.equal(count(), 2);
    srv.state.withCrd = true;
    const cw = await d.byKind('k8spatterns.com/v1', 'ConfigWatcher');
    assert.equal(cw?.canonical, 'configwatchers.k8spatterns.com');
    assert.deepEqual(cw?.subresources, ['status']);
    assert.equal(count(), 3);
  } finally {
    await srv.close();
  }
});
