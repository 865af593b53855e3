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
