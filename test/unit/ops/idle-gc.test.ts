import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { spawnSync } from 'node:child_process';
import { IdleCollector, idleCollection, inspectorCollection, startIdleCollection } from '../../../src/ops/idle-gc.js';

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
  tick(500, 20.5 * MiB); // another burst, half a MiB more
  for (let i = 0; i < 30; i++) tick(0);
  assert.equal(s.runs, 1, 'heap only 0.5 MiB above what the last collection left');
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

test('idle collection: the collection frees garbage, leaves no gc global, and the ordinary one prints no warning', async () => {
  const had = 'gc' in globalThis;
  let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
  assert.equal(garbage.length, 200_000);
  const before = getHeapStatistics().used_heap_size;
  garbage = undefined;
  await idleCollection();
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after < before, `used heap ${before} → ${after}`);
  if (!had) assert.equal('gc' in globalThis, false, 'no gc global in this context');
  // In a process of its own, where vm.measureMemory's warning would be the first: stderr stays empty.
  const url = new URL('../../../src/ops/idle-gc.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); await m.idleCollection({ inspector: false }); process.emitWarning('kept', 'ExperimentalWarning');`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /measureMemory/);
  assert.match(r.stderr, /ExperimentalWarning: kept/, 'other warnings are still printed');
});

test('idle collection: without an inspector (a Node built without one) the ordinary full collection frees the garbage', async () => {
  let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `y${i}` }));
  assert.equal(garbage.length, 200_000);
  const before = getHeapStatistics().used_heap_size;
  garbage = undefined;
  await idleCollection({ inspector: false });
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after < before, `used heap ${before} → ${after}`);
});

test('idle collection: the inspector\'s collection answers, in a process of its own that then exits', () => {
  // A disconnect inside the answer's callback would hang the process: the timeout fails the test instead.
  const url = new URL('../../../src/ops/idle-gc.js', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(url)}); for (let i = 0; i < 3; i++) await m.inspectorCollection(); console.log('collected 3');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.error ?? ''} ${r.stderr}`);
  assert.match(r.stdout, /collected 3/);
});

/** A stand-in inspector session: answers (or not) as told, and records its calls. */
function fakeSession(answer: 'ok' | 'error' | 'never') {
  const calls: string[] = [];
  const session = {
    calls,
    connect: () => calls.push('connect'),
    post: (method: string, cb: (err: Error | null) => void) => {
      calls.push(method);
      if (answer === 'ok') setImmediate(() => cb(null));
      if (answer === 'error') setImmediate(() => cb(new Error('refused')));
    },
    disconnect: () => calls.push('disconnect'),
  };
  return session;
}

test('idle collection: the inspector session is closed after an answer, an error, and no answer at all', async () => {
  // The answer's timer does not keep a process alive (a watch does): this one does, for the test.
  const alive = setInterval(() => {}, 1000);
  try {
    for (const answer of ['ok', 'error', 'never'] as const) {
      const s = fakeSession(answer);
      const p = inspectorCollection({ session: s, answerMs: 50 });
      if (answer === 'ok') await p;
      else await assert.rejects(p, answer === 'never' ? /did not answer HeapProfiler\.collectGarbage within 50 ms/ : /refused/);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(s.calls, ['connect', 'HeapProfiler.collectGarbage', 'disconnect'], answer);
    }
  } finally {
    clearInterval(alive);
  }
});

test('idle collection: a collection still running is not asked for again, and the garbage is counted from when it ends', async () => {
  const s = { heap: 30 * MiB, t: 0, cpu: 0, runs: 0 };
  let finish: () => void = () => {};
  const c = new IdleCollector({
    usedBytes: () => s.heap,
    cpuMicros: () => s.cpu,
    clock: { now: () => s.t },
    collect: () => {
      s.runs++;
      return new Promise<void>((done) => (finish = done));
    },
  });
  const tick = (cpuMs: number) => {
    s.t += 1000;
    s.cpu += cpuMs * 1000;
    return c.sample();
  };
  tick(0);
  tick(0);
  assert.equal(tick(0), true);
  for (let i = 0; i < 20; i++) tick(0);
  assert.equal(s.runs, 1, 'the first has not ended');
  s.heap = 10 * MiB;
  finish();
  await new Promise((r) => setImmediate(r));
  s.heap = 10.5 * MiB;
  for (let i = 0; i < 20; i++) tick(0);
  assert.equal(s.runs, 1, '0.5 MiB above what the collection left');
  s.heap = 12 * MiB;
  for (let i = 0; i < 3; i++) tick(0);
  assert.equal(s.runs, 2);
});

test('idle collection: a small heap (under 8 MiB) is left to V8, however idle', () => {
  const { s, tick } = scripted(5 * MiB);
  tick(0);
  tick(500, 7.5 * MiB);
  for (let i = 0; i < 30; i++) tick(0);
  assert.equal(s.runs, 0);
});
