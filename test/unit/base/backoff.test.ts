import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../src/base/backoff.js';
import { InactivityTimer } from '../../../src/watch/inactivity-timer.js';

test('backoff: 0.8 s doubling to the 30 s cap', () => {
  const b = new Backoff({ now: () => 0, random: () => 0 });
  const got = Array.from({ length: 9 }, () => b.next());
  assert.deepEqual(got, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000]);
});

test('backoff: jitter stretches a delay by at most 25%', () => {
  const hi = new Backoff({ now: () => 0, random: () => 0.999999 });
  assert.deepEqual([hi.next(), hi.next()], [1000, 2000]);
  for (let i = 0; i < 10; i++) hi.next();
  assert.equal(hi.next(), 37500);
});

test('backoff: resets after 2 minutes of health, measured from the end of the last delay', () => {
  let now = 0;
  const b = new Backoff({ now: () => now, random: () => 0 });
  assert.equal(b.next(), 800);
  now += 800;
  assert.equal(b.next(), 1600);
  now += 1600 + 119_000; // healthy for 119 s: not yet
  assert.equal(b.next(), 3200);
  now += 3200 + 120_000; // healthy for 120 s
  assert.equal(b.next(), 800);
});

test('backoff: capped() waits the cap; health resets it too', () => {
  let now = 0;
  const b = new Backoff({ now: () => now, random: () => 0 });
  assert.equal(b.capped(), 30000);
  assert.equal(b.next(), 30000, 'after a capped delay the backoff stays at the cap');
  now += 30000 + 120_000;
  assert.equal(b.next(), 800);
});

test('inactivity timer: touching after it fired or stopped does nothing', async () => {
  let fired = 0;
  const t = new InactivityTimer(5, () => fired++);
  t.touch();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, 1);
  assert.equal(t.fired, true);
  t.touch();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, 1);
  const s = new InactivityTimer(5, () => fired++);
  s.touch();
  s.stop();
  s.touch();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, 1);
  assert.equal(s.fired, false);
});
