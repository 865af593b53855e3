/**
 * writeStdout's backpressure (src/cli/stdout.ts), against a fake stream:
 * nothing to wait for while writes are accepted; a promise, shared by the
 * writes made meanwhile, that resolves on 'drain', 'close' or abort once a
 * write returns false; nothing is ever dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { StdoutWriter, type OutStream } from '../../../src/cli/stdout.js';

class FakeOut extends EventEmitter implements OutStream {
  written: string[] = [];
  /** write() returns false once this many characters are pending. */
  highWater = 10;
  writableLength = 0;
  throwOnWrite = false;
  write(s: string): boolean {
    if (this.throwOnWrite) throw new Error('EPIPE');
    this.written.push(s);
    this.writableLength += s.length;
    return this.writableLength < this.highWater;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

const settledYet = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

test('stdout: nothing to wait for while writes are accepted', () => {
  const out = new FakeOut();
  const w = new StdoutWriter(out);
  assert.equal(w.write('abc\n'), undefined);
  assert.deepEqual(out.written, ['abc\n']);
});

test('stdout: a write that fills the buffer returns a promise that resolves on drain; writes meanwhile share it and are kept', async () => {
  const out = new FakeOut();
  const w = new StdoutWriter(out);
  const p = w.write('0123456789\n');
  assert.ok(p instanceof Promise, 'a promise once write() returned false');
  const q = w.write('more\n');
  assert.equal(q, p, 'one promise until the next drain');
  assert.equal(await settledYet(p), false, 'not before drain');
  assert.deepEqual(out.written, ['0123456789\n', 'more\n'], 'nothing dropped');
  assert.equal(w.pending, 16);
  out.drain();
  assert.equal(await settledYet(p), true);
  assert.equal(out.listenerCount('drain') + out.listenerCount('close'), 0, 'no listener left behind');
  assert.equal(w.write('x\n'), undefined, 'accepted again after drain');
});

test('stdout: a close ends the wait; a write that throws marks stdout closed, once, and later writes are skipped', async () => {
  const out = new FakeOut();
  let closedCalls = 0;
  const w = new StdoutWriter(out, () => closedCalls++);
  const p = w.write('0123456789\n')!;
  out.emit('close');
  assert.equal(await settledYet(p), true);
  const r = w.write('0123456789\n')!;
  out.throwOnWrite = true;
  assert.equal(w.write('y\n'), undefined);
  assert.equal(w.closed, true);
  assert.equal(closedCalls, 1);
  assert.equal(await settledYet(r), true, 'a closed stdout ends the wait');
  assert.equal(w.write('z\n'), undefined);
  assert.equal(closedCalls, 1);
});

test('stdout: the abort of the root signal ends the wait; after it writes never wait', async () => {
  const out = new FakeOut();
  const ac = new AbortController();
  const w = new StdoutWriter(out, () => {}, ac.signal);
  const p = w.write('0123456789\n')!;
  assert.ok(p instanceof Promise);
  ac.abort();
  assert.equal(await settledYet(p), true);
  assert.equal(w.write('still written\n'), undefined);
  assert.equal(out.written.at(-1), 'still written\n');
});
