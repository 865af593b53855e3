/**
 * The --no-coalesce bound (maxPendingPerKey): past it a key falls back to
 * coalescing, warned once per episode and counted; other keys keep their
 * order; once the key has no work left it is ordered again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/queue/work-queue.js';
import { Logger } from '../../../src/ops/log.js';

/** A queue with coalescing off whose runs wait until released. */
function gated(maxPendingPerKey?: number) {
  const lines: string[] = [];
  const runs: Array<{ key: string; item: number }> = [];
  const fallbacks: string[] = [];
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => (open = r));
  const q = new WorkQueue<number>({
    log: new Logger({ color: false, level: 'debug', write: (l) => lines.push(l) }),
    coalesce: false,
    concurrency: 4,
    ...(maxPendingPerKey === undefined ? {} : { maxPendingPerKey }),
    onCoalesceFallback: (key) => fallbacks.push(key),
    worker: async (key, item) => {
      runs.push({ key, item });
      await gate;
      return { kind: 'ok' };
    },
  });
  return {
    q, lines, runs, fallbacks,
    release() {
      open();
    },
    close() {
      gate = new Promise<void>((r) => (open = r));
    },
    warnings: () => lines.filter((l) => /reason=coalesce_fallback/.test(l)),
  };
}

test('queue bound: 100,000 items for one key behind a blocked run stay within the bound, one warning, counted; the last item runs', async () => {
  const h = gated(1000);
  for (let i = 1; i <= 100_000; i++) {
    h.q.add('ns/a', i);
    assert.ok(h.q.depth <= 1000, `depth ${h.q.depth} at item ${i}`);
  }
  assert.equal(h.q.depth, 1, 'collapsed into the latest');
  assert.equal(h.q.stats.coalesceFallbacks, 1);
  assert.deepEqual(h.fallbacks, ['ns/a']);
  assert.equal(h.warnings().length, 1, h.lines.join('\n'));
  assert.match(h.warnings()[0]!, /^warn ns\/a: 1000 events waiting to run in order \(the bound per key is 1000\); coalescing them into the latest until ns\/a has no work left key=ns\/a reason=coalesce_fallback$/);
  h.release();
  await h.q.settled();
  assert.deepEqual(h.runs.map((r) => r.item), [1, 100_000]);
});

test('queue bound: up to the bound every item runs in order; other keys are not affected', async () => {
  const h = gated(5);
  for (let i = 1; i <= 6; i++) h.q.add('ns/b', i); // 1 running, 5 waiting: at the bound, not past it
  for (let i = 1; i <= 20; i++) h.q.add('ns/a', i);
  assert.equal(h.warnings().length, 1);
  assert.deepEqual(h.fallbacks, ['ns/a']);
  h.release();
  await h.q.settled();
  assert.deepEqual(h.runs.filter((r) => r.key === 'ns/b').map((r) => r.item), [1, 2, 3, 4, 5, 6]);
  // ns/a: 1 ran; 2..6 waited (5); 7 went past the bound and collapsed them; 8..20 coalesced into 20.
  assert.deepEqual(h.runs.filter((r) => r.key === 'ns/a').map((r) => r.item), [1, 20]);
  assert.equal(h.q.stats.coalesced, 5 + 13);
});

test('queue bound: once the key has no work left it is ordered again, and a new episode warns again', async () => {
  const h = gated(3);
  for (let i = 1; i <= 10; i++) h.q.add('ns/a', i);
  h.release();
  await h.q.settled();
  assert.deepEqual(h.runs.map((r) => r.item), [1, 10]);
  h.close();
  for (let i = 11; i <= 14; i++) h.q.add('ns/a', i); // 11 running, 12..14 waiting: within the bound
  h.release();
  await h.q.settled();
  assert.deepEqual(h.runs.map((r) => r.item), [1, 10, 11, 12, 13, 14]);
  assert.equal(h.warnings().length, 1);
  h.close();
  for (let i = 21; i <= 30; i++) h.q.add('ns/a', i);
  h.release();
  await h.q.settled();
  assert.deepEqual(h.runs.slice(6).map((r) => r.item), [21, 30]);
  assert.equal(h.warnings().length, 2, 'one warning per episode');
  assert.equal(h.q.stats.coalesceFallbacks, 2);
});

test('queue bound: the default is 1000; coalescing on is unaffected; the bound must be >= 1', () => {
  const h = gated();
  for (let i = 1; i <= 1001; i++) h.q.add('ns/a', i);
  assert.equal(h.q.depth, 1000);
  assert.equal(h.warnings().length, 0);
  h.q.add('ns/a', 1002);
  assert.equal(h.q.depth, 1);
  assert.equal(h.warnings().length, 1);
  h.release();
  const lines: string[] = [];
  const c = new WorkQueue<number>({ log: new Logger({ color: false, write: (l) => lines.push(l) }), worker: () => new Promise(() => {}), maxPendingPerKey: 1 });
  for (let i = 1; i <= 10; i++) c.add('ns/a', i);
  assert.equal(c.depth, 1);
  assert.equal(c.stats.coalesceFallbacks, 0);
  assert.deepEqual(lines, [], 'coalescing on: no fallback, no warning');
  assert.throws(() => new WorkQueue<number>({ log: new Logger({ write: () => {} }), worker: async () => ({ kind: 'ok' }), maxPendingPerKey: 0 }), RangeError);
});
