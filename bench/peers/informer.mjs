// The @kubernetes/client-node peer: what a user would write instead of
// cmwatch, an informer on the ConfigMaps of one namespace with an update
// callback, or on a custom resource through the generic CustomObjectsApi
// (BENCH_RESOURCE=widgets: widgets.bench.example.com/v1). Plain JavaScript so
// the root build never needs bench's node_modules.
//
// env: BENCH_SERVER (an http URL, no credentials) or BENCH_KUBECONFIG; BENCH_NAMESPACE; BENCH_RESOURCE (configmaps, widgets).
// stdout: "synced N" after the list, "n COUNT" every 200 ms (updates so far),
// "marker NAME COUNT" when an object named bench-end-* is added.
import * as k8s from '@kubernetes/client-node';

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
} else {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => api.listNamespacedConfigMap({ namespace }));
}

let updates = 0;
informer.on('update', () => {
  updates++;
});
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
