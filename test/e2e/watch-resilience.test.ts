/**
 * Watch resilience against the real control plane: an expiry produced by
 * etcd compaction and a restarted apiserver, and watches closed by the
 * server. The invariant: every change reaches cmwatch exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CliRun } from '../helpers/cli.js';
import { freePorts } from '../cluster/cluster.js';
import { api, planeFixture, startPlane, ensureNamespace, fixedProxy, eventually, sleep } from '../helpers/plane.js';

const plane = planeFixture();

function events(w: CliRun): Array<{ type: string; name: string; data?: Record<string, string> }> {
  return w.stdout.map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string }; data?: Record<string, string> } })
    .filter((e) => e.object.metadata.name !== 'kube-root-ca.crt')
    .map((e) => ({ type: e.type, name: e.object.metadata.name, data: e.object.data }));
}

test('a watch expired by etcd compaction is relisted, and the changes made meanwhile arrive once each', async () => {
  await ensureNamespace(plane.c, 'compact');
  const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
  for (const n of ['a', 'b', 'c']) assert.equal((await api(plane.c, 'POST', '/api/v1/namespaces/compact/configmaps', cm(n, '1'))).status, 201);

  const [port] = await freePorts(1);
  let proxy = await fixedProxy(plane.c, port!);
  const w = plane.cmwatch(['--server', proxy.url, '-n', 'compact', '--on', 'ADDED,MODIFIED,DELETED', '-o', 'json', '--log-level', 'debug']);
  await w.waitFor(/synced 4 object/, 30_000);
  await sleep(1000);
  await api(plane.c, 'PATCH', '/api/v1/namespaces/compact/configmaps/c', { data: { v: '2' } });
  await w.waitFor(/"name":"c"/, 30_000, 'stdout');

  // cmwatch loses its ambassador; meanwhile a is changed, b deleted, d created.
  await proxy.stop();
  await w.waitFor(/^warn /, 30_000);
  await api(plane.c, 'PATCH', '/api/v1/namespaces/compact/configmaps/a', { data: { v: '2' } });
  assert.equal((await api(plane.c, 'DELETE', '/api/v1/namespaces/compact/configmaps/b')).status, 200);
  await api(plane.c, 'POST', '/api/v1/namespaces/compact/configmaps', cm('d', '1'));
  // A fresh apiserver watch cache, and etcd history compacted: the old resource version is gone.
  await plane.c.killApiserver('SIGKILL');
  const rev = await plane.c.compactEtcd();
  await plane.c.startApiserver();
  proxy = await fixedProxy(plane.c, port!);

  const expired = await w.waitFor(/expired; relisting|HTTP 410/, 90_000);
  console.log(`# compacted etcd at revision ${rev}; cmwatch said: ${expired}`);
  await w.waitFor(/relisted \d+ object/, 60_000);
  await eventually('relist events', async () => events(w).length >= 4, 30_000);
  await sleep(1000);
  const got = events(w);
  assert.deepEqual(got[0], { type: 'MODIFIED', name: 'c', data: { v: '2' } });
  assert.deepEqual(got.slice(1).map((e) => `${e.type} ${e.name} ${e.data?.v ?? '-'}`).sort(), ['ADDED d 1', 'DELETED b -', 'MODIFIED a 2']);
  assert.equal(got.length, 4, 'unchanged c is not repeated');
  const relisted = w.stdout.map((l) => JSON.parse(l)).find((e) => e.object.metadata.name === 'a');
  assert.equal(relisted.object.kind, 'ConfigMap', 'a listed object carries its kind, like a watched one');
  assert.equal(relisted.object.apiVersion, 'v1');

  // And the watch works again afterwards.
  await api(plane.c, 'PATCH', '/api/v1/namespaces/compact/configmaps/d', { data: { v: '2' } });
  await eventually('MODIFIED d', async () => events(w).some((e) => e.type === 'MODIFIED' && e.name === 'd'), 30_000);
  assert.equal(events(w).length, 5, 'nothing twice');
  assert.equal(await w.stop('SIGTERM'), 0);
  await proxy.stop();
});

test('watches closed by the apiserver after a short --min-request-timeout are resumed with no relist, and nothing is lost', async () => {
  // A plane of its own: every watch that asks no timeoutSeconds is closed after 2–4 s.
  const p = await startPlane({ minRequestTimeout: 2 });
  try {
    await ensureNamespace(p, 'mrt');
    const proxy = await p.startProxy();
    const w = plane.cmwatch(['--server', proxy.url, '-n', 'mrt', '--watch-timeout', '0', '--on', 'ADDED,MODIFIED,DELETED', '-o', 'json', '--log-level', 'debug']);
      await w.waitFor(/synced \d+ object/, 30_000);
    await sleep(500);
    assert.equal((await api(p, 'POST', '/api/v1/namespaces/mrt/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { n: '0' } })).status, 201);
    // Changes spread over ~13 s, across several server-side closes.
    for (let i = 1; i <= 12; i++) {
      await sleep(1100);
      assert.equal((await api(p, 'PATCH', '/api/v1/namespaces/mrt/configmaps/x', { data: { n: String(i) } })).status, 200);
    }
    assert.equal((await api(p, 'DELETE', '/api/v1/namespaces/mrt/configmaps/x')).status, 200);
    await eventually('the deletion', async () => events(w).some((e) => e.type === 'DELETED'), 30_000);
    await sleep(1000);
    const got = events(w).map((e) => `${e.type} ${e.data?.n ?? '-'}`);
    const closes = w.stderr.filter((l) => /ended \(server timeout or EOF\); re-watching/.test(l)).length;
    console.log(`# ${closes} watches closed by the server; ${got.length} events: ${got.join(', ')}`);
    assert.ok(closes >= 2, `the server closed the watch several times (${closes})`);
    assert.deepEqual(got, ['ADDED 0', ...Array.from({ length: 12 }, (_, i) => `MODIFIED ${i + 1}`), 'DELETED 12'], 'every change once, in order');
    assert.ok(!w.stderr.some((l) => /relisted|expired/.test(l)), 'no relist');
    assert.ok(!w.stderr.some((l) => /^(warn|error) /.test(l)), 'a server-side close is routine, not a warning');
    assert.equal(await w.stop('SIGTERM'), 0);
    await proxy.stop();
  } finally {
    await p.stop();
  }
});
