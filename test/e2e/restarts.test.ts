/**
 * Issue #16 against the real control plane, where kube-controller-manager
 * turns Deployments into ReplicaSets: --action rollout-restart (by content
 * hash: one new ReplicaSet per real change, none for a label change, a
 * restart of cmwatch or a no-op; changes made while cmwatch was down; a
 * ConfigMap and a Secret changed together; the throttle; --auto and its
 * opt-in; a paused Deployment; an Argo-Rollout-shaped CRD; --dry-run), and
 * --action evict-pods through a PodDisruptionBudget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { planeFixture, ensureNamespace, eventually, sleep, api } from '../helpers/plane.js';
import { ROOT, type CliRun } from '../helpers/cli.js';

const plane = planeFixture();

/** A Deployment (replicas 1) whose template uses what `podSpec` says, labelled app=NAME. */
function deployment(ns: string, name: string, podSpec: string, extra: { annotations?: Record<string, string>; paused?: boolean; replicas?: number } = {}): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  annotations: ${JSON.stringify(extra.annotations ?? {})}
spec:
  replicas: ${extra.replicas ?? 1}
  paused: ${extra.paused ?? false}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: ${podSpec}
`;
}

const volumeOf = (cm: string) => `{containers: [{name: app, image: nginx, volumeMounts: [{name: c, mountPath: /c}]}], volumes: [{name: c, configMap: {name: ${cm}}}]}`;

function configMap(ns: string, name: string, data: Record<string, string>, annotations: Record<string, string> = {}): string {
  return `
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${ns}, annotations: ${JSON.stringify(annotations)}}
data: ${JSON.stringify(data)}
`;
}

async function replicaSets(ns: string, app: string): Promise<Array<{ name: string; annotations: Record<string, string> }>> {
  const r = await plane.c.kubectl(['get', 'rs', '-n', ns, '-l', `app=${app}`, '-o', 'json']);
  return (JSON.parse(r.stdout).items as any[]).map((rs) => ({ name: rs.metadata.name, annotations: rs.spec.template.metadata.annotations ?? {} }));
}

async function rsCount(ns: string, app: string): Promise<number> {
  return (await replicaSets(ns, app)).length;
}

async function waitRs(ns: string, app: string, n: number): Promise<void> {
  await eventually(`${n} ReplicaSet(s) of ${ns}/${app}`, async () => (await rsCount(ns, app)) === n, 60_000);
}

async function templateAnnotations(ns: string, resource: string, name: string): Promise<Record<string, string>> {
  const r = await plane.c.kubectl(['get', resource, name, '-n', ns, '-o', 'json']);
  return JSON.parse(r.stdout).spec.template.metadata?.annotations ?? {};
}

async function patchData(ns: string, kind: string, name: string, data: Record<string, string>, field = 'data'): Promise<void> {
  await plane.c.kubectl(['patch', kind, name, '-n', ns, '--type=merge', '-p', JSON.stringify({ [field]: data })]);
}

function start(ns: string, args: string[]): CliRun {
  return plane.cmwatch([...args, '-n', ns, '--action', 'rollout-restart', '--log-level', 'debug', '--kubeconfig', plane.c.kubeconfig]);
}

/** The hash a cmwatch with -o json prints for a source (CMWATCH_CONTENT_HASH), read from the template annotation instead. */
const hashRe = /^[A-Za-z0-9+/]{22}$/;

test('rollout-restart: a data change makes exactly one new ReplicaSet, a label change none; restarting cmwatch rolls nothing; a change made while it was down rolls once', async () => {
  const ns = 'rr-basic';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(deployment(ns, 'web', volumeOf('web-config')) + '---' + configMap(ns, 'web-config', { k: 'v1' }, { 'cmwatch.io/restart': 'deployment/web' }));
  await waitRs(ns, 'web', 1);

  let run = start(ns, ['--debounce', '500ms']);
  await run.waitFor(/carries no cmwatch\.io\/configmap\.web-config yet; taken as up to date/, 60_000);
  await sleep(1000);
  assert.equal(await rsCount(ns, 'web'), 1, 'installing cmwatch rolls nothing');

  await patchData(ns, 'configmap', 'web-config', { k: 'v2' });
  await run.waitFor(/rollout-restart deployment rr-basic\/web: restarted for configmap web-config/, 60_000);
  await waitRs(ns, 'web', 2);
  const ann = await templateAnnotations(ns, 'deployment', 'web');
  assert.match(ann['cmwatch.io/configmap.web-config'] ?? '', hashRe);
  const events = await plane.c.kubectl(['get', 'events.events.k8s.io', '-n', ns, '--field-selector', 'regarding.name=web', '-o', 'json']);
  const notes = (JSON.parse(events.stdout).items as any[]).filter((e) => e.reportingController === 'cmwatch.io/cmwatch');
  assert.equal(notes.length, 1);
  assert.equal(notes[0].type, 'Normal');
  assert.match(notes[0].note, /configmap web-config changed/);

  // A label-only change: no event (content unchanged), no ReplicaSet.
  await plane.c.kubectl(['label', 'configmap', 'web-config', '-n', ns, 'team=a']);
  await sleep(3000);
  assert.equal(await rsCount(ns, 'web'), 2, 'a label change rolls nothing');
  // A no-op update (same data again): nothing either.
  await patchData(ns, 'configmap', 'web-config', { k: 'v2' });
  await sleep(2000);
  assert.equal(await rsCount(ns, 'web'), 2);

  // Restart cmwatch with nothing changed.
  await run.stop();
  run = start(ns, ['--debounce', '500ms']);
  await run.waitFor(/deployment rr-basic\/web: up to date with configmap rr-basic\/web-config/, 60_000);
  await sleep(2000);
  assert.equal(await rsCount(ns, 'web'), 2, 'a restart of cmwatch rolls nothing');
  await run.stop();

  // Changed while cmwatch was down: caught at start, one rollout.
  await patchData(ns, 'configmap', 'web-config', { k: 'v3' });
  run = start(ns, ['--debounce', '500ms']);
  await run.waitFor(/restarted for configmap web-config/, 60_000);
  await waitRs(ns, 'web', 3);
  await sleep(2000);
  assert.equal(await rsCount(ns, 'web'), 3);
  // Going back to an earlier content rolls again (to the ReplicaSet of that hash: the Deployment controller reuses it).
  const before = (await templateAnnotations(ns, 'deployment', 'web'))['cmwatch.io/configmap.web-config'];
  await patchData(ns, 'configmap', 'web-config', { k: 'v2' });
  await eventually('the annotation back to the v2 hash', async () => (await templateAnnotations(ns, 'deployment', 'web'))['cmwatch.io/configmap.web-config'] === ann['cmwatch.io/configmap.web-config']);
  assert.notEqual(before, ann['cmwatch.io/configmap.web-config']);
  await run.stop();
});

test('rollout-restart --resync: a workload whose annotation drifted from its source (edited by hand) is rolled back to the current hash at the next resync, without a restart of cmwatch', async () => {
  const ns = 'rr-resync';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(deployment(ns, 'web', volumeOf('web-config')) + '---' + configMap(ns, 'web-config', { k: 'v1' }, { 'cmwatch.io/restart': 'deployment/web' }));
  await waitRs(ns, 'web', 1);
  const run = start(ns, ['--debounce', '200ms', '--resync', '3s']);
  await run.waitFor(/taken as up to date/, 60_000);
  await patchData(ns, 'configmap', 'web-config', { k: 'v2' });
  await waitRs(ns, 'web', 2);
  const good = (await templateAnnotations(ns, 'deployment', 'web'))['cmwatch.io/configmap.web-config'];
  assert.match(good ?? '', hashRe);
  // Someone edits the annotation by hand: a drift no watch event of the ConfigMap would show.
  await plane.c.kubectl(['patch', 'deployment', 'web', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { 'cmwatch.io/configmap.web-config': 'drifted' } } } } })]);
  await waitRs(ns, 'web', 3);
  await eventually('the resync puts the current hash back', async () => (await templateAnnotations(ns, 'deployment', 'web'))['cmwatch.io/configmap.web-config'] === good, 60_000);
  assert.ok(run.child.exitCode === null, 'cmwatch kept running');
  await run.stop();
});

test('rollout-restart: a ConfigMap and a Secret of one Deployment changed within 1 s make one new ReplicaSet carrying both hashes; the Secret value appears nowhere', async () => {
  const ns = 'rr-both';
  await ensureNamespace(plane.c, ns);
  const spec = `{containers: [{name: app, image: nginx, envFrom: [{configMapRef: {name: cfg}}], env: [{name: P, valueFrom: {secretKeyRef: {name: creds, key: password}}}]}]}`;
  await plane.c.apply(deployment(ns, 'app', spec) + '---' + configMap(ns, 'cfg', { k: 'v1' }, { 'cmwatch.io/restart': 'deployment/app' }) + `---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: ${ns}, annotations: {cmwatch.io/restart: deployment/app}}
stringData: {password: first-Sekr3t-value}
`);
  await waitRs(ns, 'app', 1);
  const run = start(ns, ['configmaps', 'secrets', '--debounce', '2s']);
  await run.waitFor(/carries no cmwatch\.io\/secret\.creds yet/, 60_000);
  await run.waitFor(/carries no cmwatch\.io\/configmap\.cfg yet/, 60_000);
  const secret = 'second-Sekr3t-value';
  await Promise.all([
    patchData(ns, 'configmap', 'cfg', { k: 'v2' }),
    patchData(ns, 'secret', 'creds', { password: secret }, 'stringData'),
  ]);
  await run.waitFor(/deployment rr-both\/app: restarted for/, 60_000);
  await waitRs(ns, 'app', 2);
  await sleep(3000);
  assert.equal(await rsCount(ns, 'app'), 2, 'one rollout for both changes');
  const newest = (await replicaSets(ns, 'app')).find((rs) => 'cmwatch.io/secret.creds' in rs.annotations);
  assert.ok(newest, 'the new ReplicaSet carries the Secret hash');
  assert.match(newest.annotations['cmwatch.io/configmap.cfg'] ?? '', hashRe);
  assert.match(newest.annotations['cmwatch.io/secret.creds'] ?? '', hashRe);
  await run.stop();
  const all = [...run.stderr, ...run.stdout].join('\n');
  assert.ok(!all.includes(secret) && !all.includes(Buffer.from(secret).toString('base64')), 'no Secret value in the output');
  const events = await plane.c.kubectl(['get', 'events.events.k8s.io', '-n', ns, '-o', 'json']);
  assert.ok(!events.stdout.includes(secret) && !events.stdout.includes(Buffer.from(secret).toString('base64')), 'no Secret value in an Event');
});

test('rollout-restart: many ConfigMaps changed at once are throttled (a short window here) and none is lost', async () => {
  const ns = 'rr-throttle';
  await ensureNamespace(plane.c, ns);
  const n = 6;
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(deployment(ns, `w${i}`, volumeOf(`c${i}`), { replicas: 0 }), configMap(ns, `c${i}`, { k: 'v1' }, { 'cmwatch.io/restart': `deployment/w${i}` }));
  }
  await plane.c.apply(docs.join('---'));
  // 3 per 6 s: one every 2 s.
  const run = start(ns, ['--debounce', '200ms', '--max-restarts-per-minute', '3', '--restart-window', '6s']);
  for (let i = 0; i < n; i++) await run.waitFor(new RegExp(`carries no cmwatch\\.io/configmap\\.c${i} yet`), 60_000);
  await Promise.all(Array.from({ length: n }, (_, i) => api(plane.c, 'PATCH', `/api/v1/namespaces/${ns}/configmaps/c${i}`, { data: { k: 'v2' } })));
  await run.waitFor(/restart\(s\) pending behind --max-restarts-per-minute 3/, 60_000);
  await eventually('every Deployment restarted', async () => {
    for (let i = 0; i < n; i++) if (!(await templateAnnotations(ns, 'deployment', `w${i}`))['cmwatch.io/configmap.c' + i]) return false;
    return true;
  }, 120_000);
  const restarted = run.stderr.filter((l) => /restarted for configmap c\d/.test(l));
  assert.equal(restarted.length, n, 'each exactly once');
  await run.stop();
});

test('rollout-restart --auto: an opted-in Deployment referencing the ConfigMap through envFrom is rolled; one not opted in, or not referencing it, is not', async () => {
  const ns = 'rr-auto';
  await ensureNamespace(plane.c, ns);
  const uses = `{containers: [{name: app, image: nginx, envFrom: [{configMapRef: {name: shared}}]}]}`;
  const other = `{containers: [{name: app, image: nginx, envFrom: [{configMapRef: {name: unrelated}}]}]}`;
  await plane.c.apply([
    deployment(ns, 'opted', uses, { annotations: { 'cmwatch.io/auto': 'true' } }),
    deployment(ns, 'notopted', uses),
    deployment(ns, 'unrelated', other, { annotations: { 'cmwatch.io/auto': 'true' } }),
    configMap(ns, 'shared', { k: 'v1' }),
  ].join('---'));
  for (const d of ['opted', 'notopted', 'unrelated']) await waitRs(ns, d, 1);
  const run = start(ns, ['--auto', '--debounce', '300ms']);
  await run.waitFor(/deployment rr-auto\/opted: carries no cmwatch\.io\/configmap\.shared yet/, 60_000);
  await patchData(ns, 'configmap', 'shared', { k: 'v2' });
  await run.waitFor(/deployment rr-auto\/opted: restarted for configmap shared/, 60_000);
  await waitRs(ns, 'opted', 2);
  await sleep(2000);
  assert.equal(await rsCount(ns, 'notopted'), 1);
  assert.equal(await rsCount(ns, 'unrelated'), 1);
  assert.ok(!run.stderr.some((l) => /notopted: restarted|unrelated: restarted/.test(l)));
  await run.stop();
});

test('rollout-restart: a paused Deployment is not touched, and the warning names it', async () => {
  const ns = 'rr-paused';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(deployment(ns, 'frozen', volumeOf('fcfg'), { paused: true }) + '---' + configMap(ns, 'fcfg', { k: 'v1' }, { 'cmwatch.io/restart': 'deployment/frozen' }));
  await eventually('the Deployment', async () => (await plane.c.kubectl(['get', 'deploy', 'frozen', '-n', ns], { allowFail: true })).code === 0);
  const run = start(ns, ['--debounce', '200ms']);
  await run.waitFor(/carries no cmwatch\.io\/configmap\.fcfg yet/, 60_000);
  const before = await plane.c.kubectl(['get', 'deploy', 'frozen', '-n', ns, '-o', 'jsonpath={.metadata.generation}']);
  await patchData(ns, 'configmap', 'fcfg', { k: 'v2' });
  await run.waitFor(/deployment rr-paused\/frozen is paused \(spec\.paused\); not restarted/, 60_000);
  const after = await plane.c.kubectl(['get', 'deploy', 'frozen', '-n', ns, '-o', 'json']);
  const d = JSON.parse(after.stdout);
  assert.equal(String(d.metadata.generation), before.stdout.trim(), 'not patched');
  assert.equal(d.spec.paused, true, 'still paused');
  assert.equal(d.spec.template.metadata.annotations?.['cmwatch.io/configmap.fcfg'], undefined);
  await run.stop();
});

test('rollout-restart: an Argo-Rollout-shaped custom resource with spec.template is rolled like a Deployment (named, and with --auto-all); --dry-run prints the patch and changes nothing', async () => {
  const ns = 'rr-crd';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: rollouts.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Rollout, plural: rollouts, singular: rollout, shortNames: [ro]}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`);
  await plane.c.kubectl(['wait', '--for=condition=Established', 'crd/rollouts.argoproj.io', '--timeout=60s']);
  const rollout = (name: string, cm: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: ${volumeOf(cm)}
`;
  await plane.c.apply([rollout('named', 'rcfg'), rollout('found', 'rcfg'), configMap(ns, 'rcfg', { k: 'v1' }, { 'cmwatch.io/restart': 'rollout/named' })].join('---'));

  // --dry-run first: the exact patch on stdout, nothing written.
  const dry = start(ns, ['--debounce', '200ms', '--dry-run']);
  await dry.waitFor(/carries no cmwatch\.io\/configmap\.rcfg yet/, 60_000);
  await patchData(ns, 'configmap', 'rcfg', { k: 'v2' });
  const line = await dry.waitFor(/"dryRun":true/, 60_000, 'stdout');
  const printed = JSON.parse(line);
  assert.deepEqual(printed.target, { resource: 'rollouts.argoproj.io', namespace: ns, name: 'named' });
  assert.match(printed.patch.spec.template.metadata.annotations['cmwatch.io/configmap.rcfg'], hashRe);
  await dry.stop();
  assert.deepEqual(await templateAnnotations(ns, 'rollouts.argoproj.io', 'named'), {});

  const run = start(ns, ['--debounce', '200ms', '--auto-all']);
  // At start the dry run's change is still to do, but neither Rollout carries an annotation yet: nothing.
  await run.waitFor(/rollout rr-crd\/found: carries no cmwatch\.io\/configmap\.rcfg yet/, 60_000);
  await patchData(ns, 'configmap', 'rcfg', { k: 'v3' });
  await run.waitFor(/rollout rr-crd\/named: restarted for configmap rcfg/, 60_000);
  await run.waitFor(/rollout rr-crd\/found: restarted for configmap rcfg/, 60_000);
  for (const r of ['named', 'found']) assert.match((await templateAnnotations(ns, 'rollouts.argoproj.io', r))['cmwatch.io/configmap.rcfg'] ?? '', hashRe);
  await run.stop();
});

async function markReady(ns: string, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const r = await api(plane.c, 'PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'PodScheduled', status: 'True', lastTransitionTime: now }] },
  });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

async function podList(ns: string, app: string): Promise<Array<{ name: string; uid: string; ready: boolean }>> {
  const r = await plane.c.kubectl(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'json']);
  return (JSON.parse(r.stdout).items as any[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => ({
    name: p.metadata.name, uid: p.metadata.uid, ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
  }));
}

test('evict-pods: a PodDisruptionBudget with minAvailable = replicas refuses the eviction (429 naming the budget), logged with its name and retried; relaxed, the pods are evicted one at a time as replacements become Ready', async () => {
  const ns = 'rr-evict';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(deployment(ns, 'ev', `{containers: [{name: app, image: nginx}]}`, { replicas: 2 }) + '---' + configMap(ns, 'ev-config', { k: 'v1' }, { 'k8spatterns.io/podDeleteSelector': 'app=ev' }) + `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ev-pdb, namespace: ${ns}}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: ev}}
`);
  const old = await eventually('2 pods', async () => { const p = await podList(ns, 'ev'); return p.length === 2 ? p : undefined; });
  for (const p of old) await markReady(ns, p.name);
  await eventually('the budget sees 2 healthy pods', async () => {
    const r = await plane.c.kubectl(['get', 'pdb', 'ev-pdb', '-n', ns, '-o', 'json']);
    return JSON.parse(r.stdout).status?.currentHealthy === 2;
  });
  // The API's own answer: 429, details.causes naming the budget.
  const direct = await api(plane.c, 'POST', `/api/v1/namespaces/${ns}/pods/${old[0]!.name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: old[0]!.name, namespace: ns } });
  assert.equal(direct.status, 429);
  assert.match(JSON.stringify(direct.json.details?.causes ?? []), /ev-pdb/);

  const run = plane.cmwatch(['-n', ns, '--action', 'evict-pods', '--timeout', '5m', '--kubeconfig', plane.c.kubeconfig]);
  await run.waitFor(/synced/, 60_000);
  await patchData(ns, 'configmap', 'ev-config', { k: 'v2' });
  const refused = await run.waitFor(/would violate the PodDisruptionBudget rr-evict\/ev-pdb/, 60_000);
  assert.match(refused, /retrying in/);
  // Retried: refused again while the budget stands, and nothing was evicted.
  await eventually('a second refusal', async () => run.stderr.filter((l) => /would violate the PodDisruptionBudget rr-evict\/ev-pdb/.test(l)).length >= 2);
  assert.deepEqual((await podList(ns, 'ev')).map((p) => p.uid).sort(), old.map((p) => p.uid).sort());

  await plane.c.kubectl(['patch', 'pdb', 'ev-pdb', '-n', ns, '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
  await run.waitFor(/evict-pods rr-evict\/ev-config: evicted pod rr-evict\//, 60_000);
  // --max-unavailable 1: the second waits for a Ready replacement.
  await run.waitFor(/waiting for 1 replacement\(s\) to be Ready before the next eviction/, 60_000);
  assert.equal(run.stderr.filter((l) => /: evicted pod /.test(l)).length, 1);
  const oldUids = new Set(old.map((p) => p.uid));
  const fresh = await eventually('a replacement pod', async () => (await podList(ns, 'ev')).find((p) => !oldUids.has(p.uid)));
  await markReady(ns, fresh.name);
  await eventually('the second old pod evicted', async () => run.stderr.filter((l) => /: evicted pod /.test(l)).length === 2, 90_000);
  const now = await eventually('2 replacement pods', async () => { const p = await podList(ns, 'ev'); return p.length === 2 && p.every((x) => !oldUids.has(x.uid)) ? p : undefined; });
  assert.equal(now.length, 2);
  await run.stop();
});

const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

async function kustomized(layout: string): Promise<string> {
  return (await plane.c.kubectl(['kustomize', join(ROOT, 'deploy', layout)])).stdout;
}

async function canI(ns: string, sa: string, verb: string, resource: string): Promise<boolean> {
  const [res, sub] = resource.split('/');
  const r = await plane.c.kubectl(['auth', 'can-i', verb, res!, ...(sub ? [`--subresource=${sub}`] : []), '-n', ns, `--as=system:serviceaccount:${sa}`], { allowFail: true });
  return r.stdout.trim() === 'yes';
}

async function rbacOnly(yamlText: string): Promise<string> {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as Record<string, any>).filter((d) => d && RBAC_KINDS.has(d.kind)).map((d) => stringify(d)).join('---\n');
}

test('deploy/: the rollout-restart and evict-pods layouts are accepted, grant what each action needs and nothing more (kubectl auth can-i), and the ServiceAccount token alone runs a rollout', async () => {
  const ns = 'rr-rbac';
  await ensureNamespace(plane.c, ns);
  for (const layout of ['examples/rollout-restart', 'examples/evict-pods']) {
    const r = await plane.c.kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], { input: await kustomized(layout), allowFail: true });
    assert.equal(r.code, 0, `${layout}: ${r.stderr}`);
  }
  const rr = await kustomized('examples/rollout-restart');
  assert.match(rr, /--action=rollout-restart/);
  await plane.c.kubectl(['apply', '-n', ns, '-f', '-'], { input: await rbacOnly(rr) });
  const sa = `${ns}:cmwatch`;
  for (const [verb, res] of [['list', 'configmaps'], ['watch', 'secrets'], ['get', 'deployments.apps'], ['patch', 'deployments.apps'], ['list', 'statefulsets.apps'],
    ['patch', 'daemonsets.apps'], ['create', 'events.events.k8s.io']]) assert.equal(await canI(ns, sa, verb!, res!), true, `may ${verb} ${res}`);
  for (const [verb, res] of [['delete', 'deployments.apps'], ['update', 'deployments.apps'], ['create', 'deployments.apps'], ['delete', 'pods'], ['list', 'pods'],
    ['create', 'pods/eviction'], ['update', 'secrets'], ['patch', 'configmaps']]) assert.equal(await canI(ns, sa, verb!, res!), false, `may NOT ${verb} ${res}`);
  assert.equal(await canI('default', sa, 'patch', 'deployments.apps'), false, 'nothing in another namespace');

  const ev = 'rr-rbac-evict';
  await ensureNamespace(plane.c, ev);
  const evict = await kustomized('examples/evict-pods');
  assert.match(evict, /--action=evict-pods/);
  await plane.c.kubectl(['apply', '-n', ev, '-f', '-'], { input: await rbacOnly(evict) });
  const esa = `${ev}:cmwatch`;
  for (const [verb, res] of [['list', 'pods'], ['create', 'pods/eviction'], ['watch', 'configmaps']]) assert.equal(await canI(ev, esa, verb!, res!), true, `may ${verb} ${res}`);
  for (const [verb, res] of [['delete', 'pods'], ['patch', 'pods'], ['get', 'secrets'], ['patch', 'deployments.apps']]) assert.equal(await canI(ev, esa, verb!, res!), false, `may NOT ${verb} ${res}`);

  // The token alone: a real rollout, no 403.
  await plane.c.apply(deployment(ns, 'tok', volumeOf('tok-config'), { annotations: { 'cmwatch.io/auto': 'true' } }) + '---' + configMap(ns, 'tok-config', { k: 'v1' }));
  await waitRs(ns, 'tok', 1);
  const token = (await plane.c.kubectl(['create', 'token', 'cmwatch', '-n', ns, '--duration=1h'])).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-rr-'));
  writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
  const run = plane.cmwatch(['configmaps', 'secrets', '--server', plane.c.server, '--certificate-authority', plane.c.caFile, '--token-file', join(dir, 'token'), '-n', ns,
    '--action', 'rollout-restart', '--auto', '--debounce', '200ms', '--log-level', 'debug'], { KUBECONFIG: join(dir, 'none') });
  await run.waitFor(/deployment rr-rbac\/tok: carries no cmwatch\.io\/configmap\.tok-config yet/, 60_000);
  await patchData(ns, 'configmap', 'tok-config', { k: 'v2' });
  await run.waitFor(/deployment rr-rbac\/tok: restarted for configmap tok-config/, 60_000);
  await waitRs(ns, 'tok', 2);
  await run.stop();
  // The only refusal allowed: Argo Rollouts (served here once the CRD test ran) are not granted by the component; --auto skips them, warned once.
  const refused = run.stderr.filter((l) => /HTTP 403|forbidden/i.test(l));
  assert.ok(refused.every((l) => /--auto skips rollouts\.argoproj\.io in rr-rbac/.test(l)), refused.join('\n'));
  assert.ok(refused.length <= 1);
});
