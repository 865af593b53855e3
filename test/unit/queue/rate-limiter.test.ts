import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItemExponentialFailureRateLimiter } from '../../../src/queue/rate-limiter.js';
import { WorkQueue } from '../../../src/queue/work-queue.js';
import { Logger } from '../../../src/ops/log.js';
import { withDefaults } from '../../../src/base/options.js';

test('rate limiter: per item, doubling to the cap; forget starts afresh; another item has its own count', () => {
  const l = new ItemExponentialFailureRateLimiter<object>({ baseDelayMs: 10, maxDelayMs: 50 });
  const a = {};
  const b = {};
  assert.deepEqual([l.when(a), l.when(a), l.when(a), l.when(a)], [10, 20, 40, 50]);
  assert.equal(l.retries(a), 4);
  assert.equal(l.retries(b), 0);
  assert.equal(l.when(b), 10);
  l.forget(a);
  assert.equal(l.retries(a), 0);
  assert.equal(l.when(a), 10);
});

test('rate limiter: jitter stretches each delay by at most its fraction', () => {
  const hi = new ItemExponentialFailureRateLimiter<object>({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, random: () => 1 });
  const x = {};
  assert.deepEqual([hi.when(x), hi.when(x)], [150, 300]);
});

test('queue: an injected rate limiter decides the retry delay', async () => {
  const asked: number[] = [];
  let fails = 2;
  const q = new WorkQueue<number>({
    log: new Logger({ color: false, level: 'error', write: () => {} }),
    rateLimiter: { when: (e) => (asked.push(1), 1), forget: () => {}, retries: () => asked.length },
    worker: async () => (fails-- > 0 ? { kind: 'failed', reason: 'x' } : { kind: 'ok' }),
  });
  q.add('ns/a', 1);
  await q.settled();
  assert.equal(asked.length, 2);
});

test('options: an undefined option never overrides a default', () => {
  assert.deepEqual(withDefaults({ a: 1, b: 2 }, { a: undefined, b: 3 }), { a: 1, b: 3 });
  const q = new WorkQueue<number>({ log: new Logger({ color: false, write: () => {} }), maxRetries: undefined, baseDelayMs: undefined, worker: async () => ({ kind: 'ok' }) });
  assert.equal(q.backoff(1), 1000);
});
