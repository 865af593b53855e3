/**
 * Any resource, named as kubectl names it (issue #13), through the real CLI
 * against the real control plane: the naming forms for core, grouped and CRD
 * resources; a short name two CRD groups share; a CRD applied after cmwatch
 * started, then deleted and re-created; status-only updates of a CR; Secrets
 * (a handler gets the value, no log line has it); the cluster-scoped
 * `namespaces`; several resources in one process with RBAC for only one;
 * and the handler variables CMWATCH_RESOURCE, _KIND, _API_VERSION and
 * _CONTENT_HASH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { planeFixture, ensureNamespace, eventually, sleep, deployWebapp, replaced, applyCrd as applyCrdOn, crdYaml } from '../helpers/plane.js';
import { tmp, writeFile } from '../helpers/direct.js';

const plane = planeFixture();
const cmwatch = plane.cmwatch;
const NS = 'anyres';
const ALL = 'SYNC,ADDED,MODIFIED,DELETED';

interface Line {
  type: string;
  object: { kind?: string; apiVersion?: string; metadata: { name: string; namespace?: string; generation?: number }; spec?: unknown };
}
const lines = (out: string[]): Line[] => out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

const applyCrd = (yaml: string, name: string) => applyCrdOn(plane.c, yaml, name);
const crd = (plural: string, group: string, kind: string, shortNames: string[]) => crdYaml(plural, group, kind, shortNames, { status: true });

let ready: Promise<void> | undefined;
/** The book's ConfigWatcher CRD and its sample CR, a Deployment, a Service and a ConfigMap in NS (once per file). */
function setUp(): Promise<void> {
  ready ??= (async () => {
    await ensureNamespace(plane.c, NS);
    await applyCrd(readFileSync(join(ROOT, 'examples/operator/crd.yaml'), 'utf8'), 'configwatchers.k8spatterns.com');
    await plane.c.kubectl(['apply', '-n', NS, '-f', join(ROOT, 'examples/operator/configwatcher.yaml')]);
    await plane.c.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec: {ports: [{port: 80}], selector: {app: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: ${NS}}
data: {k: v}
`);
  })();
  return ready;
}

const kc = () => ['--kubeconfig', plane.c.kubeconfig];

test('every naming form through the CLI: cmwatch events streams the objects of the resource it names (core, grouped, the book\'s CRD)', async () => {
  await setUp();
  const forms: Array<[string, string, string]> = [
    ['configmaps', 'ConfigMap', 'web-config'], ['configmap', 'ConfigMap', 'web-config'], ['cm', 'ConfigMap', 'web-config'], ['ConfigMap', 'ConfigMap', 'web-config'],
    ['svc', 'Service', 'web'], ['services', 'Service', 'web'],
    ['deploy', 'Deployment', 'web'], ['deployments.apps', 'Deployment', 'web'], ['deployments.v1.apps', 'Deployment', 'web'], ['Deployment.v1.apps', 'Deployment', 'web'],
    ['cw', 'ConfigWatcher', 'webapp'], ['configwatcher', 'ConfigWatcher', 'webapp'], ['ConfigWatcher', 'ConfigWatcher', 'webapp'],
    ['configwatchers.k8spatterns.com', 'ConfigWatcher', 'webapp'], ['configwatchers.v1.k8spatterns.com', 'ConfigWatcher', 'webapp'],
  ];
  // Four at a time: each is a process of its own.
  for (let i = 0; i < forms.length; i += 4) {
    await Promise.all(forms.slice(i, i + 4).map(async ([form, kind, name]) => {
      const e = cmwatch(['events', form, '-n', NS, '--on', 'SYNC', ...kc()]);
      await e.waitFor(new RegExp(`"name":"${name}"`), 30_000, 'stdout');
      const got = lines(e.stdout);
      assert.ok(got.every((l) => l.object.kind === kind), `${form}: only ${kind} objects, got ${got.map((l) => l.object.kind).join(',')}`);
      assert.ok(got.some((l) => l.object.metadata.name === name), `${form}: ${name} listed`);
      assert.equal(await e.stop(), 0);
    }));
  }
});

test('a short name two CRD groups share is ambiguous: exit 2, one line naming both as plural.group; each plural.group works', async () => {
  await setUp();
  await applyCrd(crd('widgets', 'a.example.com', 'Widget', ['wd']), 'widgets.a.example.com');
  await applyCrd(crd('widgets', 'b.example.com', 'Widget', ['wd']), 'widgets.b.example.com');
  const e = cmwatch(['events', 'wd', '-n', NS, ...kc()]);
  assert.equal(await e.exited, 2);
  const errors = e.stderr.filter((l) => /wd/.test(l) && /ambiguous/.test(l));
  assert.equal(errors.length, 1, e.stderr.join('\n'));
  assert.match(errors[0]!, /widgets\.a\.example\.com/);
  assert.match(errors[0]!, /widgets\.b\.example\.com/);
  assert.match(errors[0]!, /\(hint: .+\)$/);
  assert.equal(e.stdout.length, 0);
  await plane.c.apply(`apiVersion: b.example.com/v1\nkind: Widget\nmetadata: {name: bee, namespace: ${NS}}\n`);
  const b = cmwatch(['events', 'widgets.b.example.com', '-n', NS, '--on', 'SYNC', ...kc()]);
  await b.waitFor(/"name":"bee"/, 30_000, 'stdout');
  assert.ok(lines(b.stdout).every((l) => l.object.apiVersion === 'b.example.com/v1'));
  const a = cmwatch(['events', 'widgets.a.example.com', '-n', NS, '--on', 'SYNC', ...kc()]);
  await a.waitFor(/synced 0 object/, 30_000);
  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
  // An unknown short name: the message the issue gives, exit 2.
  const u = cmwatch(['events', 'nosuchthing', ...kc()]);
  assert.equal(await u.exited, 2);
  assert.match(u.stderr.join('\n'), /no resource nosuchthing on this server \(hint: `kubectl api-resources` lists them\)/);
});

test('a CRD applied 5 s after cmwatch starts is watched with no restart, its first CR arrives as ADDED; deleted, it is waited for again; re-created, its CRs arrive as ADDED', async () => {
  await setUp();
  const e = cmwatch(['events', 'gadgets.late.example.com', '-n', NS, '--on', ALL, ...kc()]);
  await e.waitFor(/gadgets\.late\.example\.com is not served yet; waiting for it/, 30_000);
  await sleep(5000);
  await applyCrd(crd('gadgets', 'late.example.com', 'Gadget', []), 'gadgets.late.example.com');
  await plane.c.apply(`apiVersion: late.example.com/v1\nkind: Gadget\nmetadata: {name: first, namespace: ${NS}}\n`);
  await e.waitFor(/"name":"first"/, 60_000, 'stdout');
  assert.deepEqual(lines(e.stdout).map((l) => `${l.type} ${l.object.metadata.name}`), ['ADDED first']);
  assert.equal(e.stderr.filter((l) => /not served yet/.test(l)).length, 1, 'logged once');

  await plane.c.kubectl(['delete', 'crd', 'gadgets.late.example.com', '--wait=true']);
  await e.waitFor(/gadgets\.late\.example\.com is no longer served/, 60_000);
  await applyCrd(crd('gadgets', 'late.example.com', 'Gadget', []), 'gadgets.late.example.com');
  await plane.c.apply(`apiVersion: late.example.com/v1\nkind: Gadget\nmetadata: {name: second, namespace: ${NS}}\n`);
  await e.waitFor(/"name":"second"/, 90_000, 'stdout');
  const seen = lines(e.stdout).map((l) => `${l.type} ${l.object.metadata.name}`);
  assert.deepEqual(seen, ['ADDED first', 'DELETED first', 'ADDED second'], seen.join('\n'));
  assert.ok(e.child.exitCode === null, 'still running: no restart');
  assert.equal(await e.stop(), 0);
});

test('a CR whose status alone is updated through /status is not delivered; a change to its spec is', async () => {
  await setUp();
  const e = cmwatch(['events', 'cw', '-n', NS, ...kc()]);
  await e.waitFor(/synced 1 object/, 30_000);
  await plane.c.kubectl(['patch', 'cw', 'webapp', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"observed":"one"}}']);
  await plane.c.kubectl(['patch', 'cw', 'webapp', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"observed":"two"}}']);
  await plane.c.kubectl(['patch', 'cw', 'webapp', '-n', NS, '--type=merge', '-p', '{"spec":{"configMap":"webapp-config-v2"}}']);
  await e.waitFor(/"type":"MODIFIED"/, 30_000, 'stdout');
  await sleep(1000);
  const got = lines(e.stdout);
  assert.equal(got.length, 1, got.map((l) => JSON.stringify(l)).join('\n'));
  assert.deepEqual(got[0]!.object.spec, { configMap: 'webapp-config-v2', podSelector: { app: 'webapp' } });
  assert.equal(await e.stop(), 0);
  await plane.c.kubectl(['patch', 'cw', 'webapp', '-n', NS, '--type=merge', '-p', '{"spec":{"configMap":"webapp-config"}}']);
});

test('handlers get CMWATCH_RESOURCE, CMWATCH_KIND, CMWATCH_API_VERSION and a CMWATCH_CONTENT_HASH that is the same after a restart; CMWATCH_NAMESPACE is empty for a cluster-scoped object', async () => {
  await setUp();
  const out = tmp();
  const h = writeFile(join(out, 'env.sh'), `#!/usr/bin/env bash
cat >/dev/null
echo "$CMWATCH_RESOURCE|$CMWATCH_KIND|$CMWATCH_API_VERSION|$CMWATCH_CONTENT_HASH|$CMWATCH_NAMESPACE|$CMWATCH_NAME" >> "${out}/env-$1"
`, 0o755);
  const run = async (n: number): Promise<string> => {
    const w = cmwatch(['cw', '-n', NS, '--on', 'SYNC', '--exec', `${h} ${n}`, ...kc()]);
    await eventually(`handler run ${n}`, async () => existsSync(join(out, `env-${n}`)), 30_000);
    assert.equal(await w.stop(), 0);
    return readFileSync(join(out, `env-${n}`), 'utf8').trim();
  };
  const first = await run(1);
  const [resource, kind, apiVersion, hash, ns, name] = first.split('|');
  assert.deepEqual([resource, kind, apiVersion, ns, name], ['configwatchers.k8spatterns.com', 'ConfigWatcher', 'k8spatterns.com/v1', NS, 'webapp']);
  assert.match(hash!, /^\S{22}$/);
  assert.equal(await run(2), first, 'the same hash after a restart');

  const w = cmwatch(['namespaces', '--on', 'SYNC,ADDED', '-l', 'cmwatch-e2e=env', '--exec', `${h} ns`, ...kc()]);
  await w.waitFor(/synced/, 30_000);
  await plane.c.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: env-check, labels: {cmwatch-e2e: env}}\n');
  await eventually('namespace handler', async () => existsSync(join(out, 'env-ns')), 30_000);
  assert.match(readFileSync(join(out, 'env-ns'), 'utf8').trim(), /^namespaces\|Namespace\|v1\|\S{22}\|\|env-check$/);
  assert.equal(await w.stop(), 0);
});

test('cluster-scoped namespaces: watched cluster-wide, a line says -n does not apply; creating a namespace is delivered', async () => {
  const e = cmwatch(['events', 'ns', '-n', 'default', ...kc()]);
  await e.waitFor(/namespaces is cluster-scoped: watched cluster-wide \(-n does not apply to it\)/, 30_000);
  await e.waitFor(/synced \d+ object/, 30_000);
  await plane.c.kubectl(['create', 'namespace', 'fresh-one']);
  await e.waitFor(/"name":"fresh-one"/, 30_000, 'stdout');
  const l = lines(e.stdout).find((x) => x.object.metadata.name === 'fresh-one')!;
  assert.equal(l.type, 'ADDED');
  assert.equal(l.object.kind, 'Namespace');
  assert.equal(await e.stop(), 0);
});

test('Secrets: a handler gets the value on stdin; no log line at any level, text or JSON, contains it', async () => {
  await setUp();
  const marker = 'sekr1t-' + Math.random().toString(36).slice(2);
  const b64 = Buffer.from(marker).toString('base64');
  const out = tmp();
  const h = writeFile(join(out, 'h.sh'), `#!/usr/bin/env bash\ncat >> "${out}/stdin-$1"\nexit 1\n`, 0o755);
  const runs = ['text', 'json'].map((fmt) =>
    cmwatch(['secrets', '-n', NS, '--log-level', 'debug', '--log-format', fmt, '-o', 'json', '--max-retries', '1', '--exec', `${h} ${fmt}`, ...kc()]));
  for (const w of runs) await w.waitFor(/synced/, 30_000);
  await plane.c.kubectl(['create', 'secret', 'generic', 'db', '-n', NS, `--from-literal=password=${marker}`]);
  await plane.c.kubectl(['patch', 'secret', 'db', '-n', NS, '--type=merge', '-p', JSON.stringify({ stringData: { password: marker + '-2' } })]);
  for (const fmt of ['text', 'json']) {
    await eventually(`the ${fmt} handler got the value`, async () =>
      existsSync(join(out, `stdin-${fmt}`)) && readFileSync(join(out, `stdin-${fmt}`), 'utf8').includes(Buffer.from(marker + '-2').toString('base64')), 30_000);
  }
  for (const w of runs) {
    await w.waitFor(/exit 1/, 30_000);
    assert.ok(w.stdout.some((l) => l.includes(b64)), '-o json prints the object as the API sent it');
    assert.equal(await w.stop(), 0);
    const leaked = w.stderr.filter((l) => l.includes(marker) || l.includes(b64) || l.includes(Buffer.from(marker + '-2').toString('base64')));
    assert.deepEqual(leaked, [], 'no log line has the value');
    assert.ok(w.stderr.length > 5, 'it did log');
  }
});

test('several resources in one process, with RBAC for ConfigMaps but not Secrets: ConfigMaps flow, Secrets are reported forbidden and retried; /readyz names each resource', async () => {
  const ns = 'rbac-mixed';
  await ensureNamespace(plane.c, ns);
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: cm-only, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-only, namespace: ${ns}}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm-only, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-only}
subjects: [{kind: ServiceAccount, name: cm-only, namespace: ${ns}}]
`);
  const token = (await plane.c.kubectl(['create', 'token', 'cm-only', '-n', ns, '--duration=1h'])).stdout.trim();
  const config = await plane.c.kubeconfigFor(token, 'cm-only');
  const w = cmwatch(['cm', 'secrets', '-n', ns, '--kubeconfig', config, '--health-addr', '127.0.0.1:0', '--on', 'ADDED,MODIFIED']);
  const health = /health on (http:\/\/\S+)/.exec(await w.waitFor(/health on http/, 30_000))![1]!;
  await w.waitFor(/forbidden|403/, 30_000);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/namespaces\/rbac-mixed\/configmaps/, 30_000);
  await plane.c.kubectl(['create', 'configmap', 'flows', '-n', ns, '--from-literal=a=b']);
  await w.waitFor(/ADDED configmaps\/rbac-mixed\/flows/, 30_000);
  const denied = w.stderr.filter((l) => /secrets/.test(l) && /403|forbidden/i.test(l));
  assert.ok(denied.length >= 1, w.stderr.join('\n'));
  assert.match(denied[0]!, /listing again in/);
  const res = await fetch(`${health}/readyz`);
  const body = await res.text();
  assert.equal(res.status, 503);
  assert.match(body, /secrets in namespace rbac-mixed/);
  assert.doesNotMatch(body, /configmaps in namespace rbac-mixed/);
  assert.equal(await w.stop(), 0);
});

test('--action delete-pods acts on any watched object that carries the selector annotation: a Secret, and a CR', async () => {
  const ns = 'dp-any';
  let before = await deployWebapp(plane.c, ns);
  await plane.c.kubectl(['create', 'secret', 'generic', 'creds', '-n', ns, '--from-literal=k=v1']);
  await plane.c.kubectl(['annotate', 'secret', 'creds', '-n', ns, 'k8spatterns.io/podDeleteSelector=app=webapp']);
  await setUp();
  await applyCrd(crd('restarters', 'dp.example.com', 'Restarter', []), 'restarters.dp.example.com');
  await plane.c.apply(`apiVersion: dp.example.com/v1\nkind: Restarter\nmetadata: {name: r, namespace: ${ns}, annotations: {k8spatterns.io/podDeleteSelector: app=webapp}}\nspec: {n: 1}\n`);
  const w = cmwatch(['secrets', 'restarters.dp.example.com', '-n', ns, '--action', 'delete-pods', ...kc()]);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/namespaces\/dp-any\/secrets/, 30_000);
  await w.waitFor(/synced 1 object\(s\) from \/apis\/dp\.example\.com\/v1\/namespaces\/dp-any\/restarters/, 30_000);
  await plane.c.kubectl(['patch', 'secret', 'creds', '-n', ns, '--type=merge', '-p', '{"stringData":{"k":"v2"}}']);
  await w.waitFor(/MODIFIED secrets\/dp-any\/creds selector=app=webapp/, 30_000);
  before = await replaced(plane.c, ns, 'app=webapp', before);
  await plane.c.kubectl(['patch', 'restarters.dp.example.com', 'r', '-n', ns, '--type=merge', '-p', '{"spec":{"n":2}}']);
  await w.waitFor(/MODIFIED restarters\.dp\.example\.com\/dp-any\/r selector=app=webapp/, 30_000);
  await replaced(plane.c, ns, 'app=webapp', before);
  assert.equal(w.stderr.filter((l) => /deleted pod dp-any\//.test(l)).length, 4, w.stderr.join('\n'));
  assert.equal(await w.stop(), 0);
});

test('-l and --field-selector metadata.name=x are sent to the server with the list and the watch of a CR: only matching objects arrive, none is filtered client-side', async () => {
  await setUp();
  for (const [name, tier] of [['sel-a', 'front'], ['sel-b', 'back'], ['sel-c', 'front']]) {
    await plane.c.apply(`apiVersion: k8spatterns.com/v1\nkind: ConfigWatcher\nmetadata: {name: ${name}, namespace: ${NS}, labels: {tier: ${tier}}}\nspec: {configMap: ${name}, podSelector: {app: ${name}}}\n`);
  }
  const byLabel = cmwatch(['events', 'cw', '-n', NS, '-l', 'tier=front', '--on', ALL, ...kc()]);
  const byField = cmwatch(['events', 'configwatchers.k8spatterns.com', '-n', NS, '--field-selector', 'metadata.name=sel-b', '--on', ALL, ...kc()]);
  await byLabel.waitFor(/"name":"sel-c"/, 30_000, 'stdout');
  await byField.waitFor(/"name":"sel-b"/, 30_000, 'stdout');
  for (const name of ['sel-a', 'sel-b', 'sel-c']) {
    await plane.c.kubectl(['patch', 'cw', name, '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { configMap: `${name}-v2` } })]);
  }
  await byLabel.waitFor(/"type":"MODIFIED".*"name":"sel-c"/, 30_000, 'stdout');
  await byField.waitFor(/"type":"MODIFIED".*"name":"sel-b"/, 30_000, 'stdout');
  await sleep(1000);
  assert.deepEqual([...new Set(lines(byLabel.stdout).map((l) => l.object.metadata.name))].sort(), ['sel-a', 'sel-c']);
  assert.deepEqual([...new Set(lines(byField.stdout).map((l) => l.object.metadata.name))], ['sel-b']);
  for (const w of [byLabel, byField]) {
    assert.ok(!w.stderr.some((l) => /server_inconsistency|skipped/.test(l)), w.stderr.join('\n'));
    assert.equal(await w.stop(), 0);
  }
  const bad = cmwatch(['events', 'cw', '-n', NS, '--field-selector', 'spec.configMap=x', ...kc()]);
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr.join('\n'), /--field-selector: the server does not support field "spec\.configMap" on configwatchers/);
});
