// The floor of cmwatch's event path, for the throughput table (issue #18):
// what any program that watches ConfigMaps through undici and detects
// content changes the way cmwatch does must spend per event, and nothing
// else. undici's request body, split into lines at '\n', JSON.parse of each
// line, cmwatch's own content text and SHA-256 fingerprint (dist/src: the
// same functions, not a copy), one record per key, and the one log line per
// event cmwatch prints at its default level, batched to stderr as cmwatch
// batches it. No shape checks, no resume point, no queue, no backpressure.
// BENCH_CONTENT_HASH=0: the same without the content text and hash (the
// record per key is still kept). It watches from the bench server's list
// version without listing: the measured window starts at the watch anyway.
//
// env: BENCH_SERVER (the bench server's http URL), BENCH_NAMESPACE.
// stdout, as bench/peers/informer.mjs: "synced 0" once the watch answered,
// "n COUNT" every 200 ms (MODIFIED events so far), "marker NAME COUNT" at the
// ADDED of an object named bench-end-*.
import { contentCheck } from './content-check.mjs';
import { batchedLog, eachEvent, progress } from './floor-parts.mjs';

const { request } = await import(new URL('../../node_modules/undici/index.js', import.meta.url).href);
const { hashOf, selectorAnnotation } = await contentCheck();

const namespace = process.env.BENCH_NAMESPACE ?? 'bench';
const hashing = process.env.BENCH_CONTENT_HASH !== '0';
const known = new Map();
const log = batchedLog();

const url = `${process.env.BENCH_SERVER}/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=1000&allowWatchBookmarks=true`;
const { body } = await request(url);
process.stdout.write('synced 0\n');
const seen = progress();
eachEvent(body, (ev) => {
  const obj = ev.object;
  const meta = obj.metadata;
  const key = `${meta.namespace}/${meta.name}`;
  const hash = hashing ? hashOf(obj) : '';
  const k = known.get(key);
  if (k) {
    k.rv = meta.resourceVersion;
    k.hash = hash;
  } else known.set(key, { rv: meta.resourceVersion, hash });
  log(`${ev.type} ${key} selector=${meta.annotations?.[selectorAnnotation] ?? ''}\n`);
  seen(ev.type, meta.name);
});
body.on('end', () => process.exit(0));
