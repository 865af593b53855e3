/**
 * The two operator examples' handlers (examples/operator/config-watcher.sh,
 * examples/operator-children/static-site.sh) run as cmwatch runs them, with
 * a snapshot directory and CMWATCH_OUTPUT made here, without a cluster: the
 * write-back lines they ask for, parsed by cmwatch's own protocol parser.
 * The same handlers run end to end in test/e2e/operator-examples.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/handler-fixtures.js';
import { parseOutput, type WriteOp } from '../../../src/handlers/write-back/protocol.js';

const CW = join(ROOT, 'examples/operator/config-watcher.sh');
const SITE = join(ROOT, 'examples/operator-children/static-site.sh');
const HASH = 'AAAAAAAAAAAAAAAAAAAAAA';

interface Run { code: number | null; stdout: string; stderr: string; ops: WriteOp[] }

function run(script: string, env: Record<string, string>, event: unknown, snapshots: Record<string, unknown[]> | undefined): Run {
  const dir = tempDir('cmwatch-ex-');
  const out = join(dir, 'out');
  writeFileSync(out, '');
  const extra: Record<string, string> = {};
  if (snapshots) {
    mkdirSync(join(dir, 'snap'));
    for (const [name, items] of Object.entries(snapshots)) writeFileSync(join(dir, 'snap', `${name}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items }));
    extra.CMWATCH_SNAPSHOT_DIR = join(dir, 'snap');
  }
  const r = spawnSync(script, [], { input: JSON.stringify(event) + '\n', encoding: 'utf8', env: { PATH: process.env.PATH, CMWATCH_OUTPUT: out, ...extra, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ops: parseOutput('h', readFileSync(out, 'utf8')).map((l) => l.op) };
}

const watcher = (name: string, podSelector: unknown, extra: Record<string, unknown> = {}, ns = 'web', configMap = 'app-config') => ({
  apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', metadata: { name, namespace: ns, generation: 3 }, spec: { configMap, podSelector }, ...extra,
});
const pod = (name: string, labels: Record<string, string>, ns = 'web', extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${name}`, labels, ...extra } });
const cmEvent = (type: string) => ({ type, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'web' }, data: { k: 'v' } } });

function onConfigMap(type: string, cws: unknown[], pods: unknown[]): Run {
  const r = run(CW, { CMWATCH_RESOURCE: 'configmaps', CMWATCH_EVENT_TYPE: type, CMWATCH_CONTENT_HASH: HASH }, cmEvent(type), { 'configwatchers.k8spatterns.com': cws, pods });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

const deletes = (r: Run) => r.ops.flatMap((o) => (o.op === 'delete' ? [`${o.target.namespace}/${o.target.name} ${o.uid}`] : []));
const statusOf = (r: Run, name: string) => r.ops.flatMap((o) => (o.op === 'status' && o.of?.name === name ? [o.status] : []));
const eventsOf = (r: Run, name: string) => r.ops.flatMap((o) => (o.op === 'event' && o.of?.name === name ? [o] : []));

const PODS = [
  pod('a1', { app: 'a', tier: 'web' }), pod('a2', { app: 'a' }), pod('b1', { app: 'b' }), pod('nolabels', {}),
  pod('a-gone', { app: 'a' }, 'web', { deletionTimestamp: '2026-01-01T00:00:00Z' }), pod('a-other-ns', { app: 'a' }, 'other'),
];

test('config-watcher.sh, ConfigMap MODIFIED: deletes exactly the live selected pods of its namespace (with UIDs), writes status and a Normal Event per ConfigWatcher naming it', () => {
  const r = onConfigMap('MODIFIED', [
    watcher('wa', { app: 'a' }), watcher('wab', { app: 'a', tier: 'web' }), watcher('done', { app: 'b' }, { status: { observedConfigHash: HASH } }),
    watcher('elsewhere', { app: 'a' }, {}, 'other'), watcher('othercm', { app: 'b' }, {}, 'web', 'another-config'),
  ], PODS);
  assert.deepEqual(deletes(r), ['web/a1 uid-a1', 'web/a2 uid-a2', 'web/a1 uid-a1']);
  const [st] = statusOf(r, 'wa') as Array<Record<string, any>>;
  assert.equal(st!.restartedPods, 2);
  assert.equal(st!.observedConfigHash, HASH);
  assert.match(st!.lastRestart, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(st!.conditions.map((c: any) => [c.type, c.status, c.reason, c.observedGeneration]), [['Ready', 'True', 'Watching', 3]]);
  assert.equal((statusOf(r, 'wab')[0] as any).restartedPods, 1);
  const [ev] = eventsOf(r, 'wa');
  assert.deepEqual([ev!.type, ev!.reason, ev!.of], ['Normal', 'PodsRestarted', { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'wa', namespace: 'web' }]);
  assert.match(ev!.message, /deleted 2 pod\(s\) matching app=a/);
  for (const n of ['done', 'elsewhere', 'othercm']) assert.deepEqual([statusOf(r, n), eventsOf(r, n)], [[], []], `nothing for ${n}`);
  assert.match(r.stdout, /^configmap MODIFIED hash=A{22}: 3 pod\(s\) to delete, 2 status update\(s\), events PodsRestarted,PodsRestarted$/m);
});

test('config-watcher.sh, ConfigMap SYNC or ADDED: restarts only where observedConfigHash differs; no hash yet: records it, restarts nothing', () => {
  for (const type of ['SYNC', 'ADDED']) {
    const r = onConfigMap(type, [
      watcher('fresh', { app: 'a' }), watcher('stale', { app: 'b' }, { status: { observedConfigHash: 'BBBBBBBBBBBBBBBBBBBBBB' } }),
      watcher('same', { app: 'a' }, { status: { observedConfigHash: HASH } }),
    ], PODS);
    assert.deepEqual(deletes(r), ['web/b1 uid-b1'], type);
    assert.deepEqual(Object.keys(statusOf(r, 'fresh')[0]!).sort(), ['conditions', 'observedConfigHash']);
    assert.equal((statusOf(r, 'fresh')[0] as any).observedConfigHash, HASH);
    assert.deepEqual(eventsOf(r, 'fresh'), []);
    assert.equal((statusOf(r, 'stale')[0] as any).restartedPods, 1);
    assert.deepEqual([statusOf(r, 'same'), eventsOf(r, 'same')], [[], []]);
  }
});

test('config-watcher.sh: an empty or invalid selector deletes nothing: Ready=False InvalidSelector and a Warning Event (on MODIFIED; nothing on SYNC)', () => {
  const bad: unknown[] = [{}, { 'bad key': 'x' }, { app: 'bad value!' }, { 'a/b/c': 'x' }, { 'Example.com/x': 'y' }, { app: 'v'.repeat(64) }, { ['k'.repeat(64)]: 'v' }, { '': 'v' }, { app: '-a' }];
  for (const sel of bad) {
    const r = onConfigMap('MODIFIED', [watcher('w', sel)], [...PODS, pod('any', { 'bad key': 'x', app: 'bad value!' })]);
    assert.deepEqual(deletes(r), [], JSON.stringify(sel));
    const [st] = statusOf(r, 'w') as Array<Record<string, any>>;
    assert.deepEqual(Object.keys(st!), ['conditions'], JSON.stringify(sel));
    assert.deepEqual([st!.conditions[0].type, st!.conditions[0].status, st!.conditions[0].reason], ['Ready', 'False', 'InvalidSelector']);
    const [ev] = eventsOf(r, 'w');
    assert.deepEqual([ev!.type, ev!.reason], ['Warning', 'InvalidSelector']);
    assert.match(ev!.message, /no pod restarted for the change of ConfigMap app-config/);
    assert.deepEqual(onConfigMap('SYNC', [watcher('w', sel)], PODS).ops, [], 'nothing at SYNC: the ConfigWatcher\'s own event reports it');
  }
  // Valid: a prefixed key, an empty value (it matches the label with an empty value).
  const ok = onConfigMap('MODIFIED', [watcher('w', { 'example.com/tier': 'web', app: '' })], [pod('p', { 'example.com/tier': 'web', app: '' }), pod('q', { 'example.com/tier': 'web' })]);
  assert.deepEqual(deletes(ok), ['web/p uid-p']);
});

test('config-watcher.sh, a ConfigWatcher\'s own event: its condition, kept lastTransitionTime, a Warning for an invalid selector; nothing deleted', () => {
  const t0 = '2020-01-01T00:00:00Z';
  const ownEvent = (cw: unknown) => {
    const r = run(CW, { CMWATCH_RESOURCE: 'configwatchers.k8spatterns.com', CMWATCH_EVENT_TYPE: 'MODIFIED', CMWATCH_CONTENT_HASH: HASH }, { type: 'MODIFIED', object: cw }, { 'configwatchers.k8spatterns.com': [], pods: PODS });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  const valid = ownEvent(watcher('w', { app: 'a' }, { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t0 }] } }));
  assert.deepEqual(valid.ops.map((o) => o.op), ['status']);
  assert.equal((statusOf(valid, 'w')[0] as any).conditions[0].lastTransitionTime, t0, 'unchanged status: the transition time stays');
  const invalid = ownEvent(watcher('w', {}, { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t0 }] } }));
  assert.deepEqual(invalid.ops.map((o) => o.op), ['status', 'event']);
  assert.notEqual((statusOf(invalid, 'w')[0] as any).conditions[0].lastTransitionTime, t0);
  assert.equal(eventsOf(invalid, 'w')[0]!.type, 'Warning');
});

test('config-watcher.sh without its snapshots fails (exit 2) with a hint; another resource does nothing', () => {
  const r = run(CW, { CMWATCH_RESOURCE: 'configmaps', CMWATCH_EVENT_TYPE: 'MODIFIED' }, cmEvent('MODIFIED'), { 'configwatchers.k8spatterns.com': [] });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pods\.json: run with --snapshot cw --snapshot pods/);
  const other = run(CW, { CMWATCH_RESOURCE: 'secrets', CMWATCH_EVENT_TYPE: 'MODIFIED' }, cmEvent('MODIFIED'), { 'configwatchers.k8spatterns.com': [], pods: [] });
  assert.equal(other.code, 0);
  assert.deepEqual(other.ops, []);
});

const site = (extra: Record<string, unknown> = {}) => ({ apiVersion: 'examples.cmwatch.io/v1', kind: 'StaticSite', metadata: { name: 'docs', namespace: 'web', uid: 'site-uid', generation: 2, ...extra }, spec: { image: 'nginx:1.27', replicas: 3 } });

test('static-site.sh: a Deployment and a Service applied (owned: cmwatch adds the reference), status mirrors the snapshot\'s Deployment', () => {
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'docs', namespace: 'web' }, status: { replicas: 3, readyReplicas: 1 } };
  const other = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'docs', namespace: 'other' }, status: { replicas: 9, readyReplicas: 9 } };
  const r = run(SITE, { CMWATCH_EVENT_TYPE: 'ADDED' }, { type: 'ADDED', object: site() }, { 'deployments.apps': [other, deploy] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.ops.map((o) => o.op), ['apply', 'apply', 'status']);
  const [d, s] = r.ops.filter((o): o is Extract<WriteOp, { op: 'apply' }> => o.op === 'apply');
  assert.deepEqual([d!.manifest.kind, d!.manifest.metadata!.name, d!.owned, s!.manifest.kind, s!.owned], ['Deployment', 'docs', true, 'Service', true]);
  assert.equal((d!.manifest as any).spec.replicas, 3);
  assert.equal((d!.manifest as any).spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual((s!.manifest as any).spec.selector, (d!.manifest as any).spec.selector.matchLabels);
  assert.deepEqual((r.ops[2] as any).status, { observedGeneration: 2, replicas: 3, readyReplicas: 1 });
  const before = run(SITE, { CMWATCH_EVENT_TYPE: 'SYNC' }, { type: 'SYNC', object: site() }, { 'deployments.apps': [] });
  assert.deepEqual((before.ops[2] as any).status, { observedGeneration: 2, replicas: 0, readyReplicas: 0 }, 'no Deployment yet: 0');
  const deleting = run(SITE, { CMWATCH_EVENT_TYPE: 'SYNC' }, { type: 'SYNC', object: site({ deletionTimestamp: '2026-01-01T00:00:00Z' }) }, { 'deployments.apps': [deploy] });
  assert.deepEqual(deleting.ops, [], 'nothing applied for a StaticSite being deleted');
});

test('static-site.sh FINALIZE: one line in $STATIC_SITE_LOG, no write-back', () => {
  const log = join(tempDir('cmwatch-site-'), 'sites.log');
  const r = run(SITE, { CMWATCH_EVENT_TYPE: 'FINALIZE', STATIC_SITE_LOG: log }, { type: 'FINALIZE', object: site({ deletionTimestamp: '2026-01-01T00:00:00Z' }) }, undefined);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.ops, []);
  assert.ok(existsSync(log));
  assert.match(readFileSync(log, 'utf8'), /^\S+Z unpublished web\/docs uid=site-uid deletionTimestamp=2026-01-01T00:00:00Z\n$/);
});
