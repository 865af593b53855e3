/**
 * Resource version comparison (KEP-5504, client-go's CompareResourceVersion):
 * positive decimal integers without leading zeros compare as integers of any
 * length; anything else is not comparable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResourceVersion, isComparableResourceVersion, isOlderResourceVersion } from '../../../src/api/resource-version.js';

test('resource version: comparable only as a positive integer without leading zeros', () => {
  for (const rv of ['1', '9', '10', '123456789', '18446744073709551616', '9'.repeat(60)]) {
    assert.equal(isComparableResourceVersion(rv), true, rv);
  }
  for (const rv of ['', '0', '00', '007', '-1', '+1', '1.0', '1e3', ' 1', '1 ', 'abc', '12a', '0x10', '１２', undefined, null, 12]) {
    assert.equal(isComparableResourceVersion(rv), false, String(rv));
  }
});

test('resource version: ordered by length, then digit by digit, with no Number precision loss', () => {
  assert.equal(compareResourceVersion('9', '10'), -1, 'shorter is older, although "9" > "10" as strings');
  assert.equal(compareResourceVersion('10', '9'), 1);
  assert.equal(compareResourceVersion('123', '123'), 0);
  assert.equal(compareResourceVersion('123', '124'), -1);
  assert.equal(compareResourceVersion('200', '199'), 1);
  // Both round to the same Number (2^53 + 1 is not representable): compared as text they differ.
  assert.equal(Number('9007199254740993'), Number('9007199254740992'));
  assert.equal(compareResourceVersion('9007199254740993', '9007199254740992'), 1);
  assert.equal(compareResourceVersion('18446744073709551616', '18446744073709551615'), 1, 'past uint64');
});

test('resource version: anything else is not comparable (callers fall back to equality)', () => {
  assert.equal(compareResourceVersion('', '5'), undefined);
  assert.equal(compareResourceVersion('5', ''), undefined);
  assert.equal(compareResourceVersion('0', '5'), undefined, '0 is a special value, never a live version');
  assert.equal(compareResourceVersion('05', '5'), undefined);
  assert.equal(compareResourceVersion('abc', 'abd'), undefined);
  assert.equal(compareResourceVersion('abc', 'abc'), undefined, 'not comparable even when equal: equality is the caller\'s business');
  assert.equal(isOlderResourceVersion('abc', 'abd'), false);
  assert.equal(isOlderResourceVersion('5', '6'), true);
  assert.equal(isOlderResourceVersion('6', '6'), false);
  assert.equal(isOlderResourceVersion('7', '6'), false);
});
