/**
 * `cmwatch events` end to end: the real CLI against the fake API server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli, until, BIN, ROOT, type CliRun } from '../helpers/cli.js';

let api: FakeApiServer | undefined;
const fx = fakeFixture({
  lazy: true,
  command: 'events',
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'a', { v: '1' });
    a.upsertConfigMap('default', 'b', { v: '1' });
    a.upsertConfigMap('other', 'c', { v: '1' });
  },
});

const fake = () => fx.start();

function events(args: string[]): CliRun {
  return fx.cmwatch(args);
}

const lines = (c: CliRun) => c.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string; namespace: string }; data?: Record<string, string> } });
const brief = (c: CliRun) => lines(c).map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name} ${e.object.data?.v ?? '-'}`);
const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'no stack trace');

test('events: one {"type","object"} line per change; the baseline is not printed by default; no-op updates are skipped', async () => {
  await fake();
  const c = events(['-n', 'default']);
  await c.waitFor(/synced 2 object/);
  api!.upsertConfigMap('default', 'a', { v: '2' });
  api!.upsertConfigMap('default', 'a', { v: '2' }, { note: 'metadata only' }); // same content: skipped
  api!.upsertConfigMap('default', 'new', { v: '1' });
  api!.upsertConfigMap('other', 'c', { v: '2' }); // another namespace
  api!.deleteConfigMap('default', 'b');
  await until(() => c.stdout.length >= 3);
  api!.closeWatches(); // resumes without replay
  api!.upsertConfigMap('default', 'a', { v: '3' });
  await until(() => c.stdout.length >= 4);
  assert.deepEqual(brief(c), ['MODIFIED default/a 2', 'ADDED default/new 1', 'DELETED default/b 1', 'MODIFIED default/a 3']);
  assert.deepEqual(Object.keys(JSON.parse(c.stdout[0]!)), ['type', 'object']);
  assert.equal(JSON.parse(c.stdout[0]!).object.kind, 'ConfigMap');
  assert.equal(await c.stop('SIGTERM'), 0);
  noStack(c.stderr.join('\n'));
});

test('events: --on SYNC,… marks the objects that exist at start; --on filters types; -A watches every namespace; --trigger any prints no-op updates', async () => {
  await fake();
  const c = events(['-A', '--on', 'sync,modified', '--trigger', 'any']);
  await until(() => c.stdout.length >= 3);
  api!.upsertConfigMap('default', 'a', { v: '1' }, { note: 'metadata only' });
  api!.upsertConfigMap('other', 'new', { v: '1' }); // ADDED: not printed
  api!.upsertConfigMap('other', 'c', { v: '2' });
  await until(() => c.stdout.length >= 5);
  assert.deepEqual(brief(c), ['SYNC default/a 1', 'SYNC default/b 1', 'SYNC other/c 1', 'MODIFIED default/a 1', 'MODIFIED other/c 2']);
  assert.equal(await c.stop('SIGINT'), 0);
});

test('events: exits 0 when the reader of the pipe goes away (| head -1), with no stack trace', async () => {
  await fake();
  const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" events --server "${api!.url}" -n default | head -1`], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => (done = true));
  await until(() => /synced 2 object/.test(err), 10_000, 'sync');
  // Keep changing until cmwatch writes into the closed pipe and exits.
  for (let i = 2; !done && i < 400; i++) {
    api!.upsertConfigMap('default', 'a', { v: String(i) });
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(await exited, 0, `pipeline status (pipefail: cmwatch's); stderr:\n${err}`);
  assert.equal(out.trim().split('\n').length, 1);
  assert.equal(JSON.parse(out).type, 'MODIFIED');
  noStack(err);
});

test('events: exits 0 when its stdout is closed by the reader, with no stack trace', async () => {
  await fake();
  const c = events(['-n', 'default']);
  await c.waitFor(/synced 2 object/);
  api!.upsertConfigMap('default', 'a', { v: '2' });
  await until(() => c.stdout.length >= 1);
  c.child.stdout!.destroy();
  let done = false;
  void c.exited.then(() => (done = true));
  for (let i = 3; !done && i < 400; i++) {
    api!.upsertConfigMap('default', 'a', { v: String(i) });
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(await c.exited, 0, c.stderr.join('\n'));
  noStack(c.stderr.join('\n'));
});

test('events: --exit-on-error makes a 403 fatal: exit 3 and one line naming the verb, the URL and what to check', async () => {
  await fake();
  api!.faults.push({ kind: 'status', status: 403, reason: 'Forbidden', on: 'list' });
  const c = events(['-n', 'default', '--exit-on-error']);
  assert.equal(await c.exited, 3);
  const errors = c.stderr.filter((l) => /403/.test(l));
  assert.equal(errors.length, 1, c.stderr.join('\n'));
  assert.match(errors[0]!, /^error list http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/configmaps\?limit=500: HTTP 403 Forbidden: injected 403 \(hint: check RBAC: the identity needs "list" on configmaps/);
  assert.deepEqual(c.stdout, []);
  noStack(c.stderr.join('\n'));
});

test('events and watch: with several namespaces, a fatal error in one stops the others (exit 3, no hang)', async () => {
  for (const cmd of ['events', 'watch']) {
    await fake();
    api!.faults.push({ kind: 'status', status: 403, reason: 'Forbidden', on: 'list' });
    const c = fx.run([cmd, '--server', api!.url, '-n', 'default', '-n', 'other', '--exit-on-error']);
    assert.equal(await c.exited, 3, `${cmd}: ${c.stderr.join('\n')}`);
    assert.equal(c.stderr.filter((l) => /HTTP 403/.test(l)).length, 1, c.stderr.join('\n'));
    await api!.stop();
    api = undefined;
  }
});

test('events: without --exit-on-error a 403 is logged and retried (RBAC applied later works)', async () => {
  await fake();
  api!.faults.push({ kind: 'status', status: 403, reason: 'Forbidden', on: 'list' });
  const c = events(['-n', 'default', '--on', 'SYNC']);
  await c.waitFor(/HTTP 403 Forbidden.*listing again in/);
  assert.equal(c.child.exitCode, null, 'still running');
  assert.equal(await c.stop(), 0);
});

test('events: bad input is a one-line error with a hint and exit 2', async () => {
  await fake();
  const cases: Array<[string[], RegExp]> = [
    [['--on', 'ADDED,NOPE'], /^cmwatch: --on: unknown event type "NOPE" \(hint: use a comma list of SYNC, ADDED, MODIFIED, DELETED\)$/],
    [['--stall-timeout', '0'], /^cmwatch: --stall-timeout: must be longer than 0, got "0" \(hint: .*\)$/],
    [['--stall-timeout', 'soon'], /^cmwatch: --stall-timeout: invalid duration "soon" \(hint: .*\)$/],
    [['--trigger', 'sometimes'], /^cmwatch: --trigger: unknown mode "sometimes" \(hint: use content \(default\) or any\)$/],
    [['-n', 'Bad_NS'], /^cmwatch: namespace "Bad_NS" is not a valid name \(hint: .*\)$/],
    [['-l', 'app in (a'], /^cmwatch: --selector: invalid label selector .*\(hint: .*\)$/],
    [['--server', 'ftp://x'], /^cmwatch: --server: unsupported scheme .*\(hint: .*\)$/],
    [['--nope'], /^cmwatch: unknown option '--nope'.*\(hint: see cmwatch events --help\)$/],
  ];
  for (const [args, re] of cases) {
    const c = runCli(['events', ...args]);
    assert.equal(await c.exited, 2, `${args.join(' ')}: ${c.stderr.join('\n')}`);
    assert.equal(c.stderr.length, 1, `${args.join(' ')}: ${c.stderr.join('\n')}`);
    assert.match(c.stderr[0]!, re);
    assert.deepEqual(c.stdout, []);
  }
  // watch shares the stall-timeout rule: 0 would re-watch in a hot loop.
  const w = runCli(['watch', '--stall-timeout', '0s']);
  assert.equal(await w.exited, 2, w.stderr.join('\n'));
  assert.match(w.stderr.join('\n'), /^cmwatch: --stall-timeout: must be longer than 0, got "0s" \(hint: .*\)$/);
});

test('events: --help documents the shell loop, SYNC and the exit codes', async () => {
  const c = runCli(['events', '--help']);
  assert.equal(await c.exited, 0);
  const help = c.stdout.join('\n');
  for (const s of ['--on <types>', '--trigger <mode>', '--stall-timeout <duration>', '--exit-on-error', '-A, --all-namespaces', 'while read -r event', 'SYNC', 'Exit codes']) {
    assert.ok(help.includes(s), `help mentions ${s}`);
  }
});
