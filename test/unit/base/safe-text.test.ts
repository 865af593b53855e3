/** Text that may carry a secret is described, never quoted past a short prefix of text that does not look like JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorPosition, safePrefix, unparsableDetails } from '../../../src/base/safe-text.js';

const parseError = (s: string): unknown => {
  try {
    JSON.parse(s);
  } catch (e) {
    return e;
  }
  throw new Error(`${s} parsed`);
};

test('safePrefix: short text whole; long text cut with "…"; never JSON, a quote or a sensitive word', () => {
  assert.equal(safePrefix('Please log in', 80), 'Please log in');
  assert.equal(safePrefix('<html><head><title>502 Bad Gateway</title>'), '<html><head><title>502 B…');
  assert.equal(safePrefix('{"type":"ADDED","object":{"data":{"pw":"MARKER"}}}', 80), '', 'JSON: no prefix at all');
  assert.equal(safePrefix('  ["a"'), '');
  assert.equal(safePrefix('error: "MARKER"'), 'error: …', 'stops before a quote');
  assert.equal(safePrefix('the token is MARKER', 80), 'the …');
  assert.equal(safePrefix('password=x'), '', 'nothing safe: nothing shown');
  assert.equal(safePrefix('a\u0000b\nc'), 'a?b?c');
});

test('unparsableDetails: bytes and position, a prefix only of what is not JSON; never V8\'s message (it quotes the input)', () => {
  const line = '{"type":"MODIFIED","object":{"kind":"Secret","data":{"pw":"MARKER-1234" oops}}}';
  const err = parseError(line);
  assert.match(String((parseError('MARKER-1234') as Error).message), /MARKER/, 'V8 may quote the input, which is why its message is not used');
  assert.equal(jsonErrorPosition(err), line.indexOf('oops'));
  assert.equal(unparsableDetails(line, err), `${line.length} bytes, at position ${line.indexOf('oops')}`);
  assert.equal(unparsableDetails('{"a":"MARKER', parseError('{"a":"MARKER')), '12 bytes, at position 12');
  assert.equal(unparsableDetails('not json', parseError('not json')), '8 bytes, starting with "not json"');
  assert.match(unparsableDetails('{', parseError('{')), /^1 byte(, at position 1|, it ends early)$/);
});
