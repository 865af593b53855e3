/**
 * The handler engine end to end, through the real CLI: `cmwatch replay`
 * feeds recorded events through the same queue and handlers as a watch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { alive, cm, lines, recording, script, tempDir } from '../helpers/handler-fixtures.js';

interface Done { code: number | null; stdout: string[]; stderr: string[] }

async function replay(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Done> {
  const c = runCli(['replay', ...args], opts);
  const code = await c.exited;
  return { code, stdout: c.stdout, stderr: c.stderr };
}

function file(dir: string, text: string): string {
  const f = join(dir, 'events.ndjson');
  writeFileSync(f, text);
  return f;
}

test('1. 100 events for one key against a slow handler yield few runs, and the last run sees the final state', async () => {
  const dir = tempDir();
  const h = script(dir, 'slow.sh', `jq -r .object.data.n >> "${dir}/seen"\nsleep 0.3`);
  const events = [...Array(100).keys()].map((i) => ({ type: 'MODIFIED', object: cm('burst', 1000 + i, { n: String(i + 1) }) }));
  const r = await replay([file(dir, recording(events)), '--exec', h]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const seen = lines(join(dir, 'seen'));
  assert.ok(seen.length >= 1 && seen.length <= 5, `runs saw: ${seen.join(',')}`);
  assert.equal(seen.at(-1), '100');
});

test('2. one run per key at a time: a handler holding a lock never sees another run of its key', async () => {
  const dir = tempDir();
  const h = script(dir, 'locked.sh', [
    `lock="${dir}/$CMWATCH_NAME.lock"`,
    `if ! mkdir "$lock" 2>/dev/null; then echo "$CMWATCH_NAME" >> "${dir}/overlaps"; fi`,
    'sleep 0.05',
    `echo "$CMWATCH_RESOURCE_VERSION" >> "${dir}/$CMWATCH_NAME.runs"`,
    'rmdir "$lock" 2>/dev/null || true',
  ].join('\n'));
  const events = [];
  for (let i = 0; i < 8; i++) for (const k of ['a', 'b', 'c']) events.push({ type: 'MODIFIED', object: cm(k, 100 + i, { i: String(i) }) });
  const r = await replay([file(dir, recording(events)), '--exec', h, '--no-coalesce', '--concurrency', '8']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'overlaps')), []);
  for (const k of ['a', 'b', 'c']) {
    assert.deepEqual(lines(join(dir, `${k}.runs`)), [...Array(8).keys()].map((i) => String(100 + i)), `${k}: every event, in order`);
  }
});

test('3. the concurrency bound holds across keys, and it is used', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'running'));
  const h = script(dir, 'count.sh', [
    `touch "${dir}/running/$$"`,
    `ls "${dir}/running" | wc -l >> "${dir}/counts"`,
    'sleep 0.3',
    `rm "${dir}/running/$$"`,
  ].join('\n'));
  const events = [...Array(9).keys()].map((i) => ({ type: 'MODIFIED', object: cm(`k${i}`, 10 + i, { i: String(i) }) }));
  const r = await replay([file(dir, recording(events)), '--exec', h, '--concurrency', '3']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const counts = lines(join(dir, 'counts')).map(Number);
  assert.equal(counts.length, 9);
  assert.ok(Math.max(...counts) <= 3, `at most 3 at once: ${counts}`);
  assert.ok(Math.max(...counts) >= 2, `runs did overlap across keys: ${counts}`);
});

test('4. a hung handler is killed at the timeout with its grandchildren, and retried', async () => {
  const dir = tempDir();
  const h = script(dir, 'hang.sh', [
    `echo "$CMWATCH_ATTEMPT" >> "${dir}/attempts"`,
    'if [ "$CMWATCH_ATTEMPT" = 1 ]; then',
    "  trap '' TERM",
    '  sleep 30 &',
    `  echo $! > "${dir}/grandchild"`,
    '  wait',
    'fi',
    'exit 0',
  ].join('\n'));
  const r = await replay([file(dir, recording([{ type: 'MODIFIED', object: cm('hung', 7, { x: '1' }) }])), '--exec', h,
    '--timeout', '300ms', '--kill-grace', '200ms', '--retry-base', '50ms']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'attempts')), ['1', '2']);
  const gc = Number(lines(join(dir, 'grandchild'))[0]);
  assert.ok(gc > 0);
  assert.equal(alive(gc), false, 'the background sleep was killed too');
  const err = r.stderr.join('\n');
  assert.match(err, /\[hang\.sh default\/hung\] timed out after 300ms; sending SIGTERM to its process group/);
  assert.match(err, /sending SIGKILL to its process group/);
  assert.match(err, /retry 1\/5 in 50ms/);
});

test('5. a failing handler is retried with growing delays, then given up (exit 5); a later change runs it again', async () => {
  const dir = tempDir();
  const h = script(dir, 'fail.sh', [
    `echo "$CMWATCH_RESOURCE_VERSION $(date +%s%3N)" >> "${dir}/runs"`,
    'exit "$(jq -r .object.data.code)"',
  ].join('\n'));
  const events = [
    { type: 'MODIFIED', object: cm('flaky', 2, { code: '3' }) },
    { type: 'MODIFIED', object: cm('flaky', 3, { code: '0' }) },
  ];
  const r = await replay([file(dir, recording(events)), '--exec', h, '--max-retries', '3', '--retry-base', '100ms', '--rate', '0.4']);
  assert.equal(r.code, 5, r.stderr.join('\n'));
  const runs = lines(join(dir, 'runs')).map((l) => l.split(' ').map(Number) as [number, number]);
  assert.deepEqual(runs.map(([rv]) => rv), [2, 2, 2, 2, 3], 'run + 3 retries of rv 2, then rv 3 afresh');
  // The delays grow (the log states each one; timers never fire early, so no wall-clock check is needed).
  const err = r.stderr.join('\n');
  assert.match(err, /retry 1\/3 in 100ms/);
  assert.match(err, /retry 2\/3 in 200ms/);
  assert.match(err, /retry 3\/3 in 400ms/);
  assert.match(err, /giving up on default\/flaky after 4 attempts: fail\.sh exit 3; its next change starts afresh/);
  assert.match(err, /\[fail\.sh default\/flaky\] exit 0/);
});

test('exit 75 is a temporary failure: retried without counting against --max-retries', async () => {
  const dir = tempDir();
  const h = script(dir, 'temp.sh', `echo "$CMWATCH_ATTEMPT" >> "${dir}/attempts"\n[ "$CMWATCH_ATTEMPT" -ge 3 ] || exit 75`);
  const r = await replay([file(dir, recording([{ type: 'MODIFIED', object: cm('t', 5, { a: '1' }) }])), '--exec', h, '--max-retries', '0', '--retry-base', '20ms']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'attempts')), ['1', '2', '3']);
  assert.match(r.stderr.join('\n'), /exit 75 \(temporary failure\)/);
  assert.match(r.stderr.join('\n'), /retry \(temporary failure, not counted\)/);
});

test('6. --exec-dir runs executables in name order after --exec handlers, and warns about non-executables', async () => {
  const dir = tempDir();
  const hd = join(dir, 'handlers.d');
  mkdirSync(hd);
  const body = `echo "$(basename "$0")" >> "${dir}/order"`;
  for (const n of ['10-third', '02-first', '1-second']) script(hd, n, body);
  script(hd, '05-not-executable', body, 0o644);
  script(hd, '.hidden', body);
  mkdirSync(join(hd, 'sub'));
  const pre = script(dir, 'pre.sh', body);
  const r = await replay([file(dir, recording([{ type: 'MODIFIED', object: cm('x', 2, { a: '1' }) }, { type: 'MODIFIED', object: cm('y', 3, { a: '1' }) }])),
    '--exec', pre, '--exec-dir', hd, '--concurrency', '1']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const once = ['pre.sh', '02-first', '1-second', '10-third'];
  assert.deepEqual(lines(join(dir, 'order')), [...once, ...once]);
  const warns = r.stderr.filter((l) => /skipping .*05-not-executable: not executable/.test(l));
  assert.equal(warns.length, 1, r.stderr.join('\n'));
  assert.match(r.stderr.join('\n'), /handlers on MODIFIED, in order: pre\.sh, 02-first, 1-second, 10-third/);
});

test('the first handler that fails ends the chain; the retry runs the chain again from the start', async () => {
  const dir = tempDir();
  const a = script(dir, 'a.sh', `echo "a$CMWATCH_ATTEMPT" >> "${dir}/order"`);
  const b = script(dir, 'b.sh', `echo "b$CMWATCH_ATTEMPT" >> "${dir}/order"\n[ "$CMWATCH_ATTEMPT" = 2 ]`);
  const c = script(dir, 'c.sh', `echo "c$CMWATCH_ATTEMPT" >> "${dir}/order"`);
  const r = await replay([file(dir, recording([{ type: 'MODIFIED', object: cm('x', 2, { a: '1' }) }])), '--exec', a, '--exec', b, '--exec', c, '--retry-base', '20ms']);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'order')), ['a1', 'b1', 'a2', 'b2', 'c2']);
});

test('handlers leave no process behind after replay', async () => {
  const dir = tempDir();
  const h = script(dir, 'bg.sh', `sleep 30 > /dev/null 2>&1 &\necho $! >> "${dir}/bg"`);
  const r = await replay([file(dir, recording([{ type: 'MODIFIED', object: cm('x', 2, { a: '1' }) }, { type: 'MODIFIED', object: cm('y', 2, { a: '1' }) }])), '--exec', h]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  for (const pid of lines(join(dir, 'bg')).map(Number)) assert.equal(alive(pid), false, `pid ${pid}`);
  assert.ok(readdirSync(dir).includes('bg'));
});
