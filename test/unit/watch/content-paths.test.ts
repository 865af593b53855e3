/** The field-path parser of content paths: what it accepts, and a typed error naming the path for what it refuses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentPathError, contentPaths, parseContentPaths, valueAt, type ContentPathReason } from '../../../src/watch/content-paths.js';
import { InvalidValueError } from '../../../src/base/errors.js';

const valid: Array<[string, Array<Array<string | number>>]> = [
  ['.spec', [['spec']]],
  ['.', [[]]],
  ['.metadata.labels', [['metadata', 'labels']]],
  ['.data.key', [['data', 'key']]],
  ['.data.my-key_2', [['data', 'my-key_2']]],
  ['.spec,.metadata.labels', [['spec'], ['metadata', 'labels']]],
  ['  .spec , .data.key  ', [['spec'], ['data', 'key']]],
  ['.metadata.labels["app.kubernetes.io/name"]', [['metadata', 'labels', 'app.kubernetes.io/name']]],
  ['.metadata.labels."app.kubernetes.io/name"', [['metadata', 'labels', 'app.kubernetes.io/name']]],
  ['.metadata.labels.["a,b"],.spec', [['metadata', 'labels', 'a,b'], ['spec']]],
  ['.["kind"]', [['kind']]],
  ['.data["quote\\"d"]', [['data', 'quote"d']]],
  ['.spec.containers[0].image', [['spec', 'containers', 0, 'image']]],
  ['.spec.containers.[12]', [['spec', 'containers', 12]]],
  ['.a[0][1]', [['a', 0, 1]]],
  ['.,.spec', [[], ['spec']]],
];
for (const [list, steps] of valid) {
  test(`content paths valid: ${list}`, () => {
    assert.deepEqual(parseContentPaths(list), steps);
  });
}

const invalid: Array<[string, ContentPathReason, string, RegExp]> = [
  ['', 'content_path_empty', '', /empty path/],
  ['   ', 'content_path_empty', '', /empty path/],
  ['.spec,', 'content_path_empty', '', /empty path/],
  ['.spec,,.data', 'content_path_empty', '', /empty path/],
  ['spec', 'content_path_no_dot', 'spec', /starts with "\."/],
  ['.spec,metadata', 'content_path_no_dot', 'metadata', /starts with "\."/],
  ['..spec', 'content_path_empty_step', '..spec', /no field name after "\." at offset 0$/],
  ['.spec.', 'content_path_empty_step', '.spec.', /no field name after "\." at offset 5/],
  ['.data.a.b.', 'content_path_empty_step', '.data.a.b.', /offset 9/],
  ['.data[""]', 'content_path_empty_step', '.data[""]', /empty field name/],
  ['.metadata.labels.app.kubernetes.io/name', 'content_path_bad_character', '.metadata.labels.app.kubernetes.io/name', /unexpected "\/"/],
  ['.spec .data', 'content_path_bad_character', '.spec .data', /unexpected "\."/],
  ['.spec[0', 'content_path_bad_character', '.spec[0', /unclosed "\[" at offset 5$/],
  ['.spec["a"', 'content_path_bad_character', '.spec["a"', /unclosed "\["/],
  ['.data."key', 'content_path_bad_string', '.data."key', /unterminated string/],
  ['.data["a\\x"]', 'content_path_bad_string', '.data["a\\x"]', /not a JSON string/],
  ['.spec[-1]', 'content_path_bad_index', '.spec[-1]', /no index \(0, 1, …\) or quoted key after "\["/],
  ['.spec[01]', 'content_path_bad_index', '.spec[01]', /index 01 has a leading zero at offset 6$/],
  ['.spec[x]', 'content_path_bad_index', '.spec[x]', /no index \(0, 1, …\) or quoted key after "\["/],
  ['.spec[99999999999999999999]', 'content_path_bad_index', '.spec[99999999999999999999]', /index 99999999999999999999 too large at offset 6$/],
  ['.ok,.spec|.x', 'content_path_bad_character', '.spec|.x', /unexpected "\|" at offset 5$/],
  ['.a, .b.[x]', 'content_path_bad_index', '.b.[x]', /quoted key after "\[" at offset 4$/],
];
for (const [list, reason, path, message] of invalid) {
  test(`content paths invalid (${reason}): ${JSON.stringify(list)}`, () => {
    assert.throws(() => contentPaths(list), (err: unknown) => {
      assert.ok(err instanceof ContentPathError);
      assert.ok(err instanceof InvalidValueError, 'the CLI re-words it with the flag name (flag-errors.ts)');
      assert.equal(err.code, 'E_USAGE');
      assert.equal(err.reason, reason);
      assert.equal(err.value, path);
      assert.equal(err.path, path);
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`content path ${JSON.stringify(path)}: `), err.message);
      assert.doesNotMatch(err.message + (err.hint ?? ''), /--/, 'no flag names below cli/');
      assert.ok(err.hint);
      return true;
    });
  });
}

test('content paths: the error says where in the list it went wrong (position) and in the path (message)', () => {
  assert.throws(() => parseContentPaths('.ok, .spec..x'), (err: unknown) =>
    err instanceof ContentPathError && err.position === 10 && err.path === '.spec..x' && /at offset 5$/.test(err.message));
});

test('valueAt: keys of objects, indexes of arrays, and nothing else', () => {
  const o = { a: { b: [10, { c: null }] }, s: 'text', arr: [1] };
  assert.equal(valueAt(o, ['a', 'b', 0]), 10);
  assert.equal(valueAt(o, ['a', 'b', 1, 'c']), null);
  assert.equal(valueAt(o, ['a', 'b', 2]), undefined);
  assert.equal(valueAt(o, ['a', 'b', 'length']), undefined);
  assert.equal(valueAt(o, ['s', 'length']), undefined);
  assert.equal(valueAt(o, ['s', 0]), undefined);
  assert.equal(valueAt(o, ['a', 0]), undefined);
  assert.equal(valueAt(o, ['toString']), undefined);
  assert.equal(valueAt(o, ['a', 'b', 1, 'c', 'd']), undefined);
  assert.deepEqual(valueAt(o, []), o);
});
