/**
 * The logger's stderr sink (src/ops/line-sink.ts) against a fake stderr:
 * bursts are written in one go; while stderr is full, lines wait up to a
 * bound, further ones are dropped and counted, and once it drains one
 * warning in the logger's format says how many.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSink, type SinkTarget } from '../../../src/ops/line-sink.js';
import { Logger } from '../../../src/ops/log.js';

class FakeErr implements SinkTarget {
  writes: string[] = [];
  accept = true;
  private drainFns: Array<() => void> = [];
  write(text: string): boolean {
    this.writes.push(text);
    return this.accept;
  }
  onceDrain(fn: () => void): void {
    this.drainFns.push(fn);
  }
  get waiting(): number {
    return this.drainFns.length;
  }
  drain(): void {
    this.accept = true;
    for (const f of this.drainFns.splice(0)) f();
  }
  lines(): string[] {
    return this.writes.join('').split('\n').filter((l) => l !== '');
  }
}

/** A sink whose end-of-burst writes run when the test says. */
function setup(o: { maxPendingChars?: number; batchChars?: number } = {}) {
  const err = new FakeErr();
  const deferred: Array<() => void> = [];
  const sink = new LineSink(err, { ...o, defer: (fn) => deferred.push(fn) });
  const endOfBurst = () => { for (const f of deferred.splice(0)) f(); };
  return { err, sink, endOfBurst };
}

test('log sink: the lines of one burst are written in one write, at the end of the burst', () => {
  const { err, sink, endOfBurst } = setup();
  const log = new Logger({ color: false, sink });
  log.info('one');
  log.warn('two');
  log.event('MODIFIED', 'ns/a');
  assert.equal(err.writes.length, 0);
  endOfBurst();
  assert.deepEqual(err.writes, ['one\nwarn two\nMODIFIED ns/a\n']);
});

test('log sink: a burst reaching the batch size is written at once', () => {
  const { err, sink } = setup({ batchChars: 20 });
  const log = new Logger({ color: false, sink });
  log.info('0123456789');
  assert.equal(err.writes.length, 0);
  log.info('0123456789');
  assert.deepEqual(err.writes, ['0123456789\n0123456789\n']);
});

test('log sink: while stderr is full, lines wait up to the bound, the rest are dropped and counted, and one warning reports them at drain', () => {
  const { err, sink, endOfBurst } = setup({ maxPendingChars: 100 });
  const log = new Logger({ color: false, sink });
  err.accept = false;
  log.info('first');
  endOfBurst();
  assert.deepEqual(err.writes, ['first\n']);
  assert.equal(err.waiting, 1, 'waits for drain');
  for (let i = 0; i < 1000; i++) log.info(`line ${String(i).padStart(4, '0')}`);
  endOfBurst();
  assert.equal(err.writes.length, 1, 'nothing written while full');
  assert.ok(sink.pendingSize <= 100, `bounded: ${sink.pendingSize}`);
  const kept = Math.floor(100 / 'line 0000\n'.length);
  assert.equal(sink.unreported, 1000 - kept);
  err.drain();
  const lines = err.lines();
  assert.deepEqual(lines.slice(0, 1 + kept), ['first', ...Array.from({ length: kept }, (_, i) => `line ${String(i).padStart(4, '0')}`)]);
  assert.deepEqual(lines.slice(1 + kept), [`warn dropped ${1000 - kept} log line(s) while stderr was full reason=dropped dropped=${1000 - kept}`]);
  assert.equal(sink.unreported, 0);
  assert.equal(sink.droppedTotal, 1000 - kept);
  // Back to normal: nothing more is dropped or reported.
  log.info('after');
  endOfBurst();
  assert.equal(err.lines().at(-1), 'after');
  assert.equal(err.lines().filter((l) => /dropped/.test(l)).length, 1);
});

test('log sink: the dropped-lines warning is in the logger\'s format (JSON)', () => {
  const { err, sink, endOfBurst } = setup({ maxPendingChars: 10 });
  const log = new Logger({ format: 'json', sink });
  err.accept = false;
  log.info('x');
  endOfBurst();
  for (let i = 0; i < 5; i++) log.info('a longer message than the bound');
  err.drain();
  const rec = JSON.parse(err.lines().at(-1)!);
  assert.equal(rec.level, 'warn');
  assert.equal(rec.msg, 'dropped 5 log line(s) while stderr was full');
  assert.equal(rec.dropped, 5);
});

test('log sink: flush() writes the pending lines even while full (another writer, the exit), still bounded', () => {
  const { err, sink } = setup({ maxPendingChars: 30 });
  const log = new Logger({ color: false, sink });
  err.accept = false;
  log.info('a'.repeat(70000)); // over the batch size: written at once, and stderr is now full
  assert.equal(err.writes.length, 1);
  log.info('kept');
  for (let i = 0; i < 10; i++) log.info('late line');
  sink.flush();
  // 'kept\n' (5) + two 'late line\n' (10 each) fit in 30 characters; the other 8 were dropped.
  assert.equal(err.writes.at(-1), 'kept\nlate line\nlate line\n');
  assert.equal(sink.unreported, 8);
  assert.equal(sink.pendingSize, 0);
});

test('log sink: at exit (stderr never drained) the pending lines and the count of dropped ones are written', () => {
  const { err, sink, endOfBurst } = setup({ maxPendingChars: 12 });
  const log = new Logger({ color: false, sink });
  err.accept = false;
  log.info('x');
  endOfBurst();
  for (let i = 0; i < 4; i++) log.info('line five');
  sink.finish();
  assert.deepEqual(err.lines(), ['x', 'line five', 'warn dropped 3 log line(s) while stderr was full reason=dropped dropped=3']);
  assert.equal(sink.unreported, 0);
});
