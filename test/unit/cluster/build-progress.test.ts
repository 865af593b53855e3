import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildProgress, formatElapsed, type ProgressClock } from '../../cluster/build-progress.js';

/** A clock whose interval fires only when the test advances it. */
class ManualClock implements ProgressClock {
  t = 0;
  private timers: Array<{ fn: () => void; every: number; next: number }> = [];
  now(): number {
    return this.t;
  }
  setInterval(fn: () => void, ms: number): unknown {
    const timer = { fn, every: ms, next: this.t + ms };
    this.timers.push(timer);
    return timer;
  }
  clearInterval(h: unknown): void {
    this.timers = this.timers.filter((x) => x !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      due.next += due.every;
      due.fn();
    }
    this.t = end;
  }
}

function rig() {
  const clock = new ManualClock();
  const lines: Array<{ at: number; text: string }> = [];
  const p = new BuildProgress({ binaries: ['etcd', 'kube-apiserver', 'kube-controller-manager'], clock, write: (text) => lines.push({ at: clock.t, text }) });
  return { clock, lines, p };
}

test('formatElapsed: seconds, then minutes and seconds', () => {
  assert.equal(formatElapsed(7_400), '7 s');
  assert.equal(formatElapsed(125_000), '2 min 05 s');
  assert.equal(formatElapsed(762_000), '12 min 42 s');
});

test('each build.sh line carries the elapsed time; each binary is announced once with its time and count', () => {
  const { clock, lines, p } = rig();
  p.line('go mod download');
  clock.advance(95_000);
  p.binary('etcd');
  p.binary('etcd');
  clock.advance(500_000);
  p.binary('kube-apiserver');
  assert.deepEqual(lines.map((l) => l.text), [
    '[cluster-build] [0 s] go mod download',
    '[cluster-build] [1 min 35 s] built etcd (1/3)',
    '[cluster-build] [9 min 55 s] built kube-apiserver (2/3)',
  ]);
});

test('a silent 12-minute build gets a heartbeat at least every 30 s, naming what is still pending', () => {
  const { clock, lines, p } = rig();
  p.start();
  p.line('go build etcd kube-apiserver kube-controller-manager');
  clock.advance(200_000);
  p.binary('etcd');
  clock.advance(562_000);
  p.stop();
  const times = [0, ...lines.map((l) => l.at), clock.t];
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! <= 30_000, `a gap of ${times[i]! - times[i - 1]!} ms before line ${i}`);
  const beats = lines.filter((l) => l.text.includes('still building'));
  assert.ok(beats.length >= 20, `${beats.length} heartbeats in 12 min`);
  assert.equal(beats[0]!.text, '[cluster-build] [30 s] still building: 0/3 binaries done, waiting for etcd, kube-apiserver, kube-controller-manager');
  assert.match(beats.at(-1)!.text, /still building: 1\/3 binaries done, waiting for kube-apiserver, kube-controller-manager$/);
});

test('no heartbeat while lines keep coming, and none after stop()', () => {
  const { clock, lines, p } = rig();
  p.start();
  for (let i = 0; i < 10; i++) {
    clock.advance(20_000);
    p.line(`step ${i}`);
  }
  assert.equal(lines.filter((l) => l.text.includes('still building')).length, 0);
  p.stop();
  clock.advance(120_000);
  assert.equal(lines.length, 10);
});

test('a binary noticed late is announced with the time it was written (its mtime), not the time it was seen', () => {
  const { clock, lines, p } = rig();
  clock.advance(400_000);
  p.binary('kube-controller-manager', 390_000);
  assert.deepEqual(lines.map((l) => l.text), ['[cluster-build] [6 min 30 s] built kube-controller-manager (1/3)']);
});
