// A minimal Node watcher for cmwatch's job on the real control plane (issue
// #18, steady RSS against kubectl): a Node program that does what cmwatch
// does for ConfigMaps and nothing else, so that cmwatch's number can be told
// apart from what Node with the same parts holds. It loads the two undici
// files cmwatch loads (the Agent and the promise request), talks TLS to the
// API with the cluster's CA and a bearer token (no kubeconfig parser), lists
// the namespace in pages of 500, watches from the list's version, keeps
// cmwatch's record per key (the resource version and the whole content
// digest, from dist/src: the same functions, not a copy; a flat copy of a new
// key; an equal digest left in place) and writes one log line per event to
// stderr, batched. It runs with cmwatch's own V8 settings and idle
// collection (dist/src/ops), started as the npm bin starts cmwatch (no node
// flags). No checks, no retries, no resume: any failure exits non-zero.
//
// env: BENCH_SERVER (https URL), BENCH_CA_FILE, BENCH_TOKEN, BENCH_NAMESPACE.
// stdout, as bench/peers/informer.mjs: "synced N" after the list, "n COUNT"
// every 200 ms (MODIFIED events so far), "marker NAME COUNT" at the ADDED of
// an object named bench-end-*.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { contentCheck } from './content-check.mjs';
import { batchedLog, eachEvent, progress } from './floor-parts.mjs';

const root = new URL('../../', import.meta.url);
const [{ applyV8Defaults }, { startIdleCollection }] = await Promise.all([
  import(new URL('dist/src/ops/v8-defaults.js', root).href),
  import(new URL('dist/src/ops/idle-gc.js', root).href),
]);
applyV8Defaults();
startIdleCollection();

const require = createRequire(new URL('package.json', root));
const Agent = require('undici/lib/dispatcher/agent.js');
const apiRequest = require('undici/lib/api/api-request.js');
const { digestOf, selectorAnnotation } = await contentCheck();

const server = process.env.BENCH_SERVER;
const namespace = process.env.BENCH_NAMESPACE ?? 'bench';
const agent = new Agent({ connect: { ca: readFileSync(process.env.BENCH_CA_FILE) } });
const headers = { authorization: `Bearer ${process.env.BENCH_TOKEN}` };
const get = (path) => apiRequest.call(agent, { origin: server, path, method: 'GET', headers });

const known = new Map();
const log = batchedLog();
/** Records an object as cmwatch's change detector does; returns its key. */
function remember(obj) {
  const meta = obj.metadata;
  const key = `${meta.namespace}/${meta.name}`;
  const digest = digestOf(obj);
  const k = known.get(key);
  if (k) {
    k.rv = meta.resourceVersion;
    if (k.digest !== digest) k.digest = digest;
  } else known.set(Buffer.from(key).toString(), { rv: meta.resourceVersion, digest });
  return key;
}

const base = `/api/v1/namespaces/${namespace}/configmaps`;
let cont = '';
let rv = '';
do {
  const { statusCode, body } = await get(`${base}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
  if (statusCode !== 200) throw new Error(`list ${base}: HTTP ${statusCode}`);
  const list = await body.json();
  for (const obj of list.items) remember(obj);
  cont = list.metadata.continue ?? '';
  rv = list.metadata.resourceVersion;
} while (cont);
process.stdout.write(`synced ${known.size}\n`);
const seen = progress();

const { statusCode, body } = await get(`${base}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`);
if (statusCode !== 200) throw new Error(`watch ${base}: HTTP ${statusCode}`);
body.on('error', (err) => {
  process.stderr.write(`node-floor: the watch broke: ${err.message}\n`);
  process.exit(1);
});
eachEvent(body, (ev) => {
  if (ev.type === 'BOOKMARK') return;
  const obj = ev.object;
  const key = remember(obj);
  log(`${ev.type} ${key} selector=${obj.metadata.annotations?.[selectorAnnotation] ?? ''}\n`);
  seen(ev.type, obj.metadata.name);
});
body.on('end', () => {
  process.stderr.write('node-floor: the watch ended\n');
  process.exit(1);
});
