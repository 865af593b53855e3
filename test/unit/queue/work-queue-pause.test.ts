/** The work queue's pause (a standby, or a leader that lost its lease) and resume. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, type Outcome } from '../../../src/queue/work-queue.js';
import { Logger } from '../../../src/ops/log.js';

function gate() {
  let open!: (o: Outcome) => void;
  const p = new Promise<Outcome>((r) => (open = r));
  return { p, open };
}

function queue(concurrency = 1) {
  const started: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();
  const q = new WorkQueue<number>({
    log: new Logger({ level: 'error', write: () => {} }),
    concurrency, baseDelayMs: 5, maxDelayMs: 5,
    worker: (key, item) => {
      started.push(`${key}:${item}`);
      const g = gate();
      gates.set(`${key}:${item}`, g);
      return g.p;
    },
  });
  return { q, started, gates };
}

test('pause drops waiting work, lets the running run finish, starts nothing and accepts nothing until resume', async () => {
  const { q, started, gates } = queue(1);
  q.add('a', 1);
  q.add('b', 1);
  q.add('c', 1);
  assert.deepEqual(started, ['a:1']);
  assert.equal(q.depth, 2);
  assert.deepEqual(q.pause().sort(), ['b', 'c']);
  assert.equal(q.depth, 0);
  assert.equal(q.isPaused, true);
  assert.equal(q.add('d', 1), false, 'nothing accepted while paused');
  gates.get('a:1')!.open({ kind: 'ok' });
  await q.settled();
  assert.deepEqual(started, ['a:1'], 'nothing started while paused');
  q.resume();
  assert.equal(q.add('e', 1), true);
  assert.deepEqual(started, ['a:1', 'e:1'], 'only work added after resume runs');
  gates.get('e:1')!.open({ kind: 'ok' });
  await q.settled();
});

test('a run that fails while paused is not retried; a pending retry is dropped by pause', async () => {
  const { q, started, gates } = queue(2);
  q.add('a', 1);
  q.add('b', 1);
  gates.get('b:1')!.open({ kind: 'failed', reason: 'boom' });
  await new Promise((r) => setImmediate(r));
  assert.equal(q.depth, 1, 'b waits for its retry');
  assert.deepEqual(q.pause(), ['b']);
  gates.get('a:1')!.open({ kind: 'failed', reason: 'boom' });
  await q.settled();
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(started, ['a:1', 'b:1'], 'neither retried');
  assert.equal(q.depth, 0);
});
