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

const { request } = await import(new URL('../../node_modules/undici/index.js', import.meta.url).href);
const { hashOf, selectorAnnotation } = await contentCheck();

const namespace = process.env.BENCH_NAMESPACE ?? 'bench';
const hashing = process.env.BENCH_CONTENT_HASH !== '0';
const known = new Map();
let updates = 0;
let pending = '';
const flush = () => {
  process.stderr.write(pending);
  pending = '';
};

const url = `${process.env.BENCH_SERVER}/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=1000&allowWatchBookmarks=true`;
const { body } = await request(url);
process.stdout.write('synced 0\n');
setInterval(() => process.stdout.write(`n ${updates}\n`), 200).unref();
let rest;
body.on('data', (chunk) => {
  const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
  rest = undefined;
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
    const ev = JSON.parse(buf.toString('utf8', start, nl));
    start = nl + 1;
    const obj = ev.object;
    const meta = obj.metadata;
    const key = `${meta.namespace}/${meta.name}`;
    const hash = hashing ? hashOf(obj) : '';
    const k = known.get(key);
    if (k) {
      k.rv = meta.resourceVersion;
      k.hash = hash;
    } else known.set(key, { rv: meta.resourceVersion, hash });
    if (!pending) process.nextTick(flush);
    pending += `${ev.type} ${key} selector=${meta.annotations?.[selectorAnnotation] ?? ''}\n`;
    if (ev.type === 'MODIFIED') updates++;
    else if (ev.type === 'ADDED' && meta.name.startsWith('bench-end-')) process.stdout.write(`marker ${meta.name} ${updates}\n`);
  }
  if (start < buf.length) rest = buf.subarray(start);
});
body.on('end', () => process.exit(0));
