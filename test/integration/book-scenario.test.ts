/**
 * The book's controller end to end: the real cmwatch CLI against the
 * project's fake API server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until, ROOT, type CliRun } from '../helpers/cli.js';

const SEL = 'k8spatterns.io/podDeleteSelector';
let api: FakeApiServer;
const fx = fakeFixture({
  args: ['--log-level', 'debug'],
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'webapp-config', { message: 'hello' }, { [SEL]: 'app=webapp' });
    a.upsertConfigMap('default', 'other-config', { message: 'plain' });
    a.addPod('default', 'webapp-1', { app: 'webapp' });
    a.addPod('default', 'webapp-2', { app: 'webapp' });
    a.addPod('default', 'db-1', { app: 'db' });
    a.addPod('other', 'webapp-9', { app: 'webapp' });
  },
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  return fx.cmwatch(args, { env });
}

const deletes = () => api.mutations.filter((m) => m.method === 'DELETE').map((m) => m.path);

test('1. an annotated ConfigMap modified deletes exactly the pods its selector matches', async () => {
  const c = start(['--action', 'delete-pods']);
  await c.waitFor(/synced 2 object/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'hello v2' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod default\/webapp-2/);
  await c.waitFor(/deleted pod default\/webapp-1/);
  assert.deepEqual(deletes().sort(), ['/api/v1/namespaces/default/pods/webapp-1', '/api/v1/namespaces/default/pods/webapp-2']);
  assert.deepEqual(api.podNames(), ['db-1', 'webapp-9']);
  // The label selector went out URL-encoded, and each delete carried a UID precondition.
  const list = api.requests.find((r) => r.path === '/api/v1/namespaces/default/pods' && r.method === 'GET');
  assert.equal(list?.query.labelSelector, 'app=webapp');
  for (const m of api.mutations) assert.match(JSON.stringify(m.body), /"preconditions":\{"uid":"/);
  assert.ok(c.stderr.some((l) => /^MODIFIED default\/webapp-config selector=app=webapp$/.test(l)), c.stderr.join('\n'));
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('2. an unannotated ConfigMap modified after an annotated one deletes nothing', async () => {
  const c = start(['--action', 'delete-pods']);
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod default\/webapp-1/);
  await c.waitFor(/deleted pod default\/webapp-2/);
  const before = api.mutations.length;
  api.addPod('default', 'webapp-3', { app: 'webapp' });
  api.upsertConfigMap('default', 'other-config', { message: 'plain v2' });
  await c.waitFor(/delete-pods default\/other-config: no .* annotation; nothing to do/);
  assert.equal(api.mutations.length, before);
  assert.ok(api.podNames().includes('webapp-3'));
  assert.equal(await c.stop(), 0);
});

test('3. a handler receives the event with the documented stdin and env', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-h-'));
  const script = join(dir, 'record.sh');
  writeFileSync(script, '#!/usr/bin/env bash\nset -e\ncat > "$OUT/stdin.json"\nenv | grep ^CMWATCH_ | sort > "$OUT/env.txt"\n');
  chmodSync(script, 0o755);
  const c = start(['--exec', script], { OUT: dir });
  await c.waitFor(/synced/);
  const cm = api.upsertConfigMap('default', 'webapp-config', { message: 'v3 $(id) `x`' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/\[record\.sh default\/webapp-config\] exit 0/);
  const stdin = JSON.parse(readFileSync(join(dir, 'stdin.json'), 'utf8'));
  assert.deepEqual(stdin, { type: 'MODIFIED', object: cm });
  const env = readFileSync(join(dir, 'env.txt'), 'utf8');
  for (const line of [
    'CMWATCH_EVENT_TYPE=MODIFIED', 'CMWATCH_NAMESPACE=default', 'CMWATCH_NAME=webapp-config',
    `CMWATCH_RESOURCE_VERSION=${cm.metadata.resourceVersion}`, `CMWATCH_SERVER=${api.url}`, 'CMWATCH_SELECTOR=app=webapp',
  ]) assert.ok(env.split('\n').includes(line), `missing ${line} in\n${env}`);
  assert.equal(api.mutations.length, 0, 'a handler alone deletes nothing');
  assert.equal(await c.stop(), 0);
});

test('4. a malformed line in the stream is logged and survived', async () => {
  api.faults.push({ kind: 'malformed' });
  const c = start(['--action', 'delete-pods']);
  // The watch ends at the bad line and resumes from the last good event (issue #4), so nothing after it is lost.
  await c.waitFor(/malformed watch event: Could not parse row.*; re-watching from resource version \d+/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'after garbage' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod default\/webapp-1/);
  assert.equal(c.child.exitCode, null, 'still running');
  assert.equal(await c.stop(), 0);
});

test('5. --dry-run deletes nothing and says what it would delete', async () => {
  const c = start(['--action', 'delete-pods', '--dry-run']);
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'dry' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/would delete pod default\/webapp-1 \(dry run\)/);
  await c.waitFor(/would delete pod default\/webapp-2 \(dry run\)/);
  assert.equal(api.mutations.length, 0);
  assert.equal(await c.stop(), 0);
});

test('an empty or invalid selector annotation deletes nothing and says why', async () => {
  const c = start(['--action', 'delete-pods']);
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'x' }, { [SEL]: '' });
  await c.waitFor(/invalid selector "": empty selector/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'y' }, { [SEL]: 'app=webapp; rm -rf /' });
  await c.waitFor(/invalid selector "app=webapp; rm -rf \/"/);
  assert.equal(api.mutations.length, 0);
  assert.equal(await c.stop(), 0);
});

test('--selector-annotation replaces the default annotations', async () => {
  const c = start(['--action', 'delete-pods', '--selector-annotation', 'example.com/restart']);
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'x' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/no example\.com\/restart annotation/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'y' }, { 'example.com/restart': 'app=db' });
  await c.waitFor(/deleted pod default\/db-1/);
  assert.deepEqual(deletes(), ['/api/v1/namespaces/default/pods/db-1']);
  assert.equal(await c.stop(), 0);
});

test('-A watches all namespaces and acts in the ConfigMap\'s own namespace', async () => {
  api.upsertConfigMap('other', 'cfg', { a: '1' }, { [SEL]: 'app=webapp' });
  const c = start(['-A', '--action', 'delete-pods']);
  await c.waitFor(/synced 3 object/);
  await until(() => api.requests.some((r) => r.path === '/api/v1/configmaps' && r.query.watch === 'true'), 5000, 'a watch on /api/v1/configmaps');
  api.upsertConfigMap('other', 'cfg', { a: '2' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod other\/webapp-9/);
  assert.deepEqual(deletes(), ['/api/v1/namespaces/other/pods/webapp-9']);
  assert.equal(await c.stop(), 0);
});

test('namespace from WATCH_NAMESPACE, and repeated -n', async () => {
  const c = start([], { WATCH_NAMESPACE: 'other' });
  await c.waitFor(/synced 0 object\(s\) from \/api\/v1\/namespaces\/other\/configmaps/);
  await c.stop();
  const d = start(['-n', 'default', '-n', 'other']);
  await d.waitFor(/from \/api\/v1\/namespaces\/default\/configmaps/);
  await d.waitFor(/from \/api\/v1\/namespaces\/other\/configmaps/);
  assert.equal(await d.stop(), 0);
});

test('-o json prints each event as one NDJSON line in the API shape on stdout', async () => {
  const c = start(['-o', 'json']);
  await c.waitFor(/synced/);
  const cm = api.upsertConfigMap('default', 'webapp-config', { message: 'json' }, { [SEL]: 'app=webapp' });
  api.deleteConfigMap('default', 'other-config');
  await c.waitFor(/"type":"DELETED"/, 10_000, 'stdout');
  const lines = c.stdout.map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { type: 'MODIFIED', object: cm });
  assert.equal(lines[1].type, 'DELETED');
  assert.equal(lines[1].object.metadata.name, 'other-config');
  assert.equal(await c.stop(), 0);
});

test('the watch is resumed when the server ends the stream', async () => {
  const c = start(['--action', 'delete-pods']);
  await c.waitFor(/synced/);
  await until(() => api.watchCount === 1, 5000, 'watch');
  api.closeWatches();
  api.upsertConfigMap('default', 'webapp-config', { message: 'while away' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/deleted pod default\/webapp-1/);
  await c.waitFor(/deleted pod default\/webapp-2/);
  assert.equal(deletes().length, 2);
  assert.equal(api.requests.filter((r) => r.query.watch === 'true').length, 2, 'one re-watch');
  assert.equal(api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps') && !r.query.watch).length, 1, 'no relist');
  assert.equal(await c.stop(), 0);
});

test('examples/handlers/restart-pods.sh: the book logic with curl and jq through $CMWATCH_SERVER', async () => {
  const c = start(['--exec', join(ROOT, 'examples/handlers/restart-pods.sh')]);
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'other-config', { message: 'no annotation' });
  await c.waitFor(/\[restart-pods\.sh default\/other-config\] no pod selector annotation/);
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/\[restart-pods\.sh default\/webapp-config\] exit 0/);
  assert.deepEqual(deletes().sort(), ['/api/v1/namespaces/default/pods/webapp-1', '/api/v1/namespaces/default/pods/webapp-2']);
  assert.ok(c.stderr.some((l) => l.includes('deleted pod default/webapp-1')));
  assert.equal(await c.stop(), 0);
});

test('examples/handlers/log-event.sh logs one line per event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-log-'));
  const file = join(dir, 'events.log');
  const c = start(['--on', 'ADDED,MODIFIED,DELETED', '--exec', join(ROOT, 'examples/handlers/log-event.sh')], { LOG_EVENT_FILE: file });
  await c.waitFor(/synced/);
  api.upsertConfigMap('default', 'new-config', { a: '1', b: '2' });
  api.deleteConfigMap('default', 'other-config');
  await until(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length >= 3, 10_000, 'two log lines');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.match(lines.find((l) => l.startsWith('ADDED'))!, /^ADDED default\/new-config rv=\d+ keys=a,b$/);
  assert.match(lines.find((l) => l.startsWith('DELETED'))!, /^DELETED default\/other-config rv=\d+ keys=message$/);
  assert.equal(await c.stop(), 0);
});
