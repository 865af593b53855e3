// Smoke test of the real control plane in test/cluster (etcd + kube-apiserver +
// kube-controller-manager v1.36.3). Run: npm run test:e2e, or
//   npx tsc -p tsconfig.json && node --test dist/test/e2e/cluster.test.js

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import { startCluster, binDir, K8S_VERSION, type Cluster } from '../cluster/cluster.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out: ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(300);
  }
}

function pgrep(pattern: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-af', pattern], (_e, stdout) => resolve(stdout.trim()));
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

interface Item {
  metadata: { name: string; uid: string; ownerReferences?: { kind: string; name: string }[] };
  status?: { phase?: string };
}

let c: Cluster;
let startSeconds = 0;

before(async () => {
  await binDir(); // build or cache check, not part of the start time
  const t0 = Date.now();
  c = await startCluster({ removeDir: true });
  startSeconds = (Date.now() - t0) / 1000;
  console.log(`# cluster up in ${startSeconds.toFixed(1)} s: ${c.server} dir ${c.dir}`);
});

after(async () => {
  await c?.stop();
});

test('/version reports the built Kubernetes version', async () => {
  const r = await c.kubectl(['get', '--raw', '/version']);
  assert.equal(JSON.parse(r.stdout).gitVersion, K8S_VERSION);
});

test('Deployment -> ReplicaSet -> 2 Pending pods; a deleted pod is replaced', async () => {
  await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  const rs = await eventually('a ReplicaSet for web', async () => {
    const items = JSON.parse((await c.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'json'])).stdout).items as Item[];
    return items.length === 1 ? items[0] : undefined;
  });
  assert.equal(rs!.metadata.ownerReferences?.[0]?.kind, 'Deployment');
  const listPods = async () => JSON.parse((await c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout).items as Item[];
  const pods = await eventually('2 pods', async () => {
    const p = await listPods();
    return p.length === 2 ? p : undefined;
  });
  for (const p of pods) {
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.metadata.ownerReferences?.[0]?.name, rs!.metadata.name);
  }
  const victim = pods[0]!;
  await c.kubectl(['delete', 'pod', victim.metadata.name, '--wait=true']);
  const after2 = await eventually('a replacement pod', async () => {
    const p = await listPods();
    return p.length === 2 && p.every((x) => x.metadata.uid !== victim.metadata.uid) ? p : undefined;
  });
  const uids = new Set(after2.map((p) => p.metadata.uid));
  assert.ok(uids.has(pods[1]!.metadata.uid), 'the other pod is untouched');
});

let saToken = '';

test('kubectl create token: the ServiceAccount token authenticates (403, not 401)', async () => {
  saToken = (await c.kubectl(['create', 'token', 'default'])).stdout.trim();
  assert.match(saToken, /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  const kc = await c.kubeconfigFor(saToken);
  const who = await c.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kc });
  assert.equal(JSON.parse(who.stdout).status.userInfo.username, 'system:serviceaccount:default:default');
  const list = await c.kubectl(['get', 'pods'], { kubeconfig: kc, allowFail: true });
  assert.notEqual(list.code, 0);
  assert.match(list.stderr, /forbidden/i);
  const bad = await c.kubectl(['get', 'pods'], { kubeconfig: await c.kubeconfigFor('not-a-token'), allowFail: true });
  assert.match(bad.stderr, /Unauthorized|provide credentials/i);
});

test('kill -9 the apiserver, restart it on the same port and etcd', async () => {
  const before = c.pids().apiserver;
  await c.killApiserver();
  assert.equal(c.pids().apiserver, undefined);
  const down = await c.kubectl(['get', '--raw', '/readyz', '--request-timeout=3s'], { allowFail: true });
  assert.notEqual(down.code, 0);
  const t0 = Date.now();
  await c.startApiserver();
  console.log(`# apiserver restart: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.notEqual(c.pids().apiserver, before);
  assert.equal((await c.kubectl(['get', '--raw', '/readyz'])).stdout.trim(), 'ok');
  const names = (await c.kubectl(['get', 'deploy', '-o', 'name'])).stdout.trim();
  assert.equal(names, 'deployment.apps/web', 'state survived in etcd');
});

test('kubectl proxy (admin and with a ServiceAccount token)', async () => {
  const p = await c.startProxy();
  try {
    const r = await httpGet(`${p.url}/api/v1/namespaces`);
    assert.equal(r.status, 200);
    const names = (JSON.parse(r.body).items as Item[]).map((n) => n.metadata.name);
    assert.ok(names.includes('default') && names.includes('kube-system'), names.join(','));
  } finally {
    await p.stop();
  }
  const q = await c.startProxy({ token: saToken });
  try {
    const r = await httpGet(`${q.url}/api/v1/namespaces`);
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).reason, 'Forbidden');
  } finally {
    await q.stop();
  }
});

test('compactEtcd compacts etcd history at the current revision', async () => {
  const rev = await c.compactEtcd();
  assert.ok(rev > 1);
  const key = Buffer.from('/registry/namespaces/default').toString('base64');
  const res = await fetch(`${c.etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key, revision: rev - 1 }),
  });
  const body = await res.text();
  assert.match(body, /compacted/, `a read below the compacted revision fails: ${res.status} ${body}`);
});

test('after compaction and an apiserver restart, a watch from an old resourceVersion gets an in-stream 410', async () => {
  await c.kubectl(['create', 'configmap', 'old', '--from-literal=v=0']);
  const rv = (await c.kubectl(['get', 'cm', 'old', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
  await c.kubectl(['label', 'cm', 'old', 'bump=1']);
  await c.compactEtcd();
  // A warm watch cache still serves the old resourceVersion; a fresh one cannot.
  await c.killApiserver();
  await c.startApiserver();
  const r = await c.kubectl(['get', '--raw', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=5`]);
  const ev = JSON.parse(r.stdout.trim().split('\n')[0]!);
  assert.equal(ev.type, 'ERROR');
  assert.equal(ev.object.code, 410);
  assert.equal(ev.object.reason, 'Expired');
  assert.match(ev.object.message, /too old resource version/);
});

test('stop() leaves no process of this cluster behind', async () => {
  const dir = c.dir;
  assert.ok((await pgrep(dir)).length > 0, 'processes are found by their dir while up');
  await c.stop();
  assert.equal(await pgrep(dir), '', 'no etcd/kube-apiserver/kube-controller-manager with this dir remains');
  const p = c.pids();
  assert.deepEqual([p.etcd, p.apiserver, p.controllerManager], [undefined, undefined, undefined]);
});

test('a failed start throws with the component log tail and cleans up', async () => {
  let dir = '';
  await assert.rejects(startCluster({ apiserverArgs: ['--no-such-flag=1'], removeDir: true }), (e: Error) => {
    assert.match(e.message, /kube-apiserver exited/);
    assert.match(e.message, /unknown flag: --no-such-flag/);
    dir = /\(cluster dir: (.+)\)$/.exec(e.message)?.[1] ?? '';
    return true;
  });
  assert.ok(dir);
  assert.equal(await pgrep(dir), '', 'etcd of the failed start was stopped');
});
