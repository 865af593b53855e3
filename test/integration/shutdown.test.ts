/**
 * 7. Shutdown of the real CLI watching the fake API server: SIGTERM drains
 * running handlers (exit 0) and drops queued work; a handler still running
 * after --shutdown-grace is killed with its process tree (exit 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until, type CliRun } from '../helpers/cli.js';
import { alive, lines, script, tempDir } from '../helpers/handler-fixtures.js';

let api: FakeApiServer;
const fx = fakeFixture({
  args: ['-n', 'default'],
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'a', { v: '1' });
    a.upsertConfigMap('default', 'b', { v: '1' });
  },
});

function start(args: string[]): CliRun {
  return fx.cmwatch(args);
}

test('7a. SIGTERM during a run lets it finish, drops queued work with its key, and exits 0', async () => {
  const dir = tempDir();
  const h = script(dir, 'work.sh', `echo start >> "${dir}/$CMWATCH_NAME.start"\nsleep 0.6\necho done >> "${dir}/$CMWATCH_NAME.done"`);
  const c = start(['--exec', h, '--concurrency', '1', '--shutdown-grace', '20s']);
  await c.waitFor(/synced 2 object/);
  api.upsertConfigMap('default', 'a', { v: '2' });
  await until(() => existsSync(join(dir, 'a.start')), 10_000, 'a started');
  api.upsertConfigMap('default', 'b', { v: '2' });
  await c.waitFor(/MODIFIED default\/b/);
  const code = await c.stop('SIGTERM');
  assert.equal(code, 0, c.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'a.done')), ['done'], 'the running handler finished');
  assert.equal(existsSync(join(dir, 'b.start')), false, 'queued work did not start');
  const err = c.stderr.join('\n');
  assert.match(err, /shutting down: waiting up to 20s for 1 running handler run/);
  assert.match(err, /shutdown: dropped queued work that had not started for 1 key\(s\): default\/b/);
  assert.match(err, /shutdown: all running handlers finished/);
});

test('7b. SIGTERM with a hung handler: killed with its grandchildren after --shutdown-grace, exit 4', async () => {
  const dir = tempDir();
  const h = script(dir, 'hung.sh', `trap '' TERM\nsleep 60 &\necho $! > "${dir}/gc"\necho $$ > "${dir}/self"\nwait`);
  const c = start(['--exec', h, '--shutdown-grace', '300ms', '--kill-grace', '300ms']);
  await c.waitFor(/synced 2 object/);
  api.upsertConfigMap('default', 'a', { v: '2' });
  await until(() => lines(join(dir, 'gc')).length === 1 && lines(join(dir, 'self')).length === 1, 10_000, 'handler started');
  const code = await c.stop('SIGTERM');
  assert.equal(code, 4, c.stderr.join('\n'));
  assert.equal(alive(Number(lines(join(dir, 'self'))[0])), false, 'handler killed');
  assert.equal(alive(Number(lines(join(dir, 'gc'))[0])), false, 'grandchild killed');
  const err = c.stderr.join('\n');
  assert.match(err, /shutdown: killing handlers still running after 300ms: default\/a/);
  assert.match(err, /\[hung\.sh default\/a\] killed at shutdown/);
});

test('a second signal exits at once (exit 4) and still kills the handler tree', async () => {
  const dir = tempDir();
  const h = script(dir, 'hung.sh', `trap '' TERM INT\nsleep 60 &\necho $! > "${dir}/gc"\nwait`);
  const c = start(['--exec', h, '--shutdown-grace', '60s']);
  await c.waitFor(/synced 2 object/);
  api.upsertConfigMap('default', 'b', { v: '2' });
  await until(() => lines(join(dir, 'gc')).length === 1, 10_000, 'handler started');
  c.child.kill('SIGTERM');
  await c.waitFor(/waiting up to 1m0s for 1 running handler/);
  const code = await c.stop('SIGINT');
  assert.equal(code, 4, c.stderr.join('\n'));
  await until(() => !alive(Number(lines(join(dir, 'gc'))[0])), 3000, 'grandchild gone');
});
