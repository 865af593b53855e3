/**
 * Issue #11 against the real control plane: a tampering proxy between
 * cmwatch and `kubectl proxy` rewrites the pod lists it relays (names and
 * UIDs stripped, real pods of another namespace and non-matching pods
 * injected, a foreign pod passed off as one of ours). kubectl then shows
 * that no pod outside the selector was deleted, that the pods whose names
 * or UIDs were stripped were not deleted either, and that the untouched
 * matching one was; the proxy's record shows that no collection DELETE
 * ever reached the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployWebapp, ensureNamespace, eventually, planeFixture, pods, setData, type PodRef } from '../helpers/plane.js';
import { startTamperingProxy, type PodListBody } from '../helpers/tampering-proxy.js';

const plane = planeFixture();

type Item = PodListBody['items'][number];
const clone = <T>(v: T): T => structuredClone(v);

async function podObjects(ns: string, selector: string): Promise<Item[]> {
  const r = await plane.c.kubectl(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json']);
  return (JSON.parse(r.stdout) as { items: Item[] }).items;
}

async function uidOf(ns: string, name: string): Promise<string | undefined> {
  const r = await plane.c.kubectl(['get', 'pod', name, '-n', ns, '-o', 'json'], { allowFail: true });
  if (r.code !== 0) return undefined;
  const p = JSON.parse(r.stdout) as { metadata: { uid: string; deletionTimestamp?: string } };
  return p.metadata.deletionTimestamp ? undefined : p.metadata.uid;
}

test('a tampering proxy strips names and UIDs and injects foreign pods: only the untouched matching pod is deleted', async () => {
  const c = plane.c;
  const mine = await deployWebapp(c, 'hostile', 'webapp', 3);
  const bystanders = await deployWebapp(c, 'bystander', 'webapp', 2);
  await ensureNamespace(c, 'hostile');
  await c.apply('apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: hostile, labels: {app: db}}\nspec: {containers: [{name: app, image: nginx}]}\n');
  const dbUid = await eventually('pod hostile/db', () => uidOf('hostile', 'db'));
  const foreign = await podObjects('bystander', 'app=webapp');
  const [db] = await podObjects('hostile', 'app=db');
  assert.equal(foreign.length, 2);

  // mine[0] loses its name, mine[1] its UID, mine[2] is relayed as it is.
  const [stripName, stripUid, untouched] = mine as [PodRef, PodRef, PodRef];
  const lie = clone(foreign[1]!);
  lie.metadata.namespace = 'hostile';
  const upstream = await c.startProxy();
  const proxy = await startTamperingProxy(upstream.url, (list, ns) => {
    if (ns !== 'hostile') return list;
    const real = list.items.map((it) => {
      const copy = clone(it);
      if (copy.metadata.uid === stripName.uid) delete copy.metadata.name;
      if (copy.metadata.uid === stripUid.uid) delete copy.metadata.uid;
      return copy;
    });
    const emptyName = clone(list.items.find((it) => it.metadata.uid === untouched.uid)!);
    emptyName.metadata.name = '';
    // Injected first, so the last delete logged is the untouched pod's.
    list.items = [clone(foreign[0]!), clone(db!), emptyName, lie, ...real];
    return list;
  });
  try {
    const w = plane.cmwatch(['--server', proxy.url, '-n', 'hostile', '--action', 'delete-pods']);
    await w.waitFor(/synced \d+ object/, 30_000);
    await setData(c, 'hostile', 'webapp-config', 'tampered');
    await w.waitFor(new RegExp(`deleted pod hostile/${untouched.name}`), 30_000);
    assert.equal(proxy.tampered, 1);

    // What reached the API: one DELETE of the untouched pod, and one of the foreign pod's name in
    // this namespace (it claimed to be ours: the path is ours and its UID the precondition, so the API answers 404).
    const deletes = proxy.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`).sort();
    assert.deepEqual(deletes, [
      `DELETE /api/v1/namespaces/hostile/pods/${lie.metadata.name as string}`,
      `DELETE /api/v1/namespaces/hostile/pods/${untouched.name}`,
    ].sort());
    assert.ok(proxy.requests.every((r) => r.method === 'GET' || !/\/(pods)?$/.test(r.path)), 'no collection request');

    // What kubectl sees: nothing outside the selector, and nothing the list lied about, was deleted.
    assert.deepEqual(await pods(c, 'bystander', 'app=webapp'), bystanders, 'the other namespace is untouched');
    assert.equal(await uidOf('hostile', 'db'), dbUid, 'the non-matching pod is untouched');
    assert.equal(await uidOf('hostile', stripName.name), stripName.uid, 'the pod listed with no name is not deleted');
    assert.equal(await uidOf('hostile', stripUid.name), stripUid.uid, 'the pod listed with no UID is not deleted');
    assert.equal(await uidOf('hostile', untouched.name), undefined, 'the matching pod is deleted');
    await eventually('the Deployment replaced it', async () => (await pods(c, 'hostile', 'app=webapp')).length === 3);

    const err = w.stderr.join('\n');
    console.log(`# cmwatch said:\n${w.stderr.filter((l) => /delete-pods/.test(l)).map((l) => `#   ${l}`).join('\n')}`);
    assert.match(err, /skipping a listed pod: item \d+ has no valid metadata\.name \(no name\) key=hostile\/webapp-config reason=invalid_object_name/);
    assert.match(err, /skipping a listed pod: item \d+ has no valid metadata\.name "" \(empty name\)/);
    assert.match(err, new RegExp(`skipping a listed pod: pod hostile/${stripUid.name} has no metadata\\.uid.* reason=no_uid`));
    assert.match(err, new RegExp(`pod bystander/${foreign[0]!.metadata.name as string} is in namespace "bystander", not hostile \\(server inconsistency\\).* reason=server_inconsistency`));
    assert.match(err, /pod hostile\/db has labels \{"app":"db"\} that do not match the selector \(server inconsistency\)/);
    assert.match(err, /acting on 2 of 7 listed pod\(s\)/);
    assert.equal(await w.stop('SIGTERM'), 0);
  } finally {
    await proxy.stop();
    await upstream.stop();
  }
});
