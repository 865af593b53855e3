import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/handlers/line-splitter.js';

function split(chunks: Array<string | Buffer>, o: { maxLine?: number; maxTotal?: number } = {}): string[] {
  const out: string[] = [];
  const s = new LineSplitter({ ...o, emit: (l) => out.push(l) });
  for (const c of chunks) s.write(c);
  s.end();
  return out;
}

test('lines: split across chunks, CRLF trimmed, last unterminated line flushed at end', () => {
  assert.deepEqual(split(['a', 'b\nc\r\n', '\nd']), ['ab', 'c', '', 'd']);
});

test('lines: a multi-byte character split across chunks is decoded whole', () => {
  const b = Buffer.from('é€😀\n');
  const out = split([...b].map((x) => Buffer.from([x])));
  assert.deepEqual(out, ['é€😀']);
});

test('lines: a long line is cut at maxLine bytes and marked, without a broken character', () => {
  assert.deepEqual(split(['x'.repeat(20) + '\nok\n'], { maxLine: 8 }), ['xxxxxxxx …[line truncated: 12 more bytes]', 'ok']);
  const out = split(['ab€€€\n'], { maxLine: 4 }); // 2 + 3 + 3 + 3 bytes; the cut falls inside the first €
  assert.deepEqual(out, ['ab …[line truncated: 7 more bytes]']);
});

test('lines: after maxTotal bytes the rest is counted, not logged', () => {
  const out = split(['1234\n'.repeat(10), 'tail'], { maxTotal: 12 });
  assert.deepEqual(out, ['1234', '1234', '1234', '[output truncated: 8 more line(s), 39 bytes not logged]']);
});
