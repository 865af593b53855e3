// The @kubernetes/client-node peer: what a user would write instead of
// cmwatch, an informer on the ConfigMaps of one namespace with an update
// callback, or on a custom resource through the generic CustomObjectsApi
// (BENCH_RESOURCE=widgets: widgets.bench.example.com/v1). Plain JavaScript so
// the root build never needs bench's node_modules.
//
// env: BENCH_SERVER (an http URL, no credentials) or BENCH_KUBECONFIG; BENCH_NAMESPACE; BENCH_RESOURCE (configmaps, widgets);
// BENCH_ALL_NAMESPACES=1: the ConfigMaps of all namespaces (/api/v1/configmaps).
// stdout: "listed N" once each list (the first, or a relist) is in the informer's cache,
// "synced N" after the first list, "n COUNT" every 200 ms (updates so far),
// "marker NAME COUNT" when an object named bench-end-* is added.
// BENCH_CONTENT_HASH=1: each update also gets the content check cmwatch makes
// (its own content text and SHA-256 fingerprint from dist/src, compared with
// the one kept for the key), as an informer controller that acts only on a
// change of data would need: the update callback is given the new object only.
import * as k8s from '@kubernetes/client-node';
import { contentCheck } from './content-check.mjs';

const namespace = process.env.BENCH_NAMESPACE ?? 'bench';
const kc = new k8s.KubeConfig();
if (process.env.BENCH_KUBECONFIG) {
  kc.loadFromFile(process.env.BENCH_KUBECONFIG);
} else {
  // client-node refuses a plain http:// server unless TLS verification is "skipped" (there is no TLS to verify).
  kc.loadFromClusterAndUser({ name: 'bench', server: process.env.BENCH_SERVER, skipTLSVerify: true }, { name: 'bench' });
}
const widgets = process.env.BENCH_RESOURCE === 'widgets';
let informer;
if (widgets) {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const cr = { group: 'bench.example.com', version: 'v1', namespace, plural: 'widgets' };
  informer = k8s.makeInformer(kc, `/apis/${cr.group}/${cr.version}/namespaces/${namespace}/${cr.plural}`, () => api.listNamespacedCustomObject(cr));
} else if (process.env.BENCH_ALL_NAMESPACES === '1') {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  informer = k8s.makeInformer(kc, '/api/v1/configmaps', () => listed(api.listConfigMapForAllNamespaces()));
} else {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => listed(api.listNamespacedConfigMap({ namespace })));
}

// The informer adds a list's items synchronously once its list function resolves: a setImmediate runs after that.
async function listed(p) {
  const list = await p;
  setImmediate(() => process.stdout.write(`listed ${list.items?.length ?? 0}\n`));
  return list;
}

let updates = 0;
if (process.env.BENCH_CONTENT_HASH === '1') {
  const { hashOf } = await contentCheck();
  const hashes = new Map();
  informer.on('update', (obj) => {
    updates++;
    const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const hash = hashOf(obj);
    if (hashes.get(key) !== hash) hashes.set(key, hash); // a controller would act here
  });
} else {
  informer.on('update', () => {
    updates++;
  });
}
informer.on('add', (obj) => {
  const name = obj.metadata?.name ?? '';
  if (name.startsWith('bench-end-')) process.stdout.write(`marker ${name} ${updates}\n`);
});
informer.on('error', (err) => {
  process.stdout.write(`error ${String(err?.message ?? err)}\n`);
  setTimeout(() => informer.start().catch(() => {}), 1000);
});
await informer.start();
process.stdout.write(`synced ${informer.list().length}\n`);
setInterval(() => process.stdout.write(`n ${updates}\n`), 200);
