/** The catch-up stage's comparison with the store, with a fake engine and an in-memory store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CatchUp } from '../../../src/cli/catch-up.js';
import type { IntakeEvent } from '../../../src/cli/intake.js';
import type { HandlerEngine } from '../../../src/handlers/engine.js';
import type { StateStore } from '../../../src/ops/state-store.js';
import type { ApiResource } from '../../../src/api/resource.js';
import { Logger } from '../../../src/ops/log.js';

const CM: ApiResource = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: [], canonical: 'configmaps' } as unknown as ApiResource;
const RES = { name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1' };
const H = (c: string) => c.repeat(22);

function fakeStore(handled: Record<string, string> = {}, resources: string[] = []) {
  const m = new Map(Object.entries(handled));
  const res = new Set(resources);
  return {
    map: m,
    description: 'web/st',
    previousInflight: new Map<string, string>(),
    load: async () => ({ status: 'loaded' as const, keys: m.size, shards: 1, clean: true }),
    get: (k: string) => m.get(k),
    keysUnder: (p: string) => [...m.keys()].filter((k) => k.startsWith(p)),
    hasResource: (r: string) => res.has(r),
    addResource: (r: string) => void res.add(r),
    set: (k: string, h: string | undefined) => void (h === undefined ? m.delete(k) : m.set(k, h)),
    started: () => {},
    finished: () => {},
    clearInflight: () => {},
    flush: async () => {},
    size: m.size,
    stats: { writes: 0, conflicts: 0, failures: 0 },
  };
}

function rig(store: ReturnType<typeof fakeStore>, on: string[]) {
  const out: IntakeEvent[] = [];
  const busy = new Set<string>();
  const engine = { acting: true, wants: (t: string) => on.includes(t), hasWork: (k: string) => busy.has(k), depth: 0 } as unknown as HandlerEngine;
  const stage = new CatchUp({
    store: store as unknown as StateStore, storeNamespace: 'web', engine, forward: (d) => void out.push(d),
    log: new Logger({ level: 'error', format: 'text' }), keepObjects: false, multi: false,
  });
  const listed = (name: string, hash: string): IntakeEvent => ({
    type: 'SYNC', key: `web/${name}`, via: 'list', hash, resource: RES,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web', resourceVersion: '1' } },
  });
  return { out, stage, listed, busy };
}

test('catch-up: a first run takes the baseline as handled and runs nothing', async () => {
  const store = fakeStore();
  const { out, stage, listed } = rig(store, ['ADDED', 'MODIFIED', 'DELETED']);
  await stage.start(new AbortController().signal);
  stage.deliver(listed('a', H('a')));
  stage.deliver(listed('b', H('b')));
  assert.equal(out.length, 0, 'held until the list ends');
  await stage.listed(CM, 'web');
  assert.deepEqual(out.map((e) => `${e.type} ${e.key} ${e.via}`), ['SYNC web/a list', 'SYNC web/b list']);
  assert.deepEqual([...store.map], [['configmaps/web/a', H('a')], ['configmaps/web/b', H('b')]]);
  assert.ok(store.hasResource('configmaps'));
});

test('catch-up: different → MODIFIED via=catch-up, missing → ADDED, gone → DELETED with its last metadata, same → SYNC; the store ConfigMap is never passed on', async () => {
  const store = fakeStore({ 'configmaps/web/a': H('a'), 'configmaps/web/b': H('b'), 'configmaps/web/same': H('s'), 'configmaps/other/x': H('x') }, ['configmaps']);
  const { out, stage, listed } = rig(store, ['ADDED', 'MODIFIED', 'DELETED']);
  await stage.start(new AbortController().signal);
  stage.deliver(listed('a', H('A')));
  stage.deliver(listed('c', H('c')));
  stage.deliver(listed('same', H('s')));
  stage.deliver(listed('st', H('z')));
  stage.deliver(listed('st-1', H('z')));
  await stage.listed(CM, 'web');
  assert.deepEqual(out.map((e) => `${e.type} ${e.key} ${e.via}`).sort(), ['ADDED web/c catch-up', 'DELETED web/b catch-up', 'MODIFIED web/a catch-up', 'SYNC web/same list']);
  const del = out.find((e) => e.type === 'DELETED')!;
  assert.equal(del.hash, H('b'));
  assert.deepEqual(del.object.metadata, { name: 'b', namespace: 'web', annotations: { 'cmwatch.io/content-hash': H('b') } });
  assert.equal(stage.counts.catchUp.MODIFIED, 1);
  // Not yet handled: the store still has the old versions; the other namespace is untouched.
  assert.equal(store.get('configmaps/web/a'), H('a'));
  assert.equal(store.get('configmaps/other/x'), H('x'));
  for (const e of out) stage.handled(e);
  assert.equal(store.get('configmaps/web/a'), H('A'));
  assert.equal(store.get('configmaps/web/c'), H('c'));
  assert.equal(store.get('configmaps/web/b'), undefined);
  // A relist after that, nothing changed: nothing more.
  out.length = 0;
  await stage.listed(CM, 'web');
  assert.deepEqual(out, []);
});

test('catch-up: live events pass through and are recorded when handled; a relist skips keys with work in flight', async () => {
  const store = fakeStore({}, ['configmaps']);
  const { out, stage, listed } = rig(store, ['MODIFIED']);
  await stage.start(new AbortController().signal);
  await stage.listed(CM, 'web');
  const ev: IntakeEvent = { ...listed('a', H('1')), type: 'ADDED', via: 'watch' };
  stage.deliver(ev);
  assert.equal(store.get('configmaps/web/a'), H('1'), 'nothing runs on ADDED: handled at once');
  const mod: IntakeEvent = { ...listed('a', H('2')), type: 'MODIFIED', via: 'watch' };
  stage.deliver(mod);
  assert.equal(store.get('configmaps/web/a'), H('1'), 'queued, not handled yet');
  out.length = 0;
  await stage.listed(CM, 'web');
  assert.deepEqual(out, [], 'in flight: not caught up again');
  stage.handled(mod);
  assert.equal(store.get('configmaps/web/a'), H('2'));
});
