/**
 * --snapshot and --finalizer (issue #14) through the real CLI on the real
 * control plane: the snapshot files' names and sorted contents, a
 * snapshot-only resource that triggers nothing, a FINALIZE handler that runs
 * while the object still exists, a failing one that keeps the object (with
 * a Warning Event) until a later success releases it, other finalizers left
 * alone, objects already being deleted at start, and `cmwatch finalizers
 * remove` releasing everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { planeFixture, ensureNamespace, eventually } from '../helpers/plane.js';
import { tmp, writeFile } from '../helpers/direct.js';

const plane = planeFixture();
const cmwatch = plane.cmwatch;
const kc = () => ['--kubeconfig', plane.c.kubeconfig];
const FIN = 'e2e.cmwatch.io/cleanup';
const OTHER = 'other.example.com/keep';
const WIDGETS = 'widgets.e2e.cmwatch.io';

async function applyCrd(yaml: string, name: string): Promise<void> {
  await plane.c.apply(yaml);
  await plane.c.kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
}

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${WIDGETS}}
spec:
  group: e2e.cmwatch.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

function widget(ns: string, name: string, finalizers: string[] = []): string {
  return `apiVersion: e2e.cmwatch.io/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: ${ns}, finalizers: ${JSON.stringify(finalizers)}}\nspec: {size: 1}\n`;
}

async function finalizersOf(ns: string, name: string): Promise<string[] | undefined> {
  const r = await plane.c.kubectl(['get', WIDGETS, name, '-n', ns, '-o', 'json'], { allowFail: true });
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { metadata: { finalizers?: string[] } }).metadata.finalizers ?? [];
}

const gone = (ns: string, name: string) => eventually(`${ns}/${name} gone`, async () => (await finalizersOf(ns, name)) === undefined, 60_000);

/** A handler that logs each run (type, resource, name) and copies the snapshot directory; it fails while FAIL exists. */
function handler(dir: string): string {
  return writeFile(join(dir, 'h.sh'), `#!/bin/sh
n=$(date +%s%N)
echo "$CMWATCH_EVENT_TYPE $CMWATCH_RESOURCE $CMWATCH_NAME $CMWATCH_SNAPSHOT_DIR" >> ${dir}/runs.log
if [ -n "$CMWATCH_SNAPSHOT_DIR" ]; then mkdir -p ${dir}/snap-$n && cp "$CMWATCH_SNAPSHOT_DIR"/* ${dir}/snap-$n/ && echo "$CMWATCH_NAME" > ${dir}/snap-$n/.for; fi
if [ "$CMWATCH_EVENT_TYPE" = FINALIZE ]; then
  cat > ${dir}/finalize-$CMWATCH_NAME.json
  [ -e ${dir}/FAIL ] && { echo "cleanup of $CMWATCH_NAME failed" >&2; exit 1; }
  echo "FINALIZED $CMWATCH_NAME" >> ${dir}/finalized.log
fi
exit 0
`, 0o755);
}

const runs = (dir: string) => (existsSync(join(dir, 'runs.log')) ? readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n') : []);

test('--snapshot: <canonical>.json per resource, a sorted List with apiVersion and kind; snapshot-only resources trigger nothing', async () => {
  const ns = 'snap';
  await ensureNamespace(plane.c, ns);
  await applyCrd(readFileSync(join(ROOT, 'examples/operator/crd.yaml'), 'utf8'), 'configwatchers.k8spatterns.com');
  for (const n of ['cw-b', 'cw-c', 'cw-a']) {
    await plane.c.apply(`apiVersion: k8spatterns.com/v1\nkind: ConfigWatcher\nmetadata: {name: ${n}, namespace: ${ns}}\nspec: {configMap: web-config, podSelector: {app: ${n}}}\n`);
  }
  await plane.c.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: ${ns}}
data: {k: v1}
`);
  const dir = tmp('cmwatch-snap-');
  const h = handler(dir);
  const w = cmwatch(['configmaps', '-n', ns, '--snapshot', 'cw', '--snapshot', 'deploy', '--exec', h, '--on', 'SYNC,ADDED,MODIFIED,DELETED', ...kc()]);
  await w.waitFor(/SYNC|exit 0/, 60_000);
  await eventually('a SYNC run for web-config', async () => runs(dir).some((l) => l.startsWith('SYNC configmaps web-config')), 60_000);
  // A ConfigWatcher added while running is cached, but runs nothing.
  await plane.c.apply(`apiVersion: k8spatterns.com/v1\nkind: ConfigWatcher\nmetadata: {name: cw-0, namespace: ${ns}}\nspec: {configMap: web-config, podSelector: {app: zero}}\n`);
  await plane.c.kubectl(['scale', 'deploy/web', '-n', ns, '--replicas=1']);
  await plane.c.kubectl(['patch', 'configmap', 'web-config', '-n', ns, '--type=merge', '-p', '{"data":{"k":"v2"}}']);
  await eventually('a MODIFIED run for web-config', async () => runs(dir).some((l) => l.startsWith('MODIFIED configmaps web-config')), 60_000);
  assert.equal(await w.stop(), 0);
  assert.ok(runs(dir).every((l) => / configmaps /.test(l)), `only ConfigMaps ran handlers:\n${runs(dir).join('\n')}`);

  // Each run had its own directory, removed after it.
  for (const l of runs(dir)) assert.equal(existsSync(l.split(' ')[3]!), false, `removed after the run: ${l}`);
  const snaps = readdirSync(dir).filter((d) => d.startsWith('snap-')).sort();
  assert.ok(snaps.length >= 2, snaps.join(','));
  for (const s of snaps) assert.deepEqual(readdirSync(join(dir, s)).filter((f) => !f.startsWith('.')).sort(), ['configwatchers.k8spatterns.com.json', 'deployments.apps.json']);
  const last = join(dir, snaps.at(-1)!);
  const cws = JSON.parse(readFileSync(join(last, 'configwatchers.k8spatterns.com.json'), 'utf8')) as { apiVersion: string; kind: string; items: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string } }> };
  assert.equal(cws.apiVersion, 'v1');
  assert.equal(cws.kind, 'List');
  assert.deepEqual(cws.items.map((i) => i.metadata.name), ['cw-0', 'cw-a', 'cw-b', 'cw-c']);
  assert.ok(cws.items.every((i) => i.apiVersion === 'k8spatterns.com/v1' && i.kind === 'ConfigWatcher' && i.metadata.namespace === ns));
  const deploys = JSON.parse(readFileSync(join(last, 'deployments.apps.json'), 'utf8')) as { items: Array<{ apiVersion: string; kind: string; metadata: { name: string }; spec: { replicas: number } }> };
  assert.deepEqual(deploys.items.map((i) => [i.apiVersion, i.kind, i.metadata.name]), [['apps/v1', 'Deployment', 'web']]);
  assert.equal(deploys.items[0]!.spec.replicas, 1, 'the snapshot as it stood when the run began');
  rmSync(dir, { recursive: true, force: true });
});

test('--finalizer: added to every object (others kept); FINALIZE runs while the object exists; a failure keeps it with a Warning Event; a later success releases it', async () => {
  const ns = 'fin';
  await ensureNamespace(plane.c, ns);
  await applyCrd(WIDGET_CRD, WIDGETS);
  await plane.c.apply(widget(ns, 'w1'));
  await plane.c.apply(widget(ns, 'w2', [OTHER]));
  const dir = tmp('cmwatch-fin-');
  const h = handler(dir);
  const args = ['widgets.e2e.cmwatch.io', '-n', ns, '--finalizer', FIN, '--exec', h, '--retry-base', '300ms', '--retry-max', '2s', ...kc()];
  const w = cmwatch(args);
  await eventually('finalizer added to w1 and w2', async () => {
    const [a, b] = [await finalizersOf(ns, 'w1'), await finalizersOf(ns, 'w2')];
    return JSON.stringify(a) === JSON.stringify([FIN]) && JSON.stringify(b) === JSON.stringify([OTHER, FIN]);
  }, 60_000);

  writeFile(join(dir, 'FAIL'), '');
  await plane.c.kubectl(['delete', WIDGETS, 'w1', '-n', ns, '--wait=false']);
  await w.waitFor(/\[h\.sh fin\/w1\] exit 1/, 60_000);
  const event = await eventually('a Warning Event on w1', async () => {
    const r = await plane.c.kubectl(['get', 'events.events.k8s.io', '-n', ns, '-o', 'json']);
    const items = (JSON.parse(r.stdout) as { items: Array<{ type: string; reason: string; note: string; regarding: { name: string; kind: string }; reportingController: string }> }).items;
    return items.find((e) => e.regarding.name === 'w1' && e.type === 'Warning');
  }, 60_000);
  assert.equal(event.reason, 'FinalizeFailed');
  assert.equal(event.regarding.kind, 'Widget');
  assert.equal(event.reportingController, 'cmwatch');
  assert.match(event.note, /h\.sh exit 1/);
  assert.deepEqual(await finalizersOf(ns, 'w1'), [FIN], 'the object stays while the handler fails');
  const seen = JSON.parse(readFileSync(join(dir, 'finalize-w1.json'), 'utf8')) as { type: string; object: { metadata: { deletionTimestamp?: string } } };
  assert.equal(seen.type, 'FINALIZE');
  assert.ok(seen.object.metadata.deletionTimestamp, 'the handler saw the object being deleted');

  rmSync(join(dir, 'FAIL'));
  await gone(ns, 'w1');
  assert.match(readFileSync(join(dir, 'finalized.log'), 'utf8'), /FINALIZED w1/);

  // Another finalizer is never touched: w2 stays with it.
  await plane.c.kubectl(['delete', WIDGETS, 'w2', '-n', ns, '--wait=false']);
  await eventually('our finalizer removed from w2', async () => JSON.stringify(await finalizersOf(ns, 'w2')) === JSON.stringify([OTHER]), 60_000);
  assert.match(readFileSync(join(dir, 'finalized.log'), 'utf8'), /FINALIZED w2/);
  assert.equal(await w.stop(), 0);

  // Already being deleted at start: w3 carries ours and is finalized; w4 (being deleted without ours) is not given it.
  await plane.c.apply(widget(ns, 'w3', [FIN, OTHER]));
  await plane.c.apply(widget(ns, 'w4', [OTHER]));
  await plane.c.kubectl(['delete', WIDGETS, 'w3', 'w4', '-n', ns, '--wait=false']);
  const w2nd = cmwatch(args);
  await eventually('w3 finalized at start', async () => JSON.stringify(await finalizersOf(ns, 'w3')) === JSON.stringify([OTHER]), 60_000);
  assert.match(readFileSync(join(dir, 'finalized.log'), 'utf8'), /FINALIZED w3/);
  assert.deepEqual(await finalizersOf(ns, 'w4'), [OTHER]);
  assert.equal(await w2nd.stop(), 0);
  assert.ok(!runs(dir).some((l) => / w4 /.test(l) && l.startsWith('FINALIZE')), 'no FINALIZE for an object without our finalizer');
  for (const n of ['w2', 'w3', 'w4']) await plane.c.kubectl(['patch', WIDGETS, n, '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { allowFail: true });
});

test('cmwatch finalizers remove NAME RESOURCE releases every object, touching no other finalizer', async () => {
  const ns = 'finrm';
  await ensureNamespace(plane.c, ns);
  await applyCrd(WIDGET_CRD, WIDGETS);
  await plane.c.apply(widget(ns, 'r1', [FIN]) + '---\n' + widget(ns, 'r2', [FIN, OTHER]) + '---\n' + widget(ns, 'r3', [OTHER]) + '---\n' + widget(ns, 'r4'));
  await plane.c.kubectl(['delete', WIDGETS, 'r1', '-n', ns, '--wait=false']);
  const r = cmwatch(['finalizers', 'remove', FIN, 'widgets.e2e.cmwatch.io', '-n', ns, ...kc()]);
  assert.equal(await r.exited, 0, r.stderr.join('\n'));
  assert.deepEqual([...r.stdout].sort(), [`${ns}/r1`, `${ns}/r2`]);
  assert.ok(r.stderr.some((l) => /removed from 2 of 2/.test(l)), r.stderr.join('\n'));
  await gone(ns, 'r1');
  assert.deepEqual(await finalizersOf(ns, 'r2'), [OTHER]);
  assert.deepEqual(await finalizersOf(ns, 'r3'), [OTHER]);
  assert.deepEqual(await finalizersOf(ns, 'r4'), []);
  // Nothing left: exit 0, nothing printed.
  const again = cmwatch(['finalizers', 'remove', FIN, WIDGETS, ...kc()]);
  assert.equal(await again.exited, 0);
  assert.deepEqual(again.stdout, []);
  for (const n of ['r2', 'r3']) await plane.c.kubectl(['patch', WIDGETS, n, '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
});

test('--finalizer without RESOURCE while two resources are watched, or for a resource not watched: exit 2, one line with a hint', async () => {
  await applyCrd(WIDGET_CRD, WIDGETS);
  const two = cmwatch(['configmaps', WIDGETS, '-n', 'default', '--finalizer', FIN, '--exec', '/bin/true', ...kc()]);
  assert.equal(await two.exited, 2);
  const lines = two.stderr.filter((l) => /--finalizer/.test(l));
  assert.equal(lines.length, 1, two.stderr.join('\n'));
  assert.match(lines[0]!, /2 resources are watched .*\(hint: name it: --finalizer configmaps=e2e\.cmwatch\.io\/cleanup\)$/);
  const notWatched = cmwatch(['configmaps', '-n', 'default', '--finalizer', `deploy=${FIN}`, '--exec', '/bin/true', ...kc()]);
  assert.equal(await notWatched.exited, 2);
  assert.ok(notWatched.stderr.some((l) => /--finalizer deploy=e2e\.cmwatch\.io\/cleanup: deployments\.apps is not watched/.test(l)), notWatched.stderr.join('\n'));
  // The API server refuses a finalizer without a domain on built-in resources: so does cmwatch, at start.
  const bare = cmwatch(['configmaps', '-n', 'default', '--finalizer', 'cleanup', '--exec', '/bin/true', ...kc()]);
  assert.equal(await bare.exited, 2);
  assert.ok(bare.stderr.some((l) => /configmaps is a built-in resource: .*without a domain .*\(hint: qualify it, e\.g\. --finalizer example\.com\/cleanup\)$/.test(l)), bare.stderr.join('\n'));
});

test('--finalizer on a built-in resource: adding it triggers no run; deleting runs FINALIZE, then the Service goes', async () => {
  const ns = 'finsvc';
  await ensureNamespace(plane.c, ns);
  const dir = tmp('cmwatch-finsvc-');
  const h = handler(dir);
  const w = cmwatch(['services', '-n', ns, '--finalizer', 'e2e.cmwatch.io/svc', '--exec', h, '--on', 'ADDED,MODIFIED,DELETED,FINALIZE', ...kc()]);
  await w.waitFor(/finalizer e2e\.cmwatch\.io\/svc on services/, 60_000);
  await plane.c.apply(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec: {ports: [{port: 80}], selector: {app: web}}\n`);
  await w.waitFor(/\[finalizer finsvc\/web\] added e2e\.cmwatch\.io\/svc/, 60_000);
  await eventually('the ADDED run', async () => runs(dir).some((l) => l.startsWith('ADDED services web')), 60_000);
  await plane.c.kubectl(['delete', 'service', 'web', '-n', ns, '--wait=false']);
  await eventually('the Service gone', async () => (await plane.c.kubectl(['get', 'service', 'web', '-n', ns], { allowFail: true })).code !== 0, 60_000);
  await eventually('the DELETED run', async () => runs(dir).some((l) => l.startsWith('DELETED services web')), 60_000);
  assert.equal(await w.stop(), 0);
  assert.deepEqual(runs(dir).map((l) => l.split(' ').slice(0, 3).join(' ')), ['ADDED services web', 'FINALIZE services web', 'DELETED services web']);
});

test('--snapshot of a resource not served yet: an empty List for handlers, /readyz names it until it is served', async () => {
  const ns = 'snapwait';
  await ensureNamespace(plane.c, ns);
  await plane.c.kubectl(['create', 'configmap', 'c', '-n', ns, '--from-literal=k=v']);
  const dir = tmp('cmwatch-snapwait-');
  const h = handler(dir);
  const w = cmwatch(['configmaps', '-n', ns, '--snapshot', 'gadgets.later.cmwatch.io', '--exec', h, '--on', 'SYNC', '--health-addr', '127.0.0.1:0', ...kc()]);
  const health = /health on (http:\/\/\S+)/.exec(await w.waitFor(/health on http/, 30_000))![1]!;
  await eventually('the SYNC run', async () => runs(dir).some((l) => l.startsWith('SYNC configmaps c')), 60_000);
  const snap = readdirSync(dir).find((d) => d.startsWith('snap-'))!;
  assert.deepEqual(JSON.parse(readFileSync(join(dir, snap, 'gadgets.later.cmwatch.io.json'), 'utf8')), { apiVersion: 'v1', kind: 'List', metadata: {}, items: [] });
  const res = await fetch(`${health}/readyz`);
  assert.equal(res.status, 503);
  assert.match(await res.text(), /snapshot of gadgets\.later\.cmwatch\.io/);
  assert.equal(await w.stop(), 0);
});

test('--finalizer with --dry-run: the finalizer patch is sent with dryRun=All and logged as what would happen; nothing persists', async () => {
  const ns = 'findry';
  await ensureNamespace(plane.c, ns);
  const dir = tmp('cmwatch-findry-');
  const h = handler(dir);
  await plane.c.apply(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec: {ports: [{port: 80}], selector: {app: web}}\n`);
  const w = cmwatch(['services', '-n', ns, '--finalizer', 'e2e.cmwatch.io/dry', '--dry-run', '--exec', h, ...kc()]);
  await w.waitFor(/\[finalizer findry\/web\] dry run: would add e2e\.cmwatch\.io\/dry/, 60_000);
  const got = JSON.parse((await plane.c.kubectl(['get', 'service', 'web', '-n', ns, '-o', 'json'])).stdout);
  assert.deepEqual(got.metadata.finalizers ?? [], [], 'nothing persisted');
  assert.equal(await w.stop(), 0);
});
