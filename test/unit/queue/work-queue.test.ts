import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, type Attempt, type Outcome } from '../../../src/queue/work-queue.js';
import { Logger } from '../../../src/ops/log.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function logger(lines: string[] = []): Logger {
  return new Logger({ color: false, level: 'debug', write: (l) => lines.push(l) });
}

interface Run { key: string; item: number; attempt: Attempt; at: number }

/** A queue whose worker records each run and answers with outcome(). */
function harness(opts: { outcome?: (r: Run) => Outcome; workMs?: number; concurrency?: number; coalesce?: boolean; maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number } = {}) {
  const runs: Run[] = [];
  const lines: string[] = [];
  let active = 0;
  let maxActive = 0;
  const activeKeys = new Set<string>();
  let overlaps = 0;
  const givenUp: string[] = [];
  const q = new WorkQueue<number>({
    log: logger(lines),
    concurrency: opts.concurrency ?? 4,
    coalesce: opts.coalesce ?? true,
    maxRetries: opts.maxRetries ?? 5,
    baseDelayMs: opts.baseDelayMs ?? 10,
    maxDelayMs: opts.maxDelayMs ?? 1000,
    onGiveUp: (key) => givenUp.push(key),
    worker: async (key, item, attempt) => {
      if (activeKeys.has(key)) overlaps++;
      activeKeys.add(key);
      active++;
      maxActive = Math.max(maxActive, active);
      const r = { key, item, attempt, at: Date.now() };
      runs.push(r);
      await sleep(opts.workMs ?? 5);
      active--;
      activeKeys.delete(key);
      return opts.outcome?.(r) ?? { kind: 'ok' };
    },
  });
  return { q, runs, lines, givenUp, get maxActive() { return maxActive; }, get overlaps() { return overlaps; } };
}

test('queue: 100 items for one key against a slow worker coalesce into few runs; the last run sees the last item', async () => {
  const h = harness({ workMs: 50 });
  for (let i = 1; i <= 100; i++) {
    h.q.add('ns/a', i);
    if (i % 20 === 0) await sleep(10);
  }
  await h.q.settled();
  assert.ok(h.runs.length >= 2 && h.runs.length <= 10, `runs: ${h.runs.map((r) => r.item).join(',')}`);
  assert.equal(h.runs.at(-1)!.item, 100);
  assert.equal(h.overlaps, 0);
  assert.ok(h.q.stats.coalesced > 80);
});

test('queue: never two runs for one key at once, and the concurrency bound holds across keys', async () => {
  const h = harness({ workMs: 15, concurrency: 3, coalesce: false });
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < 8; k++) h.q.add(`ns/k${k}`, round);
  }
  await h.q.settled();
  assert.equal(h.runs.length, 40);
  assert.equal(h.overlaps, 0);
  assert.equal(h.maxActive, 3);
});

test('queue: --no-coalesce runs every item of a key, in order', async () => {
  const h = harness({ workMs: 2, coalesce: false });
  for (let i = 0; i < 20; i++) h.q.add('ns/a', i);
  await h.q.settled();
  assert.deepEqual(h.runs.map((r) => r.item), [...Array(20).keys()]);
});

test('queue: a failing item is retried with growing delays, given up after maxRetries, and a later item runs afresh', async () => {
  const h = harness({ maxRetries: 3, baseDelayMs: 30, workMs: 1, outcome: (r) => (r.item === 1 ? { kind: 'failed', reason: 'exit 1' } : { kind: 'ok' }) });
  h.q.add('ns/a', 1);
  await h.q.settled();
  assert.equal(h.runs.length, 4, '1 run + 3 retries');
  assert.deepEqual(h.runs.map((r) => r.attempt.number), [1, 2, 3, 4]);
  const gaps = h.runs.slice(1).map((r, i) => r.at - h.runs[i]!.at);
  // Nominal 30, 60, 120 ms (+ the run itself); timers never fire early by more than a tick.
  assert.ok(gaps[0]! >= 28 && gaps[1]! >= 58 && gaps[2]! >= 118, `gaps ${gaps}`);
  assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `gaps grow: ${gaps}`);
  assert.deepEqual(h.givenUp, ['ns/a']);
  assert.ok(h.lines.some((l) => /giving up on ns\/a after 4 attempts: exit 1; its next change starts afresh/.test(l)), h.lines.join('\n'));
  assert.equal(h.q.stats.givenUp, 1);
  assert.equal(h.q.busyKeys, 0, 'nothing left for the key');

  h.q.add('ns/a', 2);
  await h.q.settled();
  assert.equal(h.runs.length, 5);
  assert.deepEqual(h.runs.at(-1)!.attempt, { number: 1, failures: 0 });
});

test('queue: backoff doubles from the base and is capped', () => {
  const q = new WorkQueue<number>({ log: logger(), worker: async () => ({ kind: 'ok' }) });
  assert.deepEqual([1, 2, 3, 4, 5, 9, 10, 20].map((n) => q.backoff(n)), [1000, 2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  const fast = new WorkQueue<number>({ log: logger(), baseDelayMs: 10, maxDelayMs: 50, worker: async () => ({ kind: 'ok' }) });
  assert.deepEqual([1, 2, 3, 4].map((n) => fast.backoff(n)), [10, 20, 40, 50]);
});

test('queue: a temporary failure is retried without counting against maxRetries', async () => {
  const h = harness({ maxRetries: 0, baseDelayMs: 5, workMs: 1, outcome: (r) => (r.attempt.number <= 3 ? { kind: 'temporary', reason: 'exit 75' } : { kind: 'ok' }) });
  h.q.add('ns/a', 1);
  await h.q.settled();
  assert.equal(h.runs.length, 4);
  assert.deepEqual(h.runs.map((r) => r.attempt.failures), [0, 0, 0, 0]);
  assert.equal(h.q.stats.givenUp, 0);
  assert.ok(h.lines.some((l) => /not counted/.test(l)));
});

test('queue: a newer item replaces a pending retry, and starts with a fresh count', async () => {
  const h = harness({ baseDelayMs: 10_000, workMs: 1, outcome: (r) => (r.item === 1 ? { kind: 'failed', reason: 'exit 1' } : { kind: 'ok' }) });
  h.q.add('ns/a', 1);
  await sleep(30);
  assert.equal(h.runs.length, 1, 'the retry waits 10 s');
  h.q.add('ns/a', 2);
  await h.q.settled();
  assert.deepEqual(h.runs.map((r) => [r.item, r.attempt.number]), [[1, 1], [2, 1]]);
  assert.equal(h.q.stats.superseded, 1);
});

test('queue: a failure is not retried when a newer item is already waiting (with or without coalescing)', async () => {
  for (const coalesce of [true, false]) {
    const h = harness({ coalesce, baseDelayMs: 5, workMs: 20, outcome: (r) => (r.item === 1 ? { kind: 'failed', reason: 'exit 1' } : { kind: 'ok' }) });
    h.q.add('ns/a', 1);
    await sleep(5);
    h.q.add('ns/a', 2);
    await h.q.settled();
    assert.deepEqual(h.runs.map((r) => r.item), [1, 2], `coalesce=${coalesce}`);
    assert.ok(h.lines.some((l) => /not retried: a newer event for ns\/a is next/.test(l)));
  }
});

test('queue: success forgets the failures', async () => {
  let fail = 2;
  const h = harness({ maxRetries: 2, baseDelayMs: 5, workMs: 1, outcome: () => (fail-- > 0 ? { kind: 'failed', reason: 'x' } : { kind: 'ok' }) });
  h.q.add('ns/a', 1);
  await h.q.settled();
  assert.equal(h.runs.length, 3);
  fail = 2;
  h.q.add('ns/a', 2);
  await h.q.settled();
  assert.equal(h.runs.length, 6, 'the second item gets its own 2 retries');
  assert.equal(h.q.stats.givenUp, 0);
});

test('queue: a worker that throws counts as a failure', async () => {
  const lines: string[] = [];
  let n = 0;
  const q = new WorkQueue<number>({
    log: logger(lines), maxRetries: 1, baseDelayMs: 5,
    worker: async () => { n++; throw new Error('boom'); },
  });
  q.add('ns/a', 1);
  await q.settled();
  assert.equal(n, 2);
  assert.ok(lines.some((l) => /giving up on ns\/a .*boom/.test(l)));
});

test('queue: drain lets running work finish, drops what has not started, and cancels retries', async () => {
  const h = harness({ concurrency: 1, workMs: 60, baseDelayMs: 10_000, outcome: (r) => (r.key === 'ns/r' ? { kind: 'failed', reason: 'x' } : { kind: 'ok' }) });
  h.q.add('ns/r', 1);
  await sleep(80); // ns/r ran, failed, waits 10 s for its retry
  h.q.add('ns/a', 1);
  h.q.add('ns/b', 1);
  await sleep(10); // ns/a runs; ns/b waits
  const t0 = Date.now();
  const d = await h.q.drain(5000);
  assert.ok(Date.now() - t0 < 4000, 'did not wait for the grace');
  assert.deepEqual(d.running, []);
  assert.deepEqual(d.dropped.sort(), ['ns/b', 'ns/r']);
  assert.deepEqual(h.runs.map((r) => r.key), ['ns/r', 'ns/a']);
  assert.equal(h.q.add('ns/c', 1), false, 'closed');
  await h.q.settled();
});

test('queue: drain reports runs still going after the grace', async () => {
  const h = harness({ workMs: 300 });
  h.q.add('ns/slow', 1);
  await sleep(5);
  const d = await h.q.drain(20);
  assert.deepEqual(d.running, ['ns/slow']);
  const again = await h.q.drain(2000);
  assert.deepEqual(again.running, []);
});
