/**
 * The book's scenario against the real control plane (kube-apiserver,
 * kube-controller-manager, etcd built from Go modules), with the real
 * `kubectl proxy` as the ambassador.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, planeFixture, deployWebapp, ensureNamespace, pods, setData, replaced, eventually, sleep } from '../helpers/plane.js';

const plane = planeFixture();
const cmwatch = plane.cmwatch;

test('1. via kubectl proxy: modifying the annotated ConfigMap replaces the pods; an unannotated one touches none', async () => {
  const before1 = await deployWebapp(plane.c, 'book');
  await plane.c.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: book}\ndata: {a: "1"}\n');
  const proxy = await plane.c.startProxy();
  const w = cmwatch(['--server', proxy.url, '-n', 'book', '--action', 'delete-pods']);
  await w.waitFor(/synced \d+ object/, 30_000);
  await setData(plane.c, 'book', 'webapp-config', 'hello v2');
  await w.waitFor(/MODIFIED book\/webapp-config selector=app=webapp/, 30_000);
  const after1 = await replaced(plane.c, 'book', 'app=webapp', before1);
  console.log(`# old uids ${before1.map((p) => p.uid).join(',')} → new ${after1.map((p) => p.uid).join(',')}`);
  assert.equal(w.stderr.filter((l) => /deleted pod book\//.test(l)).length, 2);

  await setData(plane.c, 'book', 'plain', 'changed');
  await w.waitFor(/MODIFIED book\/plain/, 30_000);
  await sleep(1500);
  assert.deepEqual(await pods(plane.c, 'book', 'app=webapp'), after1, 'no pod touched');
  assert.equal(w.stderr.filter((l) => /deleted pod/.test(l)).length, 2);
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});

test('2. via kubectl proxy, all namespaces: each ConfigMap acts in its own namespace', async () => {
  const a0 = await deployWebapp(plane.c, 'team-a');
  const b0 = await deployWebapp(plane.c, 'team-b');
  const proxy = await plane.c.startProxy();
  const w = cmwatch(['--server', proxy.url, '-A', '--action', 'delete-pods']);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/configmaps/, 30_000);
  await setData(plane.c, 'team-a', 'webapp-config', 'a2');
  const a1 = await replaced(plane.c, 'team-a', 'app=webapp', a0);
  assert.deepEqual(await pods(plane.c, 'team-b', 'app=webapp'), b0, 'team-b untouched');
  await setData(plane.c, 'team-b', 'webapp-config', 'b2');
  await replaced(plane.c, 'team-b', 'app=webapp', b0);
  assert.deepEqual(await pods(plane.c, 'team-a', 'app=webapp'), a1, 'team-a untouched the second time');
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});

test('3. least privilege: a ServiceAccount token in kubectl proxy; a missing RoleBinding is reported and recovered from', async () => {
  const p0 = await deployWebapp(plane.c, 'lp');
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: cmwatch, namespace: lp}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cmwatch, namespace: lp}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [pods], verbs: [list, delete]}
`);
  const token = (await plane.c.kubectl(['create', 'token', 'cmwatch', '-n', 'lp', '--duration=1h'])).stdout.trim();
  const proxy = await plane.c.startProxy({ token });
  const w = cmwatch(['--server', proxy.url, '-n', 'lp', '--action', 'delete-pods']);
  const denied = await w.waitFor(/HTTP 403/, 30_000);
  console.log(`# without the binding: ${denied}`);
  assert.match(denied, /^error list http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/lp\/configmaps.*: HTTP 403 Forbidden: .*cannot list resource "configmaps"/);
  assert.match(denied, /hint: check RBAC: the identity needs "list" on configmaps/);
  assert.match(denied, /listing again in \d+s reason=http_403/);
  assert.equal(w.child.exitCode, null, 'still running');

  await plane.c.apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cmwatch, namespace: lp}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cmwatch}
subjects: [{kind: ServiceAccount, name: cmwatch, namespace: lp}]
`);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/namespaces\/lp\/configmaps/, 60_000);
  await sleep(500);
  await setData(plane.c, 'lp', 'webapp-config', 'least privilege');
  await replaced(plane.c, 'lp', 'app=webapp', p0);
  assert.equal(w.stderr.filter((l) => /deleted pod lp\//.test(l)).length, 2);
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});

test('4. kube-apiserver killed mid-watch and restarted: cmwatch reconnects and handles the next change exactly once', async () => {
  const p0 = await deployWebapp(plane.c, 'restart');
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-e2e-'));
  const script = join(dir, 'count.sh');
  writeFileSync(script, '#!/usr/bin/env bash\ncat >/dev/null\necho "$CMWATCH_RESOURCE_VERSION" >> "$OUT/runs"\n');
  chmodSync(script, 0o755);
  const proxy = await plane.c.startProxy();
  const w = cmwatch(['--server', proxy.url, '-n', 'restart', '--action', 'delete-pods', '--exec', script], { OUT: dir });
  await w.waitFor(/synced/, 30_000);
  await sleep(1000);
  await plane.c.killApiserver('SIGKILL');
  const outage = await w.waitFor(/^warn /, 30_000);
  console.log(`# outage logged as: ${outage}`);
  await plane.c.startApiserver();
  await setData(plane.c, 'restart', 'webapp-config', 'after restart');
  await replaced(plane.c, 'restart', 'app=webapp', p0);
  await eventually('one handler run', async () => existsSync(join(dir, 'runs')));
  await sleep(3000);
  const runs = readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n');
  assert.equal(runs.length, 1, `handled exactly once, got ${runs.length}`);
  assert.equal(w.stderr.filter((l) => /deleted pod restart\//.test(l)).length, 2);
  assert.equal(w.child.exitCode, null, 'no crash');
  assert.deepEqual(w.stderr.filter((l) => /^error /.test(l)), [], 'the outage is a warning, not an error');
  assert.ok(w.stderr.some((l) => /^warn .*(re-watching|listing again|relisting).* in \d/.test(l)), 'the outage is logged');
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});

test('5. bursts: 200 quick updates to one ConfigMap, and 100 ConfigMaps created at once', async () => {
  await ensureNamespace(plane.c, 'burst');
  await plane.c.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hot, namespace: burst}\ndata: {n: "0"}\n');
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-burst-'));
  const script = join(dir, 'record.sh');
  writeFileSync(script, '#!/usr/bin/env bash\nev=$(cat)\nsleep 0.2\necho "$CMWATCH_EVENT_TYPE $CMWATCH_NAME $(jq -r \'.object.data.n // ""\' <<<"$ev")" >> "$OUT/runs"\n');
  chmodSync(script, 0o755);
  const proxy = await plane.c.startProxy();
  const w = cmwatch(['--server', proxy.url, '-n', 'burst', '--on', 'ADDED,MODIFIED', '--exec', script, '-o', 'json'], { OUT: dir });
  await w.waitFor(/synced/, 30_000);
  await sleep(500);

  // 200 updates, back to back, straight to the API server.
  const t0 = Date.now();
  for (let i = 1; i <= 200; i++) {
    const r = await api(plane.c, 'PATCH', '/api/v1/namespaces/burst/configmaps/hot', { data: { n: String(i) } });
    assert.equal(r.status, 200);
  }
  console.log(`# 200 updates sent in ${Date.now() - t0} ms`);
  await eventually('the final state handled', async () => existsSync(join(dir, 'runs')) && / hot 200$/m.test(readFileSync(join(dir, 'runs'), 'utf8')), 60_000);

  // 100 creations at once.
  const created = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    api(plane.c, 'POST', '/api/v1/namespaces/burst/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { n: String(i) } })));
  assert.ok(created.every((r) => r.status === 201));
  await eventually('100 ADDED handled', async () => readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter((l) => l.startsWith('ADDED')).length === 100, 120_000);

  const runs = readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n');
  const hotRuns = runs.filter((l) => l.includes(' hot ')).length;
  const events = w.stdout.length;
  console.log(`# burst: ${events} events on stdout, ${hotRuns} handler runs for 200 updates of one ConfigMap (coalesced), ${runs.length - hotRuns} runs for 100 new ConfigMaps`);
  assert.equal(w.child.exitCode, null, 'no crash');
  assert.ok(hotRuns >= 1 && hotRuns <= 200);
  assert.equal(w.stdout.filter((l) => l.includes('"name":"hot"')).length, 200, 'every update seen once');
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});
