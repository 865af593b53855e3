import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readiness } from '../../../src/ops/readiness.js';

test('readiness: not ready until every watch has listed and been established', () => {
  let now = 0;
  const r = new Readiness(3000, () => now);
  assert.equal(r.check().ready, false);
  const a = r.track('namespace a');
  const b = r.track('namespace b');
  assert.deepEqual(r.check().reasons, ['namespace a: first list not done yet', 'namespace b: first list not done yet']);
  a.onSynced();
  a.onWatchState(true);
  b.onSynced();
  assert.deepEqual(r.check().reasons, ['namespace b: watch not established yet']);
  b.onWatchState(true);
  assert.deepEqual(r.check(), { ready: true, reasons: [] });
  assert.equal(r.watching, true);
});

test('readiness: a watch down for less than the stall timeout is still ready; longer is not; back up is ready', () => {
  let now = 0;
  const r = new Readiness(3000, () => now);
  const a = r.track('all namespaces');
  a.onSynced();
  a.onWatchState(true);
  now = 10_000;
  a.onWatchState(false);
  assert.equal(r.watching, false);
  now = 12_999;
  assert.equal(r.check().ready, true);
  now = 13_001;
  assert.match(r.check().reasons[0]!, /^all namespaces: watch down for 3 s/);
  a.onSynced();
  a.onWatchState(true);
  assert.equal(r.check().ready, true);
});
