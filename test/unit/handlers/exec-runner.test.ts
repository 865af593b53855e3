import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runHandler } from '../../../src/handlers/exec-runner.js';
import { trackedGroups } from '../../../src/handlers/process-group.js';
import { Logger } from '../../../src/ops/log.js';
import { alive, script, tempDir } from '../../helpers/handler-fixtures.js';

function capture() {
  const lines: string[] = [];
  const log = new Logger({ color: false, level: 'debug', write: (l) => lines.push(l) });
  return { lines, log };
}

const base = { stdin: '{}\n', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, key: 'ns/cm', timeoutMs: 10_000, killGraceMs: 500 };

test('runner: a hung handler is killed at the timeout with its grandchildren (SIGTERM ignored, so SIGKILL after the grace)', async () => {
  const dir = tempDir();
  // `trap '' TERM` is inherited by the background sleep: both ignore SIGTERM.
  const h = script(dir, 'hang.sh', `trap '' TERM\nsleep 30 &\necho $! > "${dir}/gc"\necho $$ > "${dir}/self"\nwait`);
  const { lines, log } = capture();
  const r = await runHandler({ name: 'hang.sh', argv: [h] }, { ...base, log, timeoutMs: 300, killGraceMs: 300 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL', 'SIGTERM was ignored, so SIGKILL after the grace');
  const gc = Number(readFileSync(join(dir, 'gc'), 'utf8'));
  const self = Number(readFileSync(join(dir, 'self'), 'utf8'));
  assert.equal(alive(self), false, 'handler gone');
  assert.equal(alive(gc), false, 'grandchild gone');
  assert.ok(lines.some((l) => /\[hang\.sh ns\/cm\] timed out after 300ms; sending SIGTERM to its process group/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /still running 300ms after SIGTERM; sending SIGKILL/.test(l)), lines.join('\n'));
  assert.equal(trackedGroups(), 0);
});

test('runner: a handler that dies on SIGTERM takes its grandchild with it, before the kill grace', async () => {
  const dir = tempDir();
  const h = script(dir, 'slow.sh', `sleep 30 &\necho $! > "${dir}/gc"\nwait`);
  const { log } = capture();
  const r = await runHandler({ name: 'slow.sh', argv: [h] }, { ...base, log, timeoutMs: 200, killGraceMs: 5000 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGTERM', 'ended by SIGTERM: no need to wait for SIGKILL');
  assert.equal(alive(Number(readFileSync(join(dir, 'gc'), 'utf8'))), false);
});

test('runner: background processes a handler leaves behind are terminated; its exit code stands', async () => {
  const dir = tempDir();
  const h = script(dir, 'leaky.sh', `sleep 30 > /dev/null 2>&1 &\necho $! > "${dir}/gc"\necho bye\nexit 0`);
  const { lines, log } = capture();
  const r = await runHandler({ name: 'leaky.sh', argv: [h] }, { ...base, log });
  assert.equal(r.code, 0);
  assert.equal(r.timedOut, false);
  assert.equal(alive(Number(readFileSync(join(dir, 'gc'), 'utf8'))), false);
  assert.ok(lines.some((l) => /\[leaky\.sh ns\/cm\] exited but left processes running/.test(l)), lines.join('\n'));
  assert.ok(lines.includes('[leaky.sh ns/cm] bye'), lines.join('\n'));
});

test('runner: a handler that does not read a large stdin neither fails nor hangs (EPIPE is not an error)', async () => {
  const dir = tempDir();
  const h = script(dir, 'noread.sh', 'exit 0');
  const { log } = capture();
  const big = JSON.stringify({ type: 'MODIFIED', object: { data: { x: 'y'.repeat(4 * 1024 * 1024) } } }) + '\n';
  for (let i = 0; i < 3; i++) {
    const r = await runHandler({ name: 'noread.sh', argv: [h] }, { ...base, log, stdin: big, timeoutMs: 5000 });
    assert.equal(r.code, 0);
    assert.equal(r.timedOut, false);
  }
});

test('runner: a program that cannot be started is reported, not thrown', async () => {
  const dir = tempDir();
  const { log } = capture();
  const missing = await runHandler({ name: 'nope', argv: [join(dir, 'nope')] }, { ...base, log });
  assert.match(missing.spawnError ?? '', /ENOENT/);
  const notExec = script(dir, 'plain.sh', 'exit 0', 0o644);
  const denied = await runHandler({ name: 'plain.sh', argv: [notExec] }, { ...base, log });
  assert.match(denied.spawnError ?? '', /EACCES/);
});

test('runner: stdout and stderr are logged line by line with the handler and key', async () => {
  const dir = tempDir();
  const h = script(dir, 'talk.sh', `echo one\necho two >&2\nprintf 'no newline'`);
  const { lines, log } = capture();
  const r = await runHandler({ name: 'talk.sh', argv: [h] }, { ...base, log });
  assert.equal(r.code, 0);
  for (const l of ['[talk.sh ns/cm] one', '[talk.sh ns/cm] two', '[talk.sh ns/cm] no newline']) assert.ok(lines.includes(l), lines.join('\n'));
});

test('runner: an output flood (a 10 MB line, then 40 MB of lines) stays bounded in memory and is marked truncated', async () => {
  const dir = tempDir();
  const h = script(dir, 'flood.sh', `head -c 10485760 /dev/zero | tr '\\0' x\necho\nyes 'flood line of some length' | head -c 41943040`);
  const { lines, log } = capture();
  global.gc?.();
  const before = process.memoryUsage();
  let peak = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
  }, 5);
  const r = await runHandler({ name: 'flood.sh', argv: [h] }, { ...base, log, timeoutMs: 60_000, maxLineBytes: 8192, maxOutputBytes: 1024 * 1024 });
  clearInterval(sample);
  assert.equal(r.code, 0);
  const logged = lines.reduce((n, l) => n + l.length + 1, 0);
  assert.ok(logged < 1.2 * 1024 * 1024, `logged ${logged} bytes`);
  assert.ok(lines.some((l) => /…\[line truncated: 10477568 more bytes\]$/.test(l)), 'the long line is cut and marked');
  assert.ok(lines.some((l) => /\[output truncated: \d+ more line\(s\), \d+ bytes not logged\]/.test(l)), 'the flood is marked');
  // 50 MB went through; the output kept in memory is the 1 MiB of log lines plus transient chunks.
  assert.ok(peak < 40 * 1024 * 1024, `peak growth ${(peak / 1048576).toFixed(1)} MiB`);
});
