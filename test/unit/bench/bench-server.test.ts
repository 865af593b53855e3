/**
 * The bench server (bench/server.ts) speaks the API's shapes for every kind
 * the benchmark watches: discovery in both forms read by cmwatch's own
 * parsers and resolved as a user would name the resources, lists of the
 * right kind, and watch events whose objects change detection delivers
 * (a Widget's generation is bumped by each event). No timings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forkServer } from '../../../bench/proc.js';
import { KINDS, RESOURCE_NAMES } from '../../../bench/kinds.js';
import { LineEncoder, Workload } from '../../../bench/workload.js';
import { DISCOVERY_ACCEPT } from '../../../src/kube/discovery.js';
import { mergeDiscovered, parseAggregatedDiscovery, parseCoreVersions, parseGroupList, parseResourceList } from '../../../src/kube/discovery-documents.js';
import { resolveResourceName } from '../../../src/api/resource-name.js';
import { ChangeDetector } from '../../../src/watch/change-detector.js';
import { contentFor } from '../../../src/watch/content.js';
import type { K8sObject } from '../../../src/api/types.js';

type Doc = Record<string, any>;

test('the encoder writes, for every kind, the same bytes as the string renderer', () => {
  for (const resource of RESOURCE_NAMES) {
    const w = new Workload({ n: 3, size: 1024, resource });
    const enc = new LineEncoder(w);
    const buf = Buffer.alloc(enc.maxLine * 2);
    for (let i = 0; i < 7; i++) {
      const at = enc.write(buf, 0, i);
      assert.equal(buf.subarray(0, at).toString('latin1'), w.line(i), `${resource} event ${i}`);
    }
    const size = w.listItem(0).length;
    assert.ok(size > 900 && size < 1100, `${resource}: an object of about 1 KiB, got ${size} bytes`);
  }
});

test('the bench server: discovery in both forms, lists and a watch of ConfigMaps, Secrets and Widgets', async () => {
  const server = await forkServer({ n: 3, size: 1024, phases: [4], resources: ['configmaps', 'secrets', 'widgets'] });
  try {
    const get = async (path: string, accept?: string) => {
      const res = await fetch(server.url + path, { headers: accept ? { accept } : {} });
      assert.equal(res.status, 200, path);
      return { type: res.headers.get('content-type'), body: (await res.text()) };
    };

    const core = await get('/api', DISCOVERY_ACCEPT);
    const groups = await get('/apis', DISCOVERY_ACCEPT);
    assert.equal(groups.type, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const aggregated = mergeDiscovered([parseAggregatedDiscovery(JSON.parse(core.body), '/api'), parseAggregatedDiscovery(JSON.parse(groups.body), '/apis')]);
    assert.deepEqual(aggregated.resources.map((r) => r.canonical).sort(), ['configmaps', 'secrets', 'widgets.bench.example.com']);

    assert.deepEqual(parseCoreVersions(JSON.parse((await get('/api')).body)).versions, ['v1']);
    assert.deepEqual(parseGroupList(JSON.parse((await get('/apis')).body)).map((g) => g.name), ['bench.example.com']);
    const legacy = mergeDiscovered([
      { groups: [], failed: [], resources: parseResourceList(JSON.parse((await get('/api/v1')).body), '', 'v1', '/api/v1') },
      { groups: [], failed: [], resources: parseResourceList(JSON.parse((await get('/apis/bench.example.com/v1')).body), 'bench.example.com', 'v1', '/apis/bench.example.com/v1') },
    ]);
    for (const set of [aggregated, legacy]) {
      for (const name of ['widgets.bench.example.com', 'widgets', 'wg', 'Widget', 'secrets', 'cm']) {
        const r = resolveResourceName(set, name);
        assert.equal(r.status, 'resolved', name);
      }
    }

    const widgets = resolveResourceName(aggregated, 'wg');
    assert.ok(widgets.status === 'resolved');
    for (const resource of RESOURCE_NAMES) {
      const kind = KINDS[resource];
      const page = JSON.parse((await get(`${kind.path('bench')}?limit=2`)).body) as Doc;
      assert.equal(page.kind, kind.listKind);
      assert.equal(page.apiVersion, kind.group ? `${kind.group}/v1` : 'v1');
      assert.equal(page.items.length, 2);
      assert.ok(page.metadata.continue && page.metadata.remainingItemCount === 1, `${resource}: a paged list`);
      for (const item of page.items as Doc[]) {
        assert.equal(item.kind, kind.kind);
        assert.equal(item.apiVersion, page.apiVersion);
      }
      if (resource === 'secrets') {
        assert.equal(page.items[0].type, 'Opaque');
        assert.match(Buffer.from(page.items[0].data['config.ini'], 'base64').toString(), /^option_0000 = "/);
      }
      if (resource === 'widgets') assert.equal(page.items[0].metadata.generation, 1);
    }

    // The widgets' watch: 4 MODIFIED events, every one a change for cmwatch's default content, then the marker.
    const res = await fetch(`${server.url}${KINDS.widgets.path('bench')}?watch=true&resourceVersion=1000`);
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/\n/g) ?? []).length < 5) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    await reader.cancel();
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: K8sObject & Doc });
    assert.deepEqual(events.map((e) => e.type), ['MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'ADDED']);
    assert.equal(events[4]!.object.metadata!.name, 'bench-end-1');
    const detector = new ChangeDetector({ content: contentFor(widgets.resource) });
    const list = JSON.parse((await get(KINDS.widgets.path('bench'))).body) as { items: K8sObject[] };
    for (const item of list.items) detector.remember(`bench/${item.metadata!.name}`, item);
    for (const e of events.slice(0, 4)) {
      assert.equal(e.object.spec.revision, e.object.metadata!.generation);
      const d = detector.event('MODIFIED', `bench/${e.object.metadata!.name}`, e.object);
      assert.ok(!('skip' in d), `event of generation ${e.object.metadata!.generation} is delivered: ${JSON.stringify(d)}`);
    }
  } finally {
    await server.stop();
  }
});

test('the bench server: ConfigMaps spread over namespaces as the cluster-wide collection, per-resource counts, an expiring first watch', async () => {
  const server = await forkServer({ n: 5, size: 1024, phases: [], resources: ['configmaps', 'widgets'], counts: { widgets: 2 }, namespaces: 3, expire: true });
  try {
    const list = async (path: string) => {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      return (await res.json()) as Doc;
    };
    // Paged with limit and continue, each object in its own namespace.
    const first = await list('/api/v1/configmaps?limit=3');
    assert.equal(first.kind, 'ConfigMapList');
    assert.equal(first.metadata.remainingItemCount, 2);
    const rest = await list(`/api/v1/configmaps?limit=3&continue=${encodeURIComponent(first.metadata.continue)}`);
    const items = [...first.items, ...rest.items] as Doc[];
    assert.deepEqual(items.map((o) => o.metadata.namespace), ['bench-000', 'bench-001', 'bench-002', 'bench-000', 'bench-001']);
    assert.equal(new Set(items.map((o) => o.metadata.name)).size, 5);
    assert.equal(rest.metadata.continue, undefined);
    assert.equal((await list(KINDS.widgets.path('bench'))).items.length, 2, 'widgets: their own count');

    // The first watch: a BOOKMARK past the list; on "continue", an ERROR 410 Expired and the end.
    const res = await fetch(`${server.url}/api/v1/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    const reader = res.body!.getReader();
    let text = '';
    const read = async (lines: number) => {
      while ((text.match(/\n/g) ?? []).length < lines) {
        const { value, done } = await reader.read();
        if (done) return true;
        text += Buffer.from(value).toString();
      }
      return false;
    };
    await read(1);
    await server.phaseAt(1);
    server.next();
    await read(2);
    assert.equal(await read(3), true, 'the response ends after the ERROR');
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Doc });
    assert.deepEqual(events.map((e) => e.type), ['BOOKMARK', 'ERROR']);
    assert.ok(Number(events[0]!.object.metadata.resourceVersion) > Number(first.metadata.resourceVersion), 'the bookmark is past the list');
    assert.equal(events[1]!.object.code, 410);
    assert.equal(events[1]!.object.reason, 'Expired');
    const again = await list('/api/v1/configmaps');
    assert.ok(Number(again.metadata.resourceVersion) > Number(events[0]!.object.metadata.resourceVersion), 'a later list is newer');
  } finally {
    await server.stop();
  }
});
