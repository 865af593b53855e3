import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_HINT, parseDuration } from '../../../src/base/duration.js';
import { InvalidValueError } from '../../../src/base/errors.js';

test('a bare number is seconds, as kubectl --request-timeout takes it; units as before', () => {
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('1.5'), 1500);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m30s'), 90_000);
});

test('the error hint says what is accepted, bare numbers included', () => {
  assert.throws(() => parseDuration('5x'), (e: unknown) => e instanceof InvalidValueError && e.hint === DURATION_HINT);
  assert.equal(DURATION_HINT, 'use a number with a unit, e.g. 500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds');
});
