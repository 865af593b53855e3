import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { IdleCollector, fullCollection } from '../../../src/ops/idle-gc.js';

const MiB = 1024 * 1024;

/** A collector over a scripted heap: `heap` is what the next sample reads; a collection drops it to `after`. */
function scripted(after = 10 * MiB) {
  const s = { heap: 10 * MiB, t: 0, runs: 0 };
  const c = new IdleCollector({
    usedBytes: () => s.heap,
    now: () => s.t,
    collect: () => {
      s.runs++;
      s.heap = after;
    },
  });
  const tick = (heap: number) => {
    s.heap = heap;
    s.t += 1000;
    return c.sample();
  };
  return { s, c, tick };
}

test('idle collection: one collection after two quiet samples that follow a burst, then none while nothing changes', () => {
  const { s, tick } = scripted();
  tick(10 * MiB);
  tick(30 * MiB); // the burst: allocating
  assert.equal(s.runs, 0);
  tick(30 * MiB); // quiet 1
  assert.equal(s.runs, 0);
  assert.equal(tick(30 * MiB), true); // quiet 2: 20 MiB above what the last collection left (nothing yet: 0)
  assert.equal(s.runs, 1);
  for (let i = 0; i < 20; i++) tick(s.heap);
  assert.equal(s.runs, 1, 'no garbage since: no more collections');
});

test('idle collection: a steady stream never looks quiet, so it is never paused', () => {
  const { s, tick } = scripted();
  let heap = 10 * MiB;
  for (let i = 0; i < 60; i++) {
    // Growing by 2 MiB a second, then a young collection dropping it: never two quiet samples.
    heap = i % 3 === 2 ? 10 * MiB : heap + 2 * MiB;
    tick(heap);
  }
  assert.equal(s.runs, 0);
});

test('idle collection: less garbage than the minimum is left to V8', () => {
  const { s, tick } = scripted(20 * MiB);
  tick(10 * MiB);
  tick(30 * MiB);
  tick(30 * MiB);
  tick(30 * MiB);
  assert.equal(s.runs, 1); // leaves 20 MiB
  tick(23 * MiB); // 3 MiB more: a drop of 7 then quiet
  tick(23 * MiB);
  tick(23 * MiB);
  tick(23 * MiB);
  assert.equal(s.runs, 1, 'heap only 3 MiB above what the last collection left');
});

test('idle collection: two collections are at least 10 s apart', () => {
  const { s, tick } = scripted();
  tick(10 * MiB);
  tick(30 * MiB);
  tick(30 * MiB);
  tick(30 * MiB);
  assert.equal(s.runs, 1);
  // Another burst right away: quiet again 3 s later, but the last collection was 3 s ago.
  tick(40 * MiB);
  tick(40 * MiB);
  tick(40 * MiB);
  assert.equal(s.runs, 1);
  for (let i = 0; i < 10; i++) tick(40 * MiB);
  assert.equal(s.runs, 2);
});

test('idle collection: V8 collection function runs a full collection and leaves no gc global here', async () => {
  const had = 'gc' in globalThis;
  const collect = await fullCollection();
  assert.equal(typeof collect, 'function');
  if (!had) assert.equal('gc' in globalThis, false, 'no gc global in this context');
  let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
  assert.equal(garbage.length, 200_000);
  const before = getHeapStatistics().used_heap_size;
  garbage = undefined;
  collect!();
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after < before, `used heap ${before} → ${after}`);
});
