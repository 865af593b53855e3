import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { IdleCollector, fullCollection, startIdleCollection } from '../../../src/ops/idle-gc.js';

const MiB = 1024 * 1024;

/**
 * A collector over a scripted process: each tick is one second in which it
 * used `cpuMs` of CPU and ends with `heap` bytes in use; a collection drops
 * the heap to `after`.
 */
function scripted(after = 10 * MiB) {
  const s = { heap: 10 * MiB, t: 0, cpu: 0, runs: 0 };
  const c = new IdleCollector({
    usedBytes: () => s.heap,
    cpuMicros: () => s.cpu,
    clock: { now: () => s.t },
    collect: () => {
      s.runs++;
      s.heap = after;
    },
  });
  const tick = (cpuMs: number, heap = s.heap) => {
    s.heap = heap;
    s.t += 1000;
    s.cpu += cpuMs * 1000;
    return c.sample();
  };
  return { s, tick };
}

test('idle collection: one collection after two idle seconds that follow a burst, then none while nothing is left', () => {
  const { s, tick } = scripted();
  tick(0);
  tick(900, 30 * MiB); // the burst: 90% of a CPU
  assert.equal(s.runs, 0);
  tick(5); // idle 1 (0.5%)
  assert.equal(s.runs, 0);
  assert.equal(tick(5), true); // idle 2: 30 MiB in use, nothing collected yet
  assert.equal(s.runs, 1);
  for (let i = 0; i < 30; i++) tick(1);
  assert.equal(s.runs, 1, 'no garbage since: no more collections');
});

test('idle collection: a busy process is never paused, whatever its heap does', () => {
  const { s, tick } = scripted();
  for (let i = 0; i < 120; i++) tick(i % 2 ? 30 : 200, (10 + (i % 7)) * MiB); // 3% to 20% of a CPU, the heap up and down
  assert.equal(s.runs, 0);
});

test('idle collection: less garbage than the minimum is left to V8', () => {
  const { s, tick } = scripted(20 * MiB);
  tick(0);
  tick(500, 30 * MiB);
  tick(0);
  tick(0);
  assert.equal(s.runs, 1); // leaves 20 MiB
  tick(500, 23 * MiB); // another burst, 3 MiB more
  for (let i = 0; i < 30; i++) tick(0);
  assert.equal(s.runs, 1, 'heap only 3 MiB above what the last collection left');
});

test('idle collection: two collections are at least 10 s apart', () => {
  const { s, tick } = scripted();
  tick(0);
  tick(500, 30 * MiB);
  tick(0);
  tick(0);
  assert.equal(s.runs, 1);
  tick(500, 40 * MiB); // another burst at once
  tick(0);
  tick(0);
  assert.equal(s.runs, 1, 'the last one was 3 s ago');
  for (let i = 0; i < 10; i++) tick(0);
  assert.equal(s.runs, 2);
});

test('idle collection: CMWATCH_IDLE_GC=0 starts nothing; otherwise it starts and stops with the signal', () => {
  assert.equal(startIdleCollection(undefined, 1000, { CMWATCH_IDLE_GC: '0' }), false);
  const ac = new AbortController();
  ac.abort();
  assert.equal(startIdleCollection(ac.signal, 1000, {}), true);
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

test('idle collection: a small heap (under 16 MiB) is left to V8, however idle', () => {
  const { s, tick } = scripted(5 * MiB);
  tick(0);
  tick(500, 12 * MiB);
  for (let i = 0; i < 30; i++) tick(0);
  assert.equal(s.runs, 0);
});
