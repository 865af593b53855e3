/** rollout-restart's decision per target: equal hash → nothing; different → restart; absent → restart only on MODIFIED. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rolloutRestart, type RolloutRestartDeps } from '../../../src/handlers/actions/rollout-restart.js';
import { MemoryLogger } from '../../helpers/memory-logger.js';
import type { Workload } from '../../../src/handlers/actions/restart-targets.js';
import type { EventType } from '../../../src/api/types.js';

const deployments = { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', canonical: 'deployments.apps', namespaced: true } as any;
const wl = (name: string, annotations?: Record<string, string>): Workload => ({
  resource: deployments, namespace: 'ns', name, object: { metadata: { name, namespace: 'ns' }, spec: { template: { metadata: { annotations } } } },
});

function deps(targets: Workload[]) {
  const requested: Array<{ name: string; key: string; hash: string }> = [];
  const d = {
    finder: { find: async () => targets },
    restarter: { request: (t: Workload, c: { key: string; hash: string }) => requested.push({ name: t.name, key: c.key, hash: c.hash }) },
    log: new MemoryLogger(),
    selectorAnnotations: [],
  } as unknown as RolloutRestartDeps;
  return { d, requested };
}

const ev = (type: EventType, hash = 'NEW') => ({ type, hash, object: { kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ns' }, data: { k: 'v' } }, resource: { name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1' } });

test('SYNC and ADDED: a differing annotation restarts, an equal one or none does not', async () => {
  for (const type of ['SYNC', 'ADDED'] as const) {
    const { d, requested } = deps([wl('same', { 'cmwatch.io/configmap.cfg': 'NEW' }), wl('old', { 'cmwatch.io/configmap.cfg': 'OLD' }), wl('fresh')]);
    assert.deepEqual(await rolloutRestart(ev(type), 'ns/cfg', d, new AbortController().signal), { ok: true });
    assert.deepEqual(requested, [{ name: 'old', key: 'cmwatch.io/configmap.cfg', hash: 'NEW' }], type);
  }
});

test('MODIFIED: a target with no annotation yet gets its first restart; an equal hash still none', async () => {
  const { d, requested } = deps([wl('same', { 'cmwatch.io/configmap.cfg': 'NEW' }), wl('fresh')]);
  await rolloutRestart(ev('MODIFIED'), 'ns/cfg', d, new AbortController().signal);
  assert.deepEqual(requested.map((r) => r.name), ['fresh']);
});

test('DELETED and a failing target search: nothing requested; the search failure is retried (ok=false)', async () => {
  const { d, requested } = deps([wl('old', { 'cmwatch.io/configmap.cfg': 'OLD' })]);
  assert.deepEqual(await rolloutRestart(ev('DELETED'), 'ns/cfg', d, new AbortController().signal), { ok: true });
  assert.equal(requested.length, 0);
  (d as any).finder = { find: async () => { throw new Error('HTTP 500'); } };
  const r = await rolloutRestart(ev('MODIFIED'), 'ns/cfg', d, new AbortController().signal);
  assert.equal(r.ok, false);
});
