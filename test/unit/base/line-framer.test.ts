import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineFramer, LineTooLongError } from '../../../src/base/line-framer.js';

function frame(chunks: string[], max: number, overflow: 'fail' | 'truncate' = 'fail'): string[] {
  const f = new LineFramer({ maxLineBytes: max, overflow });
  const out: string[] = [];
  const on = (l: Buffer, bytes: number, cut: number) => out.push(`${l.toString('utf8')}|${bytes}|${cut}`);
  for (const c of chunks) f.push(Buffer.from(c), on);
  f.end(on);
  return out;
}

test('line framer: lines at any split, CRLF, blank lines, a last line without LF', () => {
  const text = 'ab\r\n\ncd\r\n\r\nefg';
  const want = ['ab|3|0', '|0|0', 'cd|3|0', '|1|0', 'efg|3|0'];
  for (let i = 0; i <= text.length; i++) assert.deepEqual(frame([text.slice(0, i), text.slice(i)], 100), want, `split at ${i}`);
  assert.deepEqual(frame([...text], 100), want);
});

test('line framer: overflow "fail" throws a typed error as soon as a line is too long; lines before it are handed over', () => {
  const f = new LineFramer({ maxLineBytes: 4 });
  const out: string[] = [];
  const on = (l: Buffer) => out.push(l.toString());
  f.push(Buffer.from('abcd\nab'), on);
  assert.throws(() => f.push(Buffer.from('cde'), on), (e: unknown) => e instanceof LineTooLongError && e.code === 'E_LINE_TOO_LONG' && /exceeds 4 bytes/.test(e.message));
  assert.deepEqual(out, ['abcd']);
  assert.throws(() => new LineFramer({ maxLineBytes: 4 }).push(Buffer.from('abcdef\n'), on), LineTooLongError);
});

test('line framer: overflow "truncate" keeps the first bytes and counts the rest, across chunks', () => {
  assert.deepEqual(frame(['abcdefgh\nxy', 'zzzzz', 'zz\nok\n'], 4, 'truncate'), ['abcd|8|4', 'xyzz|9|5', 'ok|2|0']);
  // A CR past the cut is counted as cut, not stripped.
  assert.deepEqual(frame(['abcd\r\n'], 4, 'truncate'), ['abcd|5|1']);
});

test('line framer: a long line over many chunks is joined once, and chunks are not retained', () => {
  const chunk = Buffer.alloc(1000, 0x61);
  const f = new LineFramer({ maxLineBytes: 1 << 20 });
  let got: Buffer | undefined;
  for (let i = 0; i < 500; i++) f.push(chunk, () => assert.fail('no line yet'));
  chunk.fill(0x62); // the framer holds copies
  f.push(Buffer.from('\n'), (l) => (got = Buffer.from(l)));
  assert.equal(got?.length, 500_000);
  assert.ok(got!.every((b) => b === 0x61));
});

test('line framer: copy: false holds views of the chunks (the watch stream), with the same lines', () => {
  const f = new LineFramer({ maxLineBytes: 100, copy: false });
  const out: string[] = [];
  for (const c of ['ab', 'c\r', '\nd', 'e\n']) f.push(Buffer.from(c), (l) => out.push(l.toString()));
  assert.deepEqual(out, ['abc', 'de']);
});
