import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readRecording, type RecordedLine } from '../../../src/replay/recording.js';
import { Pacer } from '../../../src/replay/pacer.js';
import { ChangeDetector, type Detection } from '../../../src/watch/change-detector.js';
import { fingerprint } from '../../../src/watch/fingerprint.js';
import { configMapContent } from '../../../src/watch/content.js';
import { cm } from '../../helpers/handler-fixtures.js';

async function read(chunks: Array<string | Buffer>, max?: number): Promise<RecordedLine[]> {
  const out: RecordedLine[] = [];
  for await (const r of readRecording(Readable.from(chunks), max)) out.push(r);
  return out;
}

const ev = (type: string, rv = 1) => JSON.stringify({ type, object: cm('a', rv, { k: String(rv) }) });

test('recording: events, blank lines, CRLF, bookmarks, and malformed lines with their line numbers', async () => {
  const text = [
    ev('SYNC'), '', ev('MODIFIED', 2) + '\r', '{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}',
    'not json', '[1,2]', '{"type":"ERROR","object":{}}', '{"type":"ADDED"}', '{"type":"ADDED","object":{"metadata":{}}}',
    ev('DELETED', 3),
  ].join('\n');
  // Split at awkward places.
  const chunks = [text.slice(0, 7), text.slice(7, 150), text.slice(150)];
  const out = await read(chunks);
  const summary = out.map((r) => ('event' in r ? `${r.line}:${r.event.type}` : 'ignored' in r ? `${r.line}:ignored` : `${r.line}:error:${r.error}`));
  assert.deepEqual(summary, [
    '1:SYNC', '3:MODIFIED', '4:ignored',
    // Described, not quoted with V8's message (which quotes the line around the error): see base/safe-text.ts.
    '5:error:not JSON (8 bytes, starting with "not json")',
    '6:error:not a JSON object',
    '7:error:unknown event type "ERROR" (expected SYNC, ADDED, MODIFIED, DELETED)',
    '8:error:no "object"',
    '9:error:the object has no metadata.name',
    '10:DELETED',
  ]);
});

test('recording: a line longer than the limit is malformed, and the next line is read normally', async () => {
  const out = await read(['{"type":"MODIFIED","x":"', 'y'.repeat(100), '"}\n', '{"type":"SYNC","object":{"metadata":{"name":"a"}}}\n'], 64);
  assert.deepEqual(out.map((r) => ('error' in r ? `${r.line}:${r.error}` : `${r.line}:ok`)), ['1:line longer than 64 bytes', '2:ok']);
});

test('change detection in replay ("trust"): no baseline keeps the recorded type; known keys are deduplicated like live', () => {
  // The delivered type (and skip reason) is what is compared; the hash each delivery carries is checked below.
  const type = (x: Detection) => ('deliver' in x ? { deliver: x.deliver } : x);
  const d = new ChangeDetector({ content: configMapContent([]), unknownKeys: 'trust' });
  assert.deepEqual(type(d.event('MODIFIED', 'default/a', cm('a', 2, { k: '1' }))), { deliver: 'MODIFIED' });
  assert.deepEqual(type(d.event('MODIFIED', 'default/a', cm('a', 2, { k: '1' }))), { skip: 'duplicate' });
  assert.deepEqual(type(d.event('MODIFIED', 'default/a', cm('a', 3, { k: '1' }))), { skip: 'unchanged' });
  assert.deepEqual(type(d.event('ADDED', 'default/a', cm('a', 4, { k: '2' }))), { deliver: 'MODIFIED' });
  assert.deepEqual(type(d.event('DELETED', 'default/b', cm('b', 5, {}))), { deliver: 'DELETED' });
  const live = new ChangeDetector({ content: configMapContent([]), unknownKeys: 'infer' });
  assert.deepEqual(type(live.event('MODIFIED', 'default/a', cm('a', 2, { k: '1' }))), { deliver: 'ADDED' });
  assert.deepEqual(type(live.event('DELETED', 'default/b', cm('b', 5, {}))), { skip: 'unknown_delete' });
  const any = new ChangeDetector({ content: configMapContent([]), trigger: 'any', unknownKeys: 'trust' });
  any.remember('default/a', cm('a', 1, { k: '1' }));
  assert.deepEqual(type(any.event('MODIFIED', 'default/a', cm('a', 2, { k: '1' }))), { deliver: 'MODIFIED' });
  // Each delivery carries the content hash; a DELETED carries the last one known.
  const h = new ChangeDetector({ content: configMapContent([]), unknownKeys: 'infer' });
  const added = h.event('ADDED', 'default/a', cm('a', 1, { k: '1' }));
  assert.ok('deliver' in added && added.hash === fingerprint(configMapContent([])(cm('a', 1, { k: '1' }))));
  const gone = h.event('DELETED', 'default/a', cm('a', 2, { k: 'other' }));
  assert.ok('deliver' in gone && gone.hash === added.hash, 'the DELETED carries the last known hash');
});

test('pacer: events are released at the rate, the first at once', async () => {
  const now = 1000; // the clock stands still: each next() waits the full gap from the start
  const waits: number[] = [];
  const p = new Pacer(4, () => now, async (ms) => { waits.push(ms); });
  for (let i = 0; i < 4; i++) await p.next();
  assert.deepEqual(waits, [250, 500, 750], 'the first at once, then spaced by 250 ms from the start');
  const none: number[] = [];
  const free = new Pacer(undefined, Date.now, async (ms) => { none.push(ms); });
  for (let i = 0; i < 1000; i++) await free.next();
  assert.deepEqual(none, [], 'no rate: never waits');
});
