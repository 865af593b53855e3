/**
 * The slow reader (issue 11): 200,000 events stream while stdout is read at
 * 100 lines/s for a while, then fast. cmwatch must stop reading the watch
 * while the pipe is full (backpressure) rather than buffer the stream:
 * - the server cannot send much more than the reader took during the slow
 *   window (the pressure reaches it through TCP);
 * - the peak memory stays within 1.5x of a fast reader's run of the same
 *   stream, and within 1.5x of a run whose stdout is a file (writes that
 *   never wait: what cmwatch needs when nothing queues);
 * - every event arrives, the last one included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStreamServer } from '../helpers/stream-server.js';
import { fileRun, pacedRun, type PacedRun } from '../helpers/paced-reader.js';

const EVENTS = 200_000;
const SLOW_MS = 15_000;

type Mode = 'file' | 'fast' | 'slow';

async function run(cmd: 'events' | 'watch', mode: Mode): Promise<PacedRun & { sentInSlowWindow: number }> {
  const server = await startStreamServer({ events: EVENTS });
  let sentInSlowWindow = 0;
  const t = setTimeout(() => (sentInSlowWindow = server.written), SLOW_MS - 500);
  try {
    const args = cmd === 'events'
      ? ['events', '--server', server.url, '-n', server.namespace]
      : ['watch', '--server', server.url, '-n', server.namespace, '-o', 'json', '--log-level', 'warn'];
    const endsWith = (l: string) => l.includes(`"name":"${server.lastName}"`);
    const r = mode === 'file'
      ? await fileRun({ args, endsWith })
      : await pacedRun({ args, slowRate: mode === 'slow' ? 100 : 0, slowMs: mode === 'slow' ? SLOW_MS : 0, endsWith });
    return { ...r, sentInSlowWindow };
  } finally {
    clearTimeout(t);
    await server.close();
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

for (const cmd of ['events', 'watch'] as const) {
  const what = cmd === 'events' ? 'events' : 'watch -o json';
  test(`${what}: a slow reader of stdout keeps memory within 1.5x of a fast reader's, and loses no event`, { timeout: 150_000 }, async () => {
    const file = await run(cmd, 'file');
    const fast = await run(cmd, 'fast');
    const slow = await run(cmd, 'slow');
    const report = `peak: stdout a file ${mib(file.peakKiB)}, fast reader ${mib(fast.peakKiB)}, slow reader ${mib(slow.peakKiB)}; ` +
      `events sent by the server in the slow window: ${slow.sentInSlowWindow}`;
    if (process.env.CMWATCH_TEST_VERBOSE) process.stderr.write(`  ${what}: ${report}\n`);
    for (const r of [file, fast, slow]) {
      assert.equal(r.code, 0, `${report}\n${r.stderr}`);
      assert.equal(r.lines, EVENTS, `every event arrives; ${report}`);
      const lastEvent = JSON.parse(r.last) as { type: string; object: { metadata: { name: string } } };
      assert.equal(lastEvent.object.metadata.name, 'last');
      assert.equal(lastEvent.type, 'ADDED');
    }
    assert.ok(file.peakKiB > 0 && fast.peakKiB > 0, 'peak memory was sampled');
    // About 1,500 lines were read in the slow window; the pipe, the sockets and the parser hold some more.
    assert.ok(slow.sentInSlowWindow < EVENTS / 2, `the watch is not read ahead of stdout; ${report}`);
    assert.ok(slow.peakKiB <= fast.peakKiB * 1.5, report);
    assert.ok(slow.peakKiB <= file.peakKiB * 1.5, report);
    assert.ok(fast.peakKiB <= file.peakKiB * 1.5, report);
  });
}
