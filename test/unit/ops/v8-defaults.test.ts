import { test } from 'node:test';
import assert from 'node:assert/strict';
import { v8Defaults } from '../../../src/ops/v8-defaults.js';

test('v8 defaults: all four when node was given nothing', () => {
  assert.deepEqual(v8Defaults([], undefined), ['--semi-space-growth-factor=1', '--heap-growing-percent=50', '--liftoff-only', '--gc-memory-reducer-start-delay-ms=1000']);
});

test('v8 defaults: a setting the user gave node, on its command line or in NODE_OPTIONS, is left as given', () => {
  assert.deepEqual(v8Defaults(['--max-semi-space-size=16'], undefined), ['--heap-growing-percent=50', '--liftoff-only', '--gc-memory-reducer-start-delay-ms=1000']);
  assert.deepEqual(v8Defaults([], '--max_semi_space_size=8 --no-liftoff'), ['--heap-growing-percent=50', '--gc-memory-reducer-start-delay-ms=1000']);
  assert.deepEqual(v8Defaults(['--gc-memory-reducer-start-delay-ms=8000'], '--no-memory-reducer'), ['--semi-space-growth-factor=1', '--heap-growing-percent=50', '--liftoff-only']);
  assert.deepEqual(v8Defaults(['--heap-growing-percent=100', '--expose-gc'], ''), ['--semi-space-growth-factor=1', '--liftoff-only', '--gc-memory-reducer-start-delay-ms=1000']);
});
