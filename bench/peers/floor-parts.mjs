// What the floor peers (floor.mjs, node-floor.mjs) share: the line loop, the
// batched log line and the stdout protocol of bench/peers/informer.mjs.

/** undici's response body split at '\n', each line JSON.parse'd and handed on; a line cut by a chunk's end waits for the next. */
export function eachEvent(body, onEvent) {
  let rest;
  body.on('data', (chunk) => {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = undefined;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const ev = JSON.parse(buf.toString('utf8', start, nl));
      start = nl + 1;
      onEvent(ev);
    }
    if (start < buf.length) rest = buf.subarray(start);
  });
}

/** A log line to stderr, batched as cmwatch batches: the lines of one burst go out in one write. */
export function batchedLog() {
  let pending = '';
  const flush = () => {
    process.stderr.write(pending);
    pending = '';
  };
  return (line) => {
    if (!pending) process.nextTick(flush);
    pending += line;
  };
}

/** stdout: "n COUNT" every 200 ms (MODIFIED events so far), "marker NAME COUNT" at the ADDED of a bench-end-* object. */
export function progress() {
  let updates = 0;
  setInterval(() => process.stdout.write(`n ${updates}\n`), 200).unref();
  return (type, name) => {
    if (type === 'MODIFIED') updates++;
    else if (type === 'ADDED' && name.startsWith('bench-end-')) process.stdout.write(`marker ${name} ${updates}\n`);
  };
}
