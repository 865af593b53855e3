import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResyncPacer } from '../../../src/ops/resync-pacer.js';

/** A fake clock: sleep advances it. */
function clock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => { now += ms; }, advance: (ms: number) => { now += ms; } };
}

test('resync pacer: 100 keys over 10 s are delivered one every 100 ms, each once', async () => {
  const c = clock();
  const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
  const at: Array<[string, number]> = [];
  const p = new ResyncPacer({
    periodMs: 10_000, keys: () => keys, deliver: (k) => { at.push([k, c.now()]); return true; },
    busy: () => false, waiting: () => false, acting: () => true, now: c.now, sleep: c.sleep,
  });
  await p.period(new AbortController().signal);
  assert.deepEqual(at.map(([k]) => k), keys);
  at.forEach(([, t], i) => assert.equal(t, (i + 1) * 100));
  assert.equal(p.stats.delivered, 100);
});

test('resync pacer: a key with work pending is skipped (coalesced); while work waits nothing is delivered, then the spacing resumes', async () => {
  const c = clock();
  const at: Array<[string, number]> = [];
  let waitingUntil = 250;
  const p = new ResyncPacer({
    periodMs: 1000, keys: () => ['a', 'b', 'c', 'd'], deliver: (k) => { at.push([k, c.now()]); return true; },
    busy: (k) => k === 'c', waiting: () => c.now() < waitingUntil, acting: () => true, now: c.now, sleep: c.sleep, pollMs: 50,
  });
  await p.period(new AbortController().signal);
  // a at 250 (held from 250 until nothing waits, here at once), b 250 later, c skipped, d after it.
  assert.deepEqual(at.map(([k]) => k), ['a', 'b', 'd']);
  assert.equal(p.stats.coalesced, 1);
  waitingUntil = 0;
  const times = at.map(([, t]) => t);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 250, `spaced: ${times}`);
});

test('resync pacer: held back while a change waits, it re-anchors instead of bursting', async () => {
  const c = clock();
  const at: number[] = [];
  let blockUntil = 0;
  const p = new ResyncPacer({
    periodMs: 1000, keys: () => ['a', 'b', 'c', 'd', 'e'], deliver: () => { at.push(c.now()); if (at.length === 1) blockUntil = c.now() + 700; return true; },
    busy: () => false, waiting: () => c.now() < blockUntil, acting: () => true, now: c.now, sleep: c.sleep, pollMs: 10,
  });
  await p.period(new AbortController().signal);
  assert.equal(at.length, 5);
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 200, `no burst after the hold: ${at}`);
});

test('resync pacer: a standby delivers nothing; no keys waits a period', async () => {
  const c = clock();
  const ac = new AbortController();
  let delivered = 0;
  const p = new ResyncPacer({
    periodMs: 1000, keys: () => [], deliver: () => { delivered++; return true; },
    busy: () => false, waiting: () => false, acting: () => false, now: c.now, sleep: c.sleep,
  });
  await p.period(ac.signal);
  assert.equal(c.now(), 1000);
  const q = new ResyncPacer({
    periodMs: 1000, keys: () => ['a'], deliver: () => { delivered++; return true; },
    busy: () => false, waiting: () => false, acting: () => { if (c.now() > 5000) ac.abort(); return false; }, now: c.now, sleep: c.sleep, pollMs: 100,
  });
  await q.period(ac.signal);
  assert.equal(delivered, 0);
});
