/**
 * Resolution by discovery against the real kube-apiserver, which serves both
 * aggregated discovery and the per-group documents: every naming form for
 * core, grouped and CRD resources (the book's ConfigWatcher CRD from
 * examples/operator/crd.yaml), a short name shared by two CRD groups, and a
 * CRD applied after the first discovery.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { planeFixture, applyCrd, crdYaml, type Cluster } from '../helpers/plane.js';
import { ROOT } from '../helpers/cli.js';
import { KubeClient } from '../../src/kube/client.js';
import type { Connection } from '../../src/kube/connection.js';
import { Discovery, discover } from '../../src/kube/discovery.js';
import type { Resolution } from '../../src/api/resource-name.js';
import type { DiscoveredResources } from '../../src/api/resource.js';

const plane = planeFixture();
const connections: Connection[] = [];
after(async () => {
  for (const c of connections) await c.close();
});

/** A KubeClient straight to the apiserver as the admin. */
function adminClient(c: Cluster): KubeClient {
  const agent = new Agent({ connect: { ca: readFileSync(c.caFile) } });
  const conn: Connection = {
    server: c.server, dispatcher: agent, description: 'e2e admin', identity: 'admin',
    authHeaders: async () => ({ authorization: `Bearer ${c.adminToken}` }),
    refreshAfterUnauthorized: async () => false,
    close: () => agent.close(),
  };
  connections.push(conn);
  return new KubeClient(conn);
}

const crd = (plural: string, group: string, kind: string, shortNames: string[]) => crdYaml(plural, group, kind, shortNames);

function canonicalOf(r: Resolution): string {
  assert.equal(r.status, 'resolved', JSON.stringify(r));
  return r.status === 'resolved' ? `${r.resource.canonical} ${r.resource.version} ${r.resource.kind} ${r.resource.namespaced ? 'ns' : 'cluster'}` : '';
}

const FORMS: Array<[string, string]> = [
  ['configmaps', 'configmaps v1 ConfigMap ns'],
  ['cm', 'configmaps v1 ConfigMap ns'],
  ['configmap', 'configmaps v1 ConfigMap ns'],
  ['ConfigMap', 'configmaps v1 ConfigMap ns'],
  ['svc', 'services v1 Service ns'],
  ['namespaces', 'namespaces v1 Namespace cluster'],
  ['deployments.apps', 'deployments.apps v1 Deployment ns'],
  ['deploy', 'deployments.apps v1 Deployment ns'],
  ['deployments.v1.apps', 'deployments.apps v1 Deployment ns'],
  ['deploy.app', 'deployments.apps v1 Deployment ns'],
  ['deployments.app', 'deployments.apps v1 Deployment ns'],
  ['Deployment.v1.apps', 'deployments.apps v1 Deployment ns'],
  ['events', 'events v1 Event ns'],
  ['configwatchers.k8spatterns.com', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['configwatchers.v1.k8spatterns.com', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['cw', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['configwatcher', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['ConfigWatcher', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['cw.k8spatterns', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
  ['ConfigWatcher.v1.k8spatterns.com', 'configwatchers.k8spatterns.com v1 ConfigWatcher ns'],
];

test('every naming form resolves, through aggregated discovery and through the per-group documents; kubectl takes each form too', async () => {
  await applyCrd(plane.c, readFileSync(join(ROOT, 'examples', 'operator', 'crd.yaml'), 'utf8'), 'configwatchers.k8spatterns.com');
  const client = adminClient(plane.c);
  for (const aggregated of [true, false]) {
    const d = new Discovery(client, { aggregated });
    const snap = await d.snapshot();
    const form = aggregated ? 'aggregated' : 'legacy';
    assert.deepEqual(snap.form, { core: form, groups: form });
    for (const [name, want] of FORMS) assert.equal(canonicalOf(await d.resolve(name)), want, `${name} (${form})`);
    await assert.rejects(d.resolve('nosuch'), { code: 'E_RESOURCE_UNKNOWN', message: 'no resource nosuch on this server' });
    await assert.rejects(d.resolve('bindings'), { code: 'E_RESOURCE_NOT_WATCHABLE' });
    await assert.rejects(d.resolve('cs'), { code: 'E_RESOURCE_NOT_WATCHABLE' });
  }
  for (const [name] of FORMS) {
    const r = await plane.c.kubectl(['get', name, '-A', '-o', 'name'], { allowFail: true });
    assert.equal(r.code, 0, `kubectl get ${name}: ${r.stderr}`);
  }
});

const summary = (d: DiscoveredResources) => d.resources.map((r) => `${r.canonical}@${r.version} ${r.kind} ${r.singular} [${[...r.shortNames].sort()}] ${r.namespaced} ${[...r.verbs].sort()}`).sort();

test('aggregated and per-group discovery agree on the real server, and with kubectl api-resources', async () => {
  const client = adminClient(plane.c);
  const [a, l] = await Promise.all([discover(client), discover(client, { aggregated: false })]);
  assert.deepEqual(a.form, { core: 'aggregated', groups: 'aggregated' });
  assert.deepEqual(l.form, { core: 'legacy', groups: 'legacy' });
  assert.deepEqual(summary(l), summary(a));
  assert.deepEqual(l.groups, a.groups, 'the same groups, versions and preferred versions, in the same order');
  assert.deepEqual(a.failed, []);
  const preferred = new Set(a.resources.filter((r) => a.groups.find((g) => g.name === r.group)!.preferredVersion === r.version).map((r) => r.canonical));
  const kubectl = (await plane.c.kubectl(['api-resources', '-o', 'name'])).stdout.trim().split('\n');
  assert.deepEqual([...preferred].sort(), [...new Set(kubectl)].sort());
  console.log(`# ${a.groups.length} groups, ${a.resources.length} resources in every version, ${preferred.size} as kubectl api-resources lists them`);
});

test('two CRDs in two groups share a short name: it is ambiguous, listing both as plural.group; each plural.group resolves', async () => {
  await applyCrd(plane.c, crd('gizmos', 'alpha.example.com', 'Gizmo', ['gz']), 'gizmos.alpha.example.com');
  await applyCrd(plane.c, crd('gadgets', 'beta.example.org', 'Gadget', ['gz']), 'gadgets.beta.example.org');
  const client = adminClient(plane.c);
  for (const aggregated of [true, false]) {
    const d = new Discovery(client, { aggregated });
    await assert.rejects(d.resolve('gz'), (err: any) => {
      assert.equal(err.code, 'E_RESOURCE_AMBIGUOUS');
      assert.deepEqual([...err.candidates].sort(), ['gadgets.beta.example.org', 'gizmos.alpha.example.com']);
      assert.match(err.message, /^resource name gz is ambiguous on this server: it names (gizmos\.alpha\.example\.com, gadgets\.beta\.example\.org|gadgets\.beta\.example\.org, gizmos\.alpha\.example\.com)$/);
      return true;
    });
    assert.equal(canonicalOf(await d.resolve('gizmos.alpha.example.com')), 'gizmos.alpha.example.com v1 Gizmo ns');
    assert.equal(canonicalOf(await d.resolve('gadgets.beta.example.org')), 'gadgets.beta.example.org v1 Gadget ns');
    assert.equal(canonicalOf(await d.resolve('gz.beta.example.org')), 'gadgets.beta.example.org v1 Gadget ns');
  }
  // kubectl picks one by group priority and only warns; cmwatch refuses to guess (src/api/resource-name.ts).
  const k = await plane.c.kubectl(['get', 'gz', '-A'], { allowFail: true });
  console.log(`# kubectl get gz: exit ${k.code}; ${k.stderr.trim().split('\n')[0] ?? ''}`);
});

test('a CRD applied after the first discovery: not served yet, then resolved once re-discovered', async () => {
  const client = adminClient(plane.c);
  const ds = [new Discovery(client), new Discovery(client, { aggregated: false })];
  for (const d of ds) {
    await d.snapshot();
    assert.deepEqual(await d.resolve('sprockets.late.example.com'),
      { status: 'not-served', name: 'sprockets.late.example.com', resource: 'sprockets', group: 'late.example.com' });
    await assert.rejects(d.resolve('spr'), { code: 'E_RESOURCE_UNKNOWN' });
  }
  await applyCrd(plane.c, crd('sprockets', 'late.example.com', 'Sprocket', ['spr']), 'sprockets.late.example.com');
  for (const d of ds) {
    // The cache still lacks it; resolve() re-discovers once and finds it.
    assert.equal((await d.snapshot()).resources.some((r) => r.resource === 'sprockets'), false);
    assert.equal(canonicalOf(await d.resolve('spr')), 'sprockets.late.example.com v1 Sprocket ns');
    assert.equal(canonicalOf(await d.resolve('sprockets.late.example.com')), 'sprockets.late.example.com v1 Sprocket ns');
  }
  const fresh = new Discovery(client);
  await fresh.snapshot();
  await plane.c.kubectl(['delete', 'crd', 'sprockets.late.example.com', '--wait=true']);
  const gone = await fresh.refresh();
  assert.equal(gone.resources.some((r) => r.resource === 'sprockets'), false, 'refresh() sees the CRD gone');
  assert.equal((await fresh.resolve('sprockets.late.example.com')).status, 'not-served');
});
