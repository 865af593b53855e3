/**
 * Hostile readers of cmwatch's output (issue 11, items 4 and 7): a stderr
 * nobody reads, a stdout nobody reads at SIGTERM, and a --no-coalesce flood
 * for one key behind a slow handler. Each must leave cmwatch's memory
 * bounded and its shutdown prompt.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { BIN, ROOT, runCli, until, type CliRun } from '../helpers/cli.js';
import { script, tempDir } from '../helpers/handler-fixtures.js';
import { vmKiB } from '../helpers/paced-reader.js';
import { startStreamServer, type StreamServer } from '../helpers/stream-server.js';

const fx = fakeFixture({ lazy: true });

type Child = ChildProcessByStdio<null, Readable, Readable>;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function streamServer(events: number, selectorChars?: number): Promise<StreamServer> {
  const s = await startStreamServer({ events, ...(selectorChars ? { selectorChars } : {}) });
  cleanup.push(() => s.close());
  return s;
}

/** The real CLI with both output streams piped and not read: the test reads them when it wants. */
function spawnCli(args: string[]): { child: Child; exited: Promise<number | null>; peakKiB: () => number } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  child.stderr.pause();
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, vmKiB(child.pid!, 'VmHWM'))), 100);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => { clearInterval(sample); r(code); }));
  cleanup.push(() => { child.kill('SIGKILL'); clearInterval(sample); });
  return { child, exited, peakKiB: () => Math.max(peak, vmKiB(child.pid!, 'VmHWM')) };
}

/** Reads a stream line by line, from now on. */
function lineReader(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const l of parts) onLine(l);
  });
  stream.resume();
}

/**
 * watch -o json of 60,000 events whose log lines are about 1 KiB each
 * (a long selector annotation), stdout read fast; stderr read too, or not
 * until every event is on stdout.
 */
async function floodLogs(readStderr: boolean) {
  const events = 60_000;
  const server = await streamServer(events, 1000);
  const c = spawnCli(['watch', '--server', server.url, '-n', server.namespace, '-o', 'json']);
  let out = 0;
  let last = '';
  const err: string[] = [];
  let resolveLast: () => void = () => {};
  const gotLast = new Promise<void>((r) => (resolveLast = r));
  lineReader(c.child.stdout, (l) => {
    out++;
    last = l;
    if (l.includes(`"name":"${server.lastName}"`)) resolveLast();
  });
  if (readStderr) lineReader(c.child.stderr, (l) => err.push(l));
  await Promise.race([gotLast, c.exited.then((code) => assert.fail(`exited early with ${code}`))]);
  const peakKiB = c.peakKiB();
  if (!readStderr) lineReader(c.child.stderr, (l) => err.push(l));
  return { events, c, out, last, err, peakKiB };
}

test('a stderr nobody reads stays bounded: log lines are dropped, counted and reported once it drains; stdout loses nothing', { timeout: 120_000 }, async () => {
  const read = await floodLogs(true);
  read.c.child.kill('SIGTERM');
  assert.equal(await read.c.exited, 0);
  const unread = await floodLogs(false);
  const dropped = await until(() => unread.err.some((l) => /dropped \d+ log line/.test(l)), 20_000, 'the dropped-lines warning').then(
    () => unread.err.find((l) => /dropped \d+ log line/.test(l))!,
  );
  unread.c.child.kill('SIGTERM');
  assert.equal(await unread.c.exited, 0);
  const report = `peak with stderr read ${(read.peakKiB / 1024).toFixed(0)} MiB, unread ${(unread.peakKiB / 1024).toFixed(0)} MiB`;
  if (process.env.CMWATCH_TEST_VERBOSE) process.stderr.write(`  ${report}; ${dropped}\n`);

  assert.equal(unread.out, unread.events, 'every event on stdout');
  assert.match(unread.last, /"name":"last"/);
  const m = /^warn dropped (\d+) log line\(s\) while stderr was full reason=dropped dropped=\d+$/.exec(dropped);
  assert.ok(m, dropped);
  const n = Number(m[1]);
  const eventLines = unread.err.filter((l) => /^(ADDED|MODIFIED) stream\//.test(l)).length;
  assert.ok(n > 0 && eventLines < unread.events, `${eventLines} event lines written, ${n} dropped`);
  assert.ok(eventLines + n >= unread.events, `each log line is written or counted: ${eventLines} + ${n}`);
  assert.equal(unread.err.filter((l) => /dropped \d+ log line/.test(l)).length, 1, 'reported once');
  // Read, stderr may still fill for a moment when this process lags (a loaded machine, another test file beside
  // it: CI saw 7 lines dropped once); then those lines are counted too, so the same accounting holds.
  const readDropped = read.err.map((l) => /^warn dropped (\d+) log line/.exec(l)).reduce((sum, x) => sum + (x ? Number(x[1]) : 0), 0);
  const readLines = read.err.filter((l) => /^(ADDED|MODIFIED) stream\//.test(l)).length;
  assert.ok(readLines + readDropped >= read.events, `stderr read: each log line is written or counted: ${readLines} + ${readDropped}`);
  assert.ok(readDropped < n, `fewer dropped while stderr is read (${readDropped}) than while it is not (${n})`);
  assert.ok(unread.peakKiB <= read.peakKiB * 1.5, report);
});

test('SIGTERM while nobody reads stdout or stderr exits promptly with exit 0', { timeout: 60_000 }, async () => {
  const server = await streamServer(200_000);
  const c = spawnCli(['events', '--server', server.url, '-n', server.namespace, '--log-level', 'debug']);
  await until(() => server.watches > 0, 10_000, 'the watch');
  // Until both pipes are full and cmwatch has stopped reading the watch.
  let seen = -1;
  await until(async () => {
    const now = server.written;
    if (now === seen) return true;
    seen = now;
    await sleep(500);
    return false;
  }, 30_000, 'the server to stop sending');
  assert.ok(server.written < 200_000, `the watch is not read ahead of stdout (${server.written} sent)`);
  const sent = Date.now();
  c.child.kill('SIGTERM');
  const code = await Promise.race([c.exited, sleep(10_000).then(() => 'still running 10 s after SIGTERM')]);
  assert.equal(code, 0, `exit ${code} after ${Date.now() - sent} ms`);
});

let cli: CliRun | undefined;
afterEach(async () => {
  await cli?.stop('SIGKILL');
  cli = undefined;
});

test('--no-coalesce: 100,000 events for one key behind a slow handler stay within --max-pending-per-key, warned once and counted', { timeout: 120_000 }, async () => {
  const api = await fx.start();
  api.upsertConfigMap('default', 'flood', { v: '0' });
  const h = script(tempDir(), 'slow.sh', 'cat >/dev/null; sleep 0.5');
  cli = runCli(['watch', '--server', api.url, '-n', 'default', '--no-coalesce', '--on', 'MODIFIED', '--exec', h,
    '--metrics-addr', '127.0.0.1:0', '--shutdown-grace', '20s']);
  const c = cli;
  const metricsUrl = /(http:\/\/\S+)/.exec(await c.waitFor(/^metrics on http/))![1]!;
  await c.waitFor(/synced 1 object/);
  const N = 100_000;
  api.batch(() => {
    for (let i = 1; i <= N; i++) api.upsertConfigMap('default', 'flood', { v: String(i) });
  });
  api.upsertConfigMap('default', 'zz-last', { v: '1' });
  await c.waitFor(/^ADDED default\/zz-last/, 60_000);
  const metrics = await (await fetch(metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
  assert.ok(value('cmwatch_queue_depth') <= 1000, `queue depth ${value('cmwatch_queue_depth')}`);
  assert.equal(value('cmwatch_queue_coalesce_fallbacks_total'), 1, metrics);
  const warnings = c.stderr.filter((l) => /reason=coalesce_fallback/.test(l));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^warn default\/flood: 1000 events waiting to run in order \(the bound per key is 1000\); coalescing them into the latest until default\/flood has no work left/);
  assert.equal(await c.stop('SIGTERM'), 0, c.stderr.filter((l) => !/^MODIFIED/.test(l)).slice(-20).join('\n'));
  // The handler ran for the first change and then for the latest ones, not 100,000 times.
  const runs = c.stderr.filter((l) => /^\[slow\.sh default\/flood\] exit 0/.test(l)).length;
  assert.ok(runs >= 1 && runs < 1000, `${runs} runs`);
});
