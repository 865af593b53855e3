/**
 * The book's examples against the real control plane: the expose-controller
 * handler (examples/expose-controller/expose.sh) run directly, as cmwatch
 * runs it for one event (the contract's stdin and environment, the Service
 * as the API returns it, a real `kubectl proxy` as CMWATCH_SERVER), and the
 * operator's sample ConfigWatcher (examples/operator/) against its CRD.
 * Test names start with "expose.sh direct:" so that a through-cmwatch
 * variant ("expose.sh via cmwatch svc: ...") can sit next to each.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planeFixture, ensureNamespace } from '../helpers/plane.js';
import { ROOT } from '../helpers/cli.js';
import { runHandler } from '../helpers/run-handler.js';
import { startInterceptingProxy, status } from '../helpers/intercepting-proxy.js';
import { freePorts, type Proxy } from '../cluster/cluster.js';
import type { EventType, K8sObject } from '../../src/api/types.js';

const EXPOSE = join(ROOT, 'examples', 'expose-controller', 'expose.sh');
const NS = 'expose';
const plane = planeFixture();
let proxy: Proxy | undefined;
after(async () => {
  await proxy?.stop();
});

/** The namespace and one kubectl proxy for the file, made by its first test (top-level hooks of one file may not run in order on Node 20). */
async function proxyUrl(): Promise<string> {
  if (!proxy) {
    await ensureNamespace(plane.c, NS);
    proxy = await plane.c.startProxy();
  }
  return proxy.url;
}

/** A Service as `kubectl get svc -o json` returns it (kind and apiVersion included, as in a watch event). */
async function service(name: string, ns = NS): Promise<K8sObject> {
  return JSON.parse((await plane.c.kubectl(['get', 'svc', name, '-n', ns, '-o', 'json'])).stdout) as K8sObject;
}

async function applyService(name: string, annotations: Record<string, string>, ports: Array<{ name: string; port: number }> = [{ name: 'http', port: 80 }]): Promise<K8sObject> {
  await plane.c.apply(JSON.stringify({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: NS, annotations },
    spec: { selector: { app: name }, ports },
  }));
  return service(name);
}

interface IngressJson {
  metadata: { uid: string; resourceVersion: string };
  spec: { rules: Array<{ http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { number?: number; name?: string } } } }> } }> };
}

async function ingress(name: string): Promise<IngressJson | undefined> {
  const r = await plane.c.kubectl(['get', 'ingress', name, '-n', NS, '-o', 'json'], { allowFail: true });
  if (r.code !== 0) {
    assert.match(r.stderr, /NotFound/, `kubectl get ingress ${name}: ${r.stderr}`);
    return undefined;
  }
  return JSON.parse(r.stdout) as IngressJson;
}

async function ingressNames(): Promise<string[]> {
  const r = await plane.c.kubectl(['get', 'ingress', '-n', NS, '-o', 'json']);
  return (JSON.parse(r.stdout) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name).sort();
}

const expose = async (type: EventType, svc: K8sObject, server?: string) => runHandler(EXPOSE, type, svc, server ?? await proxyUrl());

test('expose.sh direct: ADDED of the annotated sample Service (service.yaml) creates its Ingress: one rule, the path, Prefix, the Service on its first port', async () => {
  await proxyUrl();
  await plane.c.kubectl(['apply', '-n', NS, '-f', join(ROOT, 'examples', 'expose-controller', 'service.yaml')]);
  const r = await expose('ADDED', await service('webapp'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^created ingress expose\/webapp: path \/webapp -> service webapp port 80$/m);
  assert.equal(r.stderr, '');
  const ing = await ingress('webapp');
  assert.ok(ing, 'the Ingress exists');
  assert.equal(ing.spec.rules.length, 1);
  assert.deepEqual(ing.spec.rules[0]!.http.paths, [{ path: '/webapp', pathType: 'Prefix', backend: { service: { name: 'webapp', port: { number: 80 } } } }]);

  // A Service with two ports: the first one is the backend.
  const two = await applyService('shop', { expose: '/shop/' }, [{ name: 'web', port: 8080 }, { name: 'admin', port: 9090 }]);
  const r2 = await expose('ADDED', two);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual((await ingress('shop'))?.spec.rules[0]!.http.paths[0]!.backend, { service: { name: 'shop', port: { number: 8080 } } });
});

test('expose.sh direct: an unannotated Service, or a ConfigMap with the annotation, gets no Ingress (exit 0, one line)', async () => {
  const svc = await applyService('plain', { other: 'x' });
  const r = await expose('ADDED', svc);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'no expose annotation on service expose/plain; nothing to do\n');
  assert.equal(await ingress('plain'), undefined);

  // Run on a ConfigMap (cmwatch's default resource) that carries the annotation: not a Service, nothing done.
  await plane.c.apply(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notsvc, namespace: ${NS}, annotations: {expose: /notsvc}}\n`);
  const cm = JSON.parse((await plane.c.kubectl(['get', 'configmap', 'notsvc', '-n', NS, '-o', 'json'])).stdout) as K8sObject;
  const r2 = await expose('ADDED', cm);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(r2.stdout, 'expose/notsvc is a ConfigMap, not a Service; nothing to do (run it with: cmwatch svc ...)\n');
  assert.equal(await ingress('notsvc'), undefined);
});

test('expose.sh direct: run twice for the same ADDED, the second run skips the existing Ingress (exit 0, nothing created or changed)', async () => {
  const svc = await applyService('twice', { expose: '/twice' });
  const first = await expose('ADDED', svc);
  assert.equal(first.code, 0, first.stderr);
  const created = await ingress('twice');
  assert.ok(created);
  const names = await ingressNames();
  const second = await expose('ADDED', svc);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, 'ingress expose/twice already exists; skipping\n');
  const again = await ingress('twice');
  assert.equal(again?.metadata.uid, created.metadata.uid, 'the same Ingress');
  assert.equal(again?.metadata.resourceVersion, created.metadata.resourceVersion, 'not written again');
  assert.deepEqual(await ingressNames(), names, 'no other Ingress');
});

test('expose.sh direct: MODIFIED, DELETED and SYNC of an annotated Service do nothing (exit 0, no output)', async () => {
  const svc = await applyService('later', { expose: '/later' });
  for (const type of ['MODIFIED', 'DELETED', 'SYNC'] as const) {
    const r = await expose(type, svc);
    assert.equal(r.code, 0, `${type}: ${r.stderr}`);
    assert.equal(r.stdout + r.stderr, '', type);
  }
  assert.equal(await ingress('later'), undefined);
});

test('expose.sh direct: the race, an Ingress created between the GET and the POST: the POST gets the real 409 AlreadyExists, exit 0', async () => {
  const svc = await applyService('racy', { expose: '/racy' });
  await plane.c.apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: racy, namespace: ${NS}}
spec:
  rules:
  - http:
      paths:
      - {path: /other, pathType: Prefix, backend: {service: {name: racy, port: {number: 80}}}}
`);
  const before1 = await ingress('racy');
  // The GET answers 404 as if the Ingress were not there yet; the POST reaches the real API server.
  const relay = await startInterceptingProxy(await proxyUrl(), (method, path) =>
    method === 'GET' && path === `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/racy` ? status(404, 'NotFound', 'ingresses.networking.k8s.io "racy" not found') : undefined);
  try {
    const r = await expose('ADDED', svc, relay.url);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ingress expose/racy already exists (created meanwhile); skipping\n');
    assert.deepEqual(relay.requests, [`GET /apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/racy`, `POST /apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`]);
  } finally {
    await relay.stop();
  }
  assert.equal((await ingress('racy'))?.metadata.resourceVersion, before1?.metadata.resourceVersion, 'the existing Ingress is left alone');
});

test('expose.sh direct: failures exit non-zero with one clear line: 422 (bad path) and 403 (RBAC) exit 1, 503 and an unreachable API exit 75', async () => {
  const bad = await applyService('badpath', { expose: 'no-slash' });
  const r422 = await expose('ADDED', bad);
  assert.equal(r422.code, 1);
  assert.match(r422.stderr, /^expose: POST http:\/\/127\.0\.0\.1:\d+\/apis\/networking\.k8s\.io\/v1\/namespaces\/expose\/ingresses: HTTP 422: .*must be an absolute path\n$/);
  assert.equal(await ingress('badpath'), undefined);

  // A proxy whose identity may get Ingresses but not create them.
  const svc = await applyService('denied', { expose: '/denied' });
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: ${NS}}
rules:
- {apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: reader, namespace: ${NS}}]
`);
  const token = (await plane.c.kubectl(['create', 'token', 'reader', '-n', NS, '--duration=1h'])).stdout.trim();
  const reader = await plane.c.startProxy({ token });
  try {
    const r403 = await expose('ADDED', svc, reader.url);
    assert.equal(r403.code, 1);
    assert.match(r403.stderr, /^expose: POST .*\/namespaces\/expose\/ingresses: HTTP 403: .*cannot create resource "ingresses"/);
  } finally {
    await reader.stop();
  }

  const unavailable = await startInterceptingProxy(await proxyUrl(), () => status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'));
  try {
    const r503 = await expose('ADDED', svc, unavailable.url);
    assert.equal(r503.code, 75);
    assert.match(r503.stderr, /^expose: GET .*\/ingresses\/denied: HTTP 503: the server is currently unable to handle the request\n$/);
  } finally {
    await unavailable.stop();
  }

  const [closed] = await freePorts(1);
  const down = await expose('ADDED', svc, `http://127.0.0.1:${closed}`);
  assert.equal(down.code, 75);
  assert.match(down.stderr, new RegExp(`^expose: GET http://127\\.0\\.0\\.1:${closed}/apis/networking\\.k8s\\.io/v1/namespaces/expose/ingresses/denied: curl: \\(7\\) `));
  assert.equal(await ingress('denied'), undefined);
});

test('operator sample: configwatcher.yaml validates against crd.yaml on the server, applies, and kubectl get cw shows its columns; a CR without podSelector is refused', async () => {
  await proxyUrl();
  const dir = join(ROOT, 'examples', 'operator');
  await plane.c.kubectl(['apply', '-f', join(dir, 'crd.yaml')]);
  await plane.c.kubectl(['wait', '--for=condition=Established', 'crd/configwatchers.k8spatterns.com', '--timeout=60s']);
  const cr = join(dir, 'configwatcher.yaml');
  const dry = await plane.c.kubectl(['apply', '--dry-run=server', '-n', NS, '-f', cr]);
  assert.match(dry.stdout, /configwatcher\.k8spatterns\.com\/webapp created \(server dry run\)/);
  await plane.c.kubectl(['apply', '-n', NS, '-f', cr]);
  const got = JSON.parse((await plane.c.kubectl(['get', 'configwatchers.k8spatterns.com', 'webapp', '-n', NS, '-o', 'json'])).stdout) as { spec: unknown };
  assert.deepEqual(got.spec, { configMap: 'webapp-config', podSelector: { app: 'webapp' } });
  const table = (await plane.c.kubectl(['get', 'cw', '-n', NS])).stdout;
  // The book's columns, then the operator's status columns (empty until config-watcher.sh writes status).
  assert.match(table, /^NAME\s+CONFIGMAP\s+PODSELECTOR\s+RESTARTED\s+LAST-RESTART\s+READY\n/);
  assert.match(table, /^webapp\s+webapp-config\s+\{"app":"webapp"\}\s*$/m);

  const invalid = readFileSync(cr, 'utf8').replace(/\n {2}podSelector:\n {4}app: webapp\n/, '\n').replace('name: webapp', 'name: no-selector');
  assert.ok(!invalid.includes('podSelector'), 'the sample changed: fix this test\'s edit');
  const refused = await plane.c.kubectl(['apply', '--dry-run=server', '-n', NS, '-f', '-'], { input: invalid, allowFail: true });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /spec\.podSelector: Required value/);
});

test('expose.sh via cmwatch svc: as its header runs it (--handler-proxy, --on ADDED): an annotated Service gets its Ingress, an unannotated one none; a restarted cmwatch creates nothing twice', async () => {
  const ns = 'expose-live';
  await ensureNamespace(plane.c, ns);
  const header = readFileSync(EXPOSE, 'utf8').split('\n').find((l) => /^#\s+cmwatch svc .*--handler-proxy/.test(l))!;
  // The header's command, with the test's kubeconfig and namespace: `cmwatch svc -n default --handler-proxy --exec … --on ADDED`.
  const args = header.replace(/^#\s+cmwatch\s+/, '').split(/\s+/).map((a) => (a === './examples/expose-controller/expose.sh' ? EXPOSE : a === 'default' ? ns : a));
  assert.deepEqual(args.filter((a) => a.startsWith('-')), ['-n', '--handler-proxy', '--exec', '--on']);
  const start = () => plane.cmwatch([...args, '--kubeconfig', plane.c.kubeconfig]);
  const ingressesOf = async () => JSON.parse((await plane.c.kubectl(['get', 'ingress', '-n', ns, '-o', 'json'])).stdout).items as Array<{ metadata: { name: string; uid: string } }>;
  const w = start();
  await w.waitFor(/synced \d+ object/, 30_000);
  await plane.c.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: ns, annotations: { expose: '/shop' } }, spec: { selector: { app: 'shop' }, ports: [{ port: 8080 }] } }));
  await plane.c.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'internal', namespace: ns }, spec: { selector: { app: 'internal' }, ports: [{ port: 80 }] } }));
  await w.waitFor(/created ingress expose-live\/shop: path \/shop -> service shop port 8080/, 30_000);
  await w.waitFor(/\[expose\.sh expose-live\/internal\] (ok|exit 0)/, 30_000);
  const first = await ingressesOf();
  assert.deepEqual(first.map((i) => i.metadata.name), ['shop'], 'only the annotated Service is exposed');
  assert.equal(await w.stop(), 0);

  // Restarted: the Services are the baseline (SYNC), not ADDED; nothing is created again.
  const again = start();
  await again.waitFor(/synced \d+ object/, 30_000);
  await plane.c.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: ns, annotations: { expose: '/late' } }, spec: { selector: { app: 'late' }, ports: [{ port: 80 }] } }));
  await again.waitFor(/created ingress expose-live\/late/, 30_000);
  const after = await ingressesOf();
  assert.deepEqual(after.map((i) => i.metadata.name).sort(), ['late', 'shop']);
  assert.equal(after.find((i) => i.metadata.name === 'shop')!.metadata.uid, first[0]!.metadata.uid, 'the first Ingress was not re-created');
  assert.equal(again.stderr.filter((l) => /created ingress expose-live\/shop/.test(l)).length, 0);
  assert.equal(await again.stop(), 0);
});
