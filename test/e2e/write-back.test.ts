/**
 * Write-back through CMWATCH_OUTPUT (issue #14) on the real control plane,
 * through the real CLI: every line type (status of the trigger and of
 * another object, server-side apply of an owned child, an events.k8s.io
 * Event, a delete); invalid lines apply nothing; a call failing mid-list
 * reports which lines were applied; --dry-run persists nothing; a 403 on a
 * status patch names the verb, resource and subresource; a handler writing
 * status on every run runs once per spec change; and the README's replay
 * recipe (record with `events`, replay into the handler, diff against a
 * golden file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { planeFixture, ensureNamespace, eventually } from '../helpers/plane.js';
import { lines, script, tempDir } from '../helpers/handler-fixtures.js';

const plane = planeFixture();
const cmwatch = plane.cmwatch;
const kc = () => ['--kubeconfig', plane.c.kubeconfig];
const W = 'widgets.wb.example.com';

const crd = (plural: string, kind: string, status: boolean) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.wb.example.com}
spec:
  group: wb.example.com
  scope: Namespaced
  names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}}
  versions:
  - name: v1
    served: true
    storage: true
    ${status ? 'subresources: {status: {}}' : ''}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

let ready: Promise<void> | undefined;
/** Widgets (with a status subresource) and Gadgets (without), once per file. */
function setUp(): Promise<void> {
  ready ??= (async () => {
    await plane.c.apply(crd('widgets', 'Widget', true) + '---' + crd('gadgets', 'Gadget', false));
    await plane.c.kubectl(['wait', '--for=condition=Established', `crd/${W}`, 'crd/gadgets.wb.example.com', '--timeout=60s']);
  })();
  return ready;
}

async function fresh(ns: string): Promise<void> {
  await setUp();
  await ensureNamespace(plane.c, ns);
}

const widget = (ns: string, name: string, size = 1) => `apiVersion: wb.example.com/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {size: ${size}}\n`;

async function getJson(args: string[]): Promise<any> {
  return JSON.parse((await plane.c.kubectl([...args, '-o', 'json'])).stdout);
}
async function exists(args: string[]): Promise<boolean> {
  return (await plane.c.kubectl(['get', ...args], { allowFail: true })).code === 0;
}

/** A handler that appends these lines (shell-quoted JSON, $VARS expanded by sh) to CMWATCH_OUTPUT. */
function writer(dir: string, name: string, out: string[], extra = ''): string {
  return script(dir, name, `${extra}\n${out.map((l) => `echo "${l.replace(/"/g, '\\"')}" >> "$CMWATCH_OUTPUT"`).join('\n')}`);
}

test('every line type: status, status of another object, an owned child by server-side apply, an Event, a delete; each call logged with its HTTP status', async () => {
  const ns = 'wb-all';
  await fresh(ns);
  await plane.c.apply(widget(ns, 'other') + '---\n' + `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: doomed, namespace: ${ns}}\ndata: {a: b}\n`);
  const dir = tempDir();
  const h = writer(dir, 'all.sh', [
    '{"status": {"phase": "Ready", "hash": "$CMWATCH_CONTENT_HASH"}}',
    '{"status": {"touchedBy": "$CMWATCH_NAME"}, "of": {"apiVersion": "wb.example.com/v1", "kind": "Widget", "name": "other"}}',
    '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "$CMWATCH_NAME-child"}, "data": {"size": "1"}}}',
    '{"event": {"type": "Normal", "reason": "Reconciled", "message": "child applied"}}',
    '{"delete": {"apiVersion": "v1", "kind": "ConfigMap", "name": "doomed"}}',
  ], '[ "$CMWATCH_NAME" = main ] || exit 0');
  const w = cmwatch([W, '-n', ns, '--exec', h, '--on', 'ADDED', '--field-manager', 'wb-operator', ...kc()]);
  await w.waitFor(/synced \d+ object\(s\)/, 30_000);
  await plane.c.apply(widget(ns, 'main'));
  await w.waitFor(/\[write-back wb-all\/main\] all\.sh line 5: delete configmaps wb-all\/doomed: HTTP 200/, 30_000);
  const main = await getJson(['get', W, 'main', '-n', ns]);
  assert.equal(main.status.phase, 'Ready');
  assert.match(main.status.hash, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(main.metadata.generation, 1, 'a status write leaves the generation alone');
  assert.equal((await getJson(['get', W, 'other', '-n', ns])).status.touchedBy, 'main');
  const child = await getJson(['get', 'configmap', 'main-child', '-n', ns, '--show-managed-fields']);
  assert.deepEqual(child.metadata.ownerReferences, [{ apiVersion: 'wb.example.com/v1', kind: 'Widget', name: 'main', uid: main.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.ok(child.metadata.managedFields.some((f: { manager: string; operation: string }) => f.manager === 'wb-operator' && f.operation === 'Apply'));
  const events = (await getJson(['get', 'events.events.k8s.io', '-n', ns])).items.filter((e: any) => e.regarding?.name === 'main');
  assert.equal(events.length, 1);
  assert.equal(events[0].reportingController, 'cmwatch');
  assert.match(events[0].reportingInstance, /^cmwatch-/);
  assert.equal(events[0].reason, 'Reconciled');
  assert.equal(events[0].note, 'child applied');
  assert.equal(events[0].type, 'Normal');
  assert.equal(events[0].regarding.uid, main.metadata.uid);
  assert.equal(await exists(['configmap', 'doomed', '-n', ns]), false);
  for (const re of [
    /all\.sh line 1: patch widgets\.wb\.example\.com\/status wb-all\/main: HTTP 200/,
    /all\.sh line 2: patch widgets\.wb\.example\.com\/status wb-all\/other: HTTP 200/,
    /all\.sh line 3: apply configmaps ConfigMap wb-all\/main-child data: 1 key: HTTP (200|201)/,
    /all\.sh line 4: create events\.events\.k8s\.io in wb-all \(Normal Reconciled regarding Widget wb-all\/main\): HTTP 201/,
  ]) assert.ok(w.stderr.some((l) => re.test(l)), `${re}\n${w.stderr.join('\n')}`);
  assert.equal(await w.stop(), 0);
});

test('invalid lines apply nothing: an owner in another namespace, an unknown key, a status of a resource without the subresource', async () => {
  const ns = 'wb-invalid';
  await fresh(ns);
  const dir = tempDir();
  const cases: Array<[string, string, RegExp]> = [
    ['ns.sh', '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}}', /ns\.sh CMWATCH_OUTPUT line 2: apply: owner in another namespace/],
    ['key.sh', '{"status": {}, "extra": 1}', /key\.sh CMWATCH_OUTPUT line 2: unknown key "extra"/],
    ['gadget.sh', '{"status": {"a": 1}, "of": {"apiVersion": "wb.example.com/v1", "kind": "Gadget", "name": "g"}}', /gadget\.sh CMWATCH_OUTPUT line 2: gadgets\.wb\.example\.com has no status subresource/],
  ];
  await plane.c.apply(`apiVersion: wb.example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: ${ns}}\nspec: {}\n`);
  const handlers = cases.map(([name, bad]) => writer(dir, name, [`{"status": {"by": "${name}"}}`, bad]));
  // One handler per process: each case fails alone.
  for (const [i, [name, , re]] of cases.entries()) {
    const p = cmwatch([W, '-n', ns, '--exec', handlers[i]!, '--on', 'ADDED', '--retry-base', '100ms', '--max-retries', '1', ...kc()]);
    await p.waitFor(/synced \d+ object\(s\)/, 30_000);
    await plane.c.apply(widget(ns, `w${i}`));
    await p.waitFor(/giving up on/, 30_000);
    const errors = p.stderr.filter((l) => l.startsWith('error write-back:') && re.test(l));
    assert.equal(errors.length, 2, `${name}: one error line per attempt\n${p.stderr.join('\n')}`);
    assert.match(errors[0]!, /nothing was applied/);
    assert.equal((await getJson(['get', W, `w${i}`, '-n', ns])).status, undefined, `${name}: line 1 not applied`);
    assert.ok(!p.stderr.some((l) => /HTTP 200/.test(l)), `${name}: no call was made`);
    assert.equal(await p.stop(), 0);
  }
  assert.equal(await exists(['configmap', 'x', '-n', 'default']), false);
});

test('a call failing mid-list: the error names the line that failed, the lines applied and those not; the run is retried', async () => {
  const ns = 'wb-partial';
  await fresh(ns);
  const dir = tempDir();
  const h = writer(dir, 'partial.sh', [
    '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}}}',
    '{"status": {"a": 1}, "of": {"apiVersion": "wb.example.com/v1", "kind": "Widget", "name": "missing"}}',
    '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "third"}}}',
  ]);
  const w = cmwatch([W, '-n', ns, '--exec', h, '--on', 'ADDED', '--retry-base', '100ms', '--max-retries', '1', ...kc()]);
  await w.waitFor(/synced \d+ object\(s\)/, 30_000);
  await plane.c.apply(widget(ns, 'p'));
  const line = await w.waitFor(/partial\.sh line 2: patch widgets\.wb\.example\.com\/status wb-partial\/missing failed/, 30_000);
  assert.match(line, /HTTP 404/);
  assert.match(line, /applied: partial\.sh line 1; not applied: partial\.sh line 2, partial\.sh line 3/);
  await w.waitFor(/giving up on wb-partial\/p after 2 attempts/, 30_000);
  assert.equal(await exists(['configmap', 'first', '-n', ns]), true);
  assert.equal(await exists(['configmap', 'third', '-n', ns]), false);
  assert.equal(await w.stop(), 0);
});

test('--dry-run: every write-back is sent with dryRun=All and logged as what would change; nothing persists', async () => {
  const ns = 'wb-dry';
  await fresh(ns);
  await plane.c.apply(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: ${ns}}\ndata: {a: b}\n`);
  const dir = tempDir();
  const h = writer(dir, 'dry.sh', [
    '{"status": {"phase": "Ready"}}',
    '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child"}, "data": {"k": "v"}}}',
    '{"event": {"type": "Warning", "reason": "Tried", "message": "dry"}}',
    '{"delete": {"apiVersion": "v1", "kind": "ConfigMap", "name": "keep"}}',
  ]);
  const w = cmwatch([W, '-n', ns, '--exec', h, '--on', 'ADDED', '--dry-run', ...kc()]);
  await w.waitFor(/synced \d+ object\(s\)/, 30_000);
  await plane.c.apply(widget(ns, 'd'));
  await w.waitFor(/dry\.sh line 4: dry run: would delete configmaps wb-dry\/keep/, 30_000);
  assert.ok(w.stderr.some((l) => /dry\.sh line 1: dry run: would patch widgets\.wb\.example\.com\/status wb-dry\/d \(HTTP 200, nothing persisted\): status fields phase/.test(l)), w.stderr.join('\n'));
  assert.ok(w.stderr.some((l) => /dry\.sh line 2: dry run: would apply configmaps ConfigMap wb-dry\/child data: 1 key/.test(l)));
  assert.ok(w.stderr.some((l) => /dry\.sh line 3: dry run: would create events\.events\.k8s\.io/.test(l)));
  assert.equal((await getJson(['get', W, 'd', '-n', ns])).status, undefined);
  assert.equal(await exists(['configmap', 'child', '-n', ns]), false);
  assert.equal(await exists(['configmap', 'keep', '-n', ns]), true);
  assert.equal((await getJson(['get', 'events.events.k8s.io', '-n', ns])).items.filter((e: any) => e.reportingController === 'cmwatch').length, 0);
  assert.equal(await w.stop(), 0);
});

test('RBAC: a status patch without rights on widgets/status is one clear error naming the verb, the resource and the subresource', async () => {
  const ns = 'wb-rbac';
  await fresh(ns);
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: no-status, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: no-status, namespace: ${ns}}
rules:
- {apiGroups: [wb.example.com], resources: [widgets], verbs: [get, list, watch, patch]}
- {apiGroups: [""], resources: [configmaps], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: no-status, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-status}
subjects: [{kind: ServiceAccount, name: no-status, namespace: ${ns}}]
`);
  const token = (await plane.c.kubectl(['create', 'token', 'no-status', '-n', ns, '--duration=1h'])).stdout.trim();
  const config = await plane.c.kubeconfigFor(token, 'no-status');
  const dir = tempDir();
  const h = writer(dir, 'status.sh', [
    '{"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "patch-only"}}}',
    '{"status": {"phase": "Ready"}}',
  ]);
  const w = cmwatch([W, '-n', ns, '--exec', h, '--on', 'ADDED', '--retry-base', '100ms', '--max-retries', '0', '--kubeconfig', config]);
  await w.waitFor(/synced \d+ object\(s\)/, 30_000);
  await plane.c.apply(widget(ns, 'r'));
  const line = await w.waitFor(/status\.sh line 2: patch widgets\.wb\.example\.com\/status wb-rbac\/r failed/, 30_000);
  // Server-side apply of a new object needs "create" and "patch" on its resource (patch alone: 403 naming create).
  assert.match(line, /applied: status\.sh line 1; not applied: status\.sh line 2/);
  assert.equal(await exists(['configmap', 'patch-only', '-n', ns]), true);
  assert.match(line, /forbidden: patch widgets\.wb\.example\.com\/status in "wb-rbac" \(HTTP 403/);
  assert.match(line, /hint: grant verb "patch" on resource "widgets\/status" in API group "wb\.example\.com"; check with kubectl auth can-i patch widgets\.wb\.example\.com --subresource=status -n wb-rbac/);
  assert.equal((await getJson(['get', W, 'r', '-n', ns])).status, undefined);
  // The hint's check says the same as the server.
  const can = await plane.c.kubectl(['auth', 'can-i', 'patch', W, '--subresource=status', '-n', ns], { kubeconfig: config, allowFail: true });
  assert.match(can.stdout.trim(), /^no/);
  assert.equal(await w.stop(), 0);
});

test('loops: a handler that writes status on every run runs once per spec change, never on its own status write', async () => {
  const ns = 'wb-loop';
  await fresh(ns);
  const dir = tempDir();
  const h = script(dir, 'loop.sh', [
    'gen=$(jq -r .object.metadata.generation)',
    `echo "$CMWATCH_NAME $gen" >> "${dir}/runs"`,
    'echo "{\\"status\\": {\\"observedGeneration\\": $gen, \\"seen\\": \\"$(date +%s%N)\\"}}" >> "$CMWATCH_OUTPUT"',
  ].join('\n'));
  // One run at a time, in arrival order: a run caused by a status write would come before the sentinel's.
  const w = cmwatch([W, '-n', ns, '--exec', h, '--on', 'ADDED,MODIFIED', '--concurrency', '1', ...kc()]);
  await w.waitFor(/synced \d+ object\(s\)/, 30_000);
  await plane.c.apply(widget(ns, 'l', 1));
  for (const [gen, size] of [[1, 1], [2, 2], [3, 3]] as const) {
    if (gen > 1) await plane.c.apply(widget(ns, 'l', size));
    await eventually(`status of generation ${gen}`, async () => (await getJson(['get', W, 'l', '-n', ns])).status?.observedGeneration === gen, 60_000);
  }
  await plane.c.apply(widget(ns, 'sentinel'));
  await w.waitFor(/\[write-back wb-loop\/sentinel\] loop\.sh line 1: patch .*HTTP 200/, 30_000);
  assert.deepEqual(lines(join(dir, 'runs')), ['l 1', 'l 2', 'l 3', 'sentinel 1']);
  assert.equal(await w.stop(), 0);
});

test('replay recipe (README): record with events, replay into the handler, diff the printed operations against a golden file', async () => {
  const ns = 'wb-golden';
  await fresh(ns);
  await plane.c.apply(widget(ns, 'alpha', 2) + '---\n' + widget(ns, 'beta', 1));
  const dir = tempDir();
  const recording = join(dir, 'events.ndjson');
  // 1. Record: the baseline, then a change.
  const rec = cmwatch(['events', W, '-n', ns, '--on', 'SYNC,ADDED,MODIFIED,DELETED', ...kc()]);
  await rec.waitFor(/"name":"beta"/, 30_000, 'stdout');
  await rec.waitFor(/"name":"alpha"/, 30_000, 'stdout');
  await plane.c.apply(widget(ns, 'alpha', 3));
  await rec.waitFor(/"type":"MODIFIED"/, 30_000, 'stdout');
  assert.equal(await rec.stop(), 0);
  writeFileSync(recording, rec.stdout.join('\n') + '\n');
  // 2. Replay into the handler: nothing applied, the operations on stdout.
  const handler = join(ROOT, 'test', 'e2e', 'golden', 'widget-handler.sh');
  const r = runCli(['replay', recording, '--resource', W, '--on', 'SYNC,ADDED,MODIFIED', '--concurrency', '1', '--no-coalesce', '--exec', handler]);
  assert.equal(await r.exited, 0, r.stderr.join('\n'));
  // 3. Diff against the golden file; the recorded UIDs are the cluster's, so they are named.
  const uids = new Map<string, string>();
  for (const l of rec.stdout) {
    const o = JSON.parse(l).object;
    uids.set(o.metadata.uid, `UID-${o.metadata.name}`);
  }
  let got = r.stdout.join('\n') + '\n';
  for (const [uid, name] of uids) got = got.split(uid).join(name);
  const golden = readFileSync(join(ROOT, 'test', 'e2e', 'golden', 'widget-operations.ndjson'), 'utf8');
  assert.equal(got, golden);
  // Nothing was applied.
  assert.equal((await getJson(['get', W, 'alpha', '-n', ns])).status, undefined);
  assert.equal(await exists(['configmap', 'alpha-settings', '-n', ns]), false);
});
