/**
 * Issue #11, deletes: the real CLI with --action delete-pods against a fake
 * API server whose pod lists lie. Whatever the list says, cmwatch never
 * sends a DELETE that does not name one pod of the ConfigMap's namespace
 * matching its selector, each with that pod's UID as precondition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer, Obj } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import type { CliRun } from '../helpers/cli.js';

const SEL = 'k8spatterns.io/podDeleteSelector';
let api: FakeApiServer;
const fx = fakeFixture({
  args: ['-n', 'default', '--action', 'delete-pods', '--retry-base', '50ms'],
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'webapp-config', { message: 'hello' }, { [SEL]: 'app=webapp' });
    a.addPod('default', 'webapp-1', { app: 'webapp' });
    a.addPod('default', 'webapp-2', { app: 'webapp' });
    a.addPod('default', 'db-1', { app: 'db' });
    a.addPod('other', 'webapp-9', { app: 'webapp' });
  },
});

function start(args: string[] = []): CliRun {
  return fx.cmwatch(args);
}

const deletes = () => api.mutations.filter((m) => m.method === 'DELETE');
const pod = (ns: string, name: string): Obj => structuredClone(api.objects.pods.get(`${ns}/${name}`)!);

/** Modifies the ConfigMap and waits for delete-pods to finish with it. */
async function trigger(c: CliRun, done: RegExp): Promise<void> {
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'webapp-config', { message: `v${Date.now()}` }, { [SEL]: 'app=webapp' });
  await c.waitFor(done);
}

test('a listed pod with no name, or a name that is not one, is skipped: no DELETE for it, never DELETE …/pods/', async () => {
  api.podListTransform = (list) => {
    const [first, valid] = list.items;
    delete (first!.metadata as Partial<Obj['metadata']>).name;
    const bad = ['', '.', '..', 'a/b', '%2e%2e', 'x'.repeat(254)].map((name, i) => ({ ...pod('default', 'webapp-2'), metadata: { ...pod('default', 'webapp-2').metadata, name, uid: `bad-${i}` } }));
    // The valid pod last: once it is deleted, every item before it was handled.
    list.items = [first!, ...bad, valid!];
    return list;
  };
  const c = start();
  await trigger(c, /deleted pod default\/webapp-2/);
  assert.deepEqual(deletes().map((d) => d.path), ['/api/v1/namespaces/default/pods/webapp-2']);
  assert.ok(api.mutations.every((m) => !m.path.endsWith('/') && !m.path.endsWith('/pods')), 'no collection request');
  assert.deepEqual(api.podNames('default'), ['db-1', 'webapp-1']);
  const skipped = c.stderr.filter((l) => /skipping a listed pod: item \d+ has no valid metadata\.name/.test(l));
  assert.equal(skipped.length, 7, c.stderr.join('\n'));
  assert.ok(skipped.some((l) => /item 0 has no valid metadata\.name \(no name\)/.test(l)));
  assert.ok(skipped.some((l) => /item 1 has no valid metadata\.name "" \(empty name\)/.test(l)));
  assert.ok(skipped.some((l) => /item 3 has no valid metadata\.name "\.\." /.test(l)));
  assert.ok(c.stderr.some((l) => /acting on 1 of 8 listed pod/.test(l)));
  assert.ok(skipped.every((l) => /^warn /.test(l)));
  assert.equal(await c.stop(), 0);
});

test('a listed pod with no UID is skipped with a warning; every delete carries its UID precondition', async () => {
  api.podListTransform = (list) => {
    for (const it of list.items) if (it.metadata.name === 'webapp-1') delete (it.metadata as Partial<Obj['metadata']>).uid;
    return list;
  };
  const uid2 = pod('default', 'webapp-2').metadata.uid;
  const c = start();
  await trigger(c, /deleted pod default\/webapp-2/);
  assert.deepEqual(deletes().map((d) => [d.path, d.body]), [
    ['/api/v1/namespaces/default/pods/webapp-2', { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: uid2 } }],
  ]);
  assert.ok(api.podNames('default').includes('webapp-1'));
  assert.ok(c.stderr.some((l) => /^warn delete-pods default\/webapp-config: skipping a listed pod: pod default\/webapp-1 has no metadata\.uid.* reason=no_uid$/.test(l)), c.stderr.join('\n'));
  assert.equal(await c.stop(), 0);
});

test('a pod of another namespace injected into the list is not deleted, nor anything of its name, and is logged as a server inconsistency', async () => {
  api.podListTransform = (list) => {
    const [w1, w2] = list.items;
    // A pod of the other namespace, and one under the name of one of this namespace's pods; the last valid pod last.
    list.items = [w1!, pod('other', 'webapp-9'), { ...pod('other', 'webapp-9'), metadata: { ...pod('other', 'webapp-9').metadata, name: 'db-1' } }, w2!];
    return list;
  };
  const c = start(['--log-format', 'json']);
  await trigger(c, /deleted pod default\/webapp-2/);
  assert.deepEqual(deletes().map((d) => d.path).sort(), ['/api/v1/namespaces/default/pods/webapp-1', '/api/v1/namespaces/default/pods/webapp-2']);
  assert.deepEqual(api.podNames(), ['db-1', 'webapp-9'], 'other/webapp-9 and default/db-1 are still there');
  const warns = c.stderr.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; reason?: string }).filter((r) => r.reason === 'server_inconsistency');
  assert.equal(warns.length, 2, c.stderr.join('\n'));
  for (const w of warns) {
    assert.equal(w.level, 'warn');
    assert.match(w.msg, /pod other\/(webapp-9|db-1) is in namespace "other", not default \(server inconsistency\)/);
  }
  assert.equal(await c.stop(), 0);
});

test('a listed pod whose labels do not match the selector is not deleted', async () => {
  api.podListTransform = (list) => {
    const unlabelled = pod('default', 'webapp-2');
    delete unlabelled.metadata.labels;
    list.items = [pod('default', 'db-1'), unlabelled, pod('default', 'webapp-1')];
    return list;
  };
  const c = start();
  await trigger(c, /deleted pod default\/webapp-1/);
  assert.deepEqual(deletes().map((d) => d.path), ['/api/v1/namespaces/default/pods/webapp-1']);
  assert.deepEqual(api.podNames('default'), ['db-1', 'webapp-2']);
  const err = c.stderr.join('\n');
  assert.match(err, /skipping a listed pod: pod default\/db-1 has labels \{"app":"db"\} that do not match the selector \(server inconsistency\)/);
  assert.match(err, /skipping a listed pod: pod default\/webapp-2 has labels \{\} that do not match the selector/);
  assert.equal(await c.stop(), 0);
});

test('a list body of the wrong shape is one clear error line with the URL and a hint, deletes nothing, and is retried', async () => {
  const shapes: unknown[] = [null, { kind: 'PodList', items: 'pods' }, { kind: 'PodList', items: [pod('default', 'webapp-1'), null] }, { kind: 'Status', items: [] }];
  api.podListTransform = (list) => (shapes.length > 0 ? shapes.shift() : list);
  const c = start();
  await trigger(c, /deleted pod default\/webapp-2/);
  await c.waitFor(/deleted pod default\/webapp-1/);
  const bad = c.stderr.filter((l) => /the answer is not a pod list/.test(l));
  assert.equal(bad.length, 4, c.stderr.join('\n'));
  const url = `${api.url}/api/v1/namespaces/default/pods\\?labelSelector=app%3Dwebapp`;
  assert.match(bad[0]!, new RegExp(`^error delete-pods default/webapp-config: deleting nothing: GET ${url}: the answer is not a pod list: the body is null, not an object \\(hint: check that the server URL is`));
  assert.match(bad[1]!, /"items" is string, not an array/);
  assert.match(bad[2]!, /item 1 is null, not an object/);
  assert.match(bad[3]!, /its kind is "Status", not "PodList"/);
  assert.ok(!c.stderr.some((l) => /TypeError|Cannot read/.test(l)), c.stderr.join('\n'));
  assert.deepEqual(deletes().map((d) => d.path).sort(), ['/api/v1/namespaces/default/pods/webapp-1', '/api/v1/namespaces/default/pods/webapp-2'], 'deletes only once the list is sane');
  assert.equal(await c.stop(), 0);
});
