/**
 * Issue #11, hangs: the real CLI against a fake API server whose lists send
 * their headers and then nothing. The built-in action ends at --timeout and
 * is retried like a handler; every non-watch request ends at
 * --request-timeout; SIGTERM ends cmwatch within --shutdown-grace plus
 * --kill-grace whatever the action is waiting for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli, until, type CliRun } from '../helpers/cli.js';

const SEL = 'k8spatterns.io/podDeleteSelector';
let api: FakeApiServer;
const fx = fakeFixture({
  args: ['-n', 'default', '--action', 'delete-pods', '--retry-base', '100ms'],
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'webapp-config', { message: 'hello' }, { [SEL]: 'app=webapp' });
    a.addPod('default', 'webapp-1', { app: 'webapp' });
    a.addPod('default', 'webapp-2', { app: 'webapp' });
  },
});

function start(args: string[]): CliRun {
  return fx.cmwatch(args);
}

const podLists = () => api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/default/pods').length;
const deletes = () => api.mutations.filter((m) => m.method === 'DELETE').map((m) => m.path).sort();

/** Resolves with the exit code, or rejects if the process is still running after `ms` (a hang, not a timing). */
function exitWithin(c: CliRun, ms: number): Promise<number | null> {
  return Promise.race([
    c.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${ms} ms after SIGTERM; stderr:\n${c.stderr.slice(-20).join('\n')}`)), ms).unref()),
  ]);
}

test('a pod list that stalls after its headers: the action times out at --timeout, is retried, and a later change is acted on', async () => {
  api.stallLists.pods = 1;
  const c = start(['--timeout', '1s']);
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/^error \[delete-pods default\/webapp-config\] timed out after \d/);
  await c.waitFor(/handler for default\/webapp-config failed \(delete-pods timed out after 1\.0s\); retry 1\/5/);
  // The retry gets an answer.
  await until(() => deletes().length === 2, 10_000, 'the retry deletes both pods');
  assert.deepEqual(api.podNames('default'), []);

  api.addPod('default', 'webapp-3', { app: 'webapp' });
  api.upsertConfigMap('default', 'webapp-config', { message: 'v3' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod default\/webapp-3/);
  assert.equal(podLists(), 3);
  assert.equal(await c.stop(), 0);
});

test('SIGTERM while the action waits on a stalled list: cmwatch ends within --shutdown-grace + --kill-grace, with no false "did not end after SIGKILL"', async () => {
  api.stallLists.pods = 1000;
  const c = start(['--timeout', '10m', '--shutdown-grace', '300ms', '--kill-grace', '300ms']);
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2' }, { [SEL]: 'app=webapp' });
  await until(() => podLists() === 1, 10_000, 'the pod list sent');
  c.child.kill('SIGTERM');
  await c.waitFor(/shutting down: waiting up to 300ms for 1 running handler run/);
  // Generous: a hang fails this, a slow machine does not.
  const code = await exitWithin(c, 15_000);
  const err = c.stderr.join('\n');
  assert.equal(code, 4, err);
  assert.match(err, /shutdown: killing handlers still running after 300ms: default\/webapp-config/);
  assert.match(err, /\[delete-pods default\/webapp-config\] killed at shutdown after/);
  assert.doesNotMatch(err, /did not end after SIGKILL|did not stop within|received SIGTERM again/);
  assert.deepEqual(deletes(), []);
});

test('--request-timeout: a stalled pod list ends at the deadline with a clear error naming verb, URL and deadline; the retry acts', async () => {
  api.stallLists.pods = 1;
  const c = start(['--timeout', '1m', '--request-timeout', '1s']);
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2' }, { [SEL]: 'app=webapp' });
  const line = await c.waitFor(/listing pods with selector/);
  const url = `${api.url}/api/v1/namespaces/default/pods\\?labelSelector=app%3Dwebapp`;
  assert.match(line, new RegExp(`^error delete-pods default/webapp-config: listing pods with selector "app=webapp" failed: list ${url}: no complete answer within 1\\.0s; request aborted \\(hint: .*raise --request-timeout \\(0: no deadline\\)`));
  assert.match(line, /reason=request_timeout/);
  await until(() => deletes().length === 2, 10_000, 'the retry deletes both pods');
  assert.equal(await c.stop(), 0);
});

test('--request-timeout: a stalled ConfigMap list (no stall timer in reach) ends at the deadline and is listed again', async () => {
  api.stallLists.configmaps = 1;
  const c = start(['--request-timeout', '1s', '--stall-timeout', '1h']);
  const line = await c.waitFor(/no complete answer within/);
  assert.match(line, new RegExp(`list ${api.url}/api/v1/namespaces/default/configmaps\\?limit=\\d+: no complete answer within 1\\.0s; request aborted`));
  await c.waitFor(/synced 1 object/);
  assert.equal(await c.stop(), 0);
});

test('--request-timeout is validated like the other durations', async () => {
  const c = runCli(['--server', api.url, '--request-timeout', 'soon']);
  assert.equal(await c.exited, 2);
  assert.match(c.stderr.join('\n'), /--request-timeout: invalid duration "soon"/);
});
