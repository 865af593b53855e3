import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { frames } from '../../../src/watch/ndjson.js';

const events = [
  { type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', resourceVersion: '1' }, data: { k: 'v' } } },
  { type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default', resourceVersion: '2' }, data: { 'ü': 'ünïcødé ✓' } } },
  { type: 'DELETED', object: { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', resourceVersion: '3' } } },
];
const payload = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));

async function collect(chunks: Buffer[], onMalformed?: (m: string) => void): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of frames(Readable.from(chunks), { onMalformed })) out.push(v);
  return out;
}

test('framing: the stream split at every byte offset yields the same events', async () => {
  for (let i = 0; i <= payload.length; i++) {
    const got = await collect([payload.subarray(0, i), payload.subarray(i)]);
    assert.deepEqual(got, events, `split at ${i}`);
  }
});

test('framing: one byte per chunk (multi-byte UTF-8 split inside a character)', async () => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < payload.length; i++) chunks.push(payload.subarray(i, i + 1));
  assert.deepEqual(await collect(chunks), events);
});

test('framing: several events in one chunk, and a final line without newline', async () => {
  const noTrailing = payload.subarray(0, payload.length - 1);
  assert.deepEqual(await collect([noTrailing]), events);
});

test('framing: CRLF line endings and blank lines (CRLF or not) are accepted', async () => {
  const crlf = Buffer.from(events.map((e) => JSON.stringify(e) + '\r\n').join('\r\n\n'));
  const seen: string[] = [];
  assert.deepEqual(await collect([crlf], (m) => seen.push(m)), events);
  assert.deepEqual(seen, []);
});

test('framing: a line spread over many small chunks, among whole ones', async () => {
  const big = { type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default', resourceVersion: '9' }, data: { text: 'line "one"\nline two\n'.repeat(4000) } } };
  const buf = Buffer.concat([payload, Buffer.from(JSON.stringify(big) + '\n'), payload]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 1000) chunks.push(buf.subarray(i, i + 1000));
  assert.deepEqual(await collect(chunks), [...events, big, ...events]);
});

test('framing: a malformed line is reported and skipped', async () => {
  const bad = Buffer.from(JSON.stringify(events[0]) + '\n{"type": nope\n' + JSON.stringify(events[1]) + '\n');
  const seen: string[] = [];
  const got = await collect([bad], (m) => seen.push(m));
  assert.deepEqual(got, [events[0], events[1]]);
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /Could not parse row/);
});

test('framing: a 4 MiB line is accepted', async () => {
  const big = { type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default', resourceVersion: '9' }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } } };
  const buf = Buffer.from(JSON.stringify(big) + '\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 16384) chunks.push(buf.subarray(i, i + 16384));
  const got = (await collect(chunks)) as Array<typeof big>;
  assert.equal(got.length, 1);
  assert.equal(got[0]!.object.data.blob.length, 4 * 1024 * 1024);
});

test('framing: a line over the limit fails the stream with a clear error', async () => {
  const body = Readable.from([Buffer.from('{"a":"' + 'x'.repeat(2000))]);
  await assert.rejects(async () => {
    for await (const _ of frames(body, { maxLineBytes: 1000 })) { /* drain */ }
  }, /a line exceeds 1000 bytes/);
});
