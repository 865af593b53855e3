/**
 * Issue #11 through the reflector's seam (a scripted source): resource
 * versions that go back, lists that do not end, objects of another kind, an
 * empty ERROR Status, and a consumer that is slower than the stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '../../../src/watch/reflector.js';
import { until } from '../../helpers/cli.js';
import { harness } from '../../helpers/reflector-harness.js';
import { BodyTooLargeError } from '../../../src/kube/body-limit.js';
import { ApiError } from '../../../src/api/api-error.js';
import { parseSelector } from '../../../src/api/label-selector.js';
import { ScriptedSource, cm, ev, bookmark, statusEvent } from '../../helpers/scripted-source.js';
import type { K8sObject } from '../../../src/api/types.js';

const CONFIGMAPS = { kind: 'ConfigMap', group: '' };

function pod(name: string, rv: string): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'test', resourceVersion: rv }, spec: {} };
}

/** Lets every pending callback and promise run, many times over. */
async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

// ---- resource versions ----

test('reflector: a BOOKMARK older than a resource version already passed does not move the resume point back', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '5')], resourceVersion: '10' })
    .onWatch(
      { events: [ev('MODIFIED', cm('a', '11', { v: 'a2' })), ev('MODIFIED', cm('a', '12', { v: 'a3' })), bookmark('7')] },
      { events: [bookmark('13')] },
    );
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '12', '13']);
  assert.deepEqual(h.seen(), ['SYNC test/a a@5', 'MODIFIED test/a a2', 'MODIFIED test/a a3']);
  assert.equal(h.r.stats.skipped.stale_bookmark, 1);
  assert.ok(h.logs.some((l) => /^debug BOOKMARK 7 on .* skipped: older than resource version 12, already passed/.test(l)), h.logs.join('\n'));
});

test('reflector: an event older than the one delivered for its key is skipped as stale; the resume point never moves back', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '20', { v: 'a20' }), cm('b', '6', { v: 'b6' })], resourceVersion: '20' })
    .onWatch({
      events: [
        ev('MODIFIED', cm('a', '15', { v: 'a15-old' })),
        ev('DELETED', cm('a', '16', { v: 'a16-old' })),
        ev('MODIFIED', cm('a', '21', { v: 'a21' })),
        // Older than the resume point (21), though newer than what is known for b (6): one watch
        // stream is ordered, so this was already passed; skipped, and the point stays.
        ev('MODIFIED', cm('b', '8', { v: 'b8' })),
      ],
    });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a20', 'SYNC test/b b6', 'MODIFIED test/a a21']);
  assert.equal(h.r.stats.skipped.stale, 3);
  assert.deepEqual(src.watchRvs, ['20', '21']);
  assert.ok(h.logs.some((l) => /^debug MODIFIED test\/a skipped: resource version 15 is older than 20, already passed/.test(l)), h.logs.join('\n'));
});

test('reflector: resource versions that are not positive integers fall back to equality (opaque)', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', 'abc', { v: 'first' })], resourceVersion: 'r5' })
    .onWatch({ events: [ev('MODIFIED', cm('a', 'abb', { v: 'second' })), ev('MODIFIED', cm('a', 'abb', { v: 'second' })), bookmark('r1')] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a first', 'MODIFIED test/a second']);
  assert.equal(h.r.stats.skipped.duplicate, 1);
  assert.equal(h.r.stats.skipped.stale, undefined);
  assert.deepEqual(src.watchRvs, ['r5', 'r1'], 'an opaque bookmark moves the resume point as before');
});

test('reflector: a relist older than what was seen delivers no regression and no false DELETED, and resumes from the newer point', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '20', { v: 'a20' })], resourceVersion: '20' })
    .onWatch({ events: [ev('MODIFIED', cm('a', '50', { v: 'a50' })), ev('ADDED', cm('b', '51', { v: 'b51' })), statusEvent(410, 'Expired')] })
    .onList({ items: [cm('a', '30', { v: 'a30-old' })], resourceVersion: '40' });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a20', 'MODIFIED test/a a50', 'ADDED test/b b51']);
  assert.equal(h.r.stats.skipped.stale, 1);
  assert.deepEqual(src.watchRvs, ['20', '51']);
  assert.ok(h.logs.some((l) => /^warn list .*: its resource version 40 is older than 51, already passed; watching from 51 reason=stale_list/.test(l)), h.logs.join('\n'));
});

// ---- list bounds ----

test('reflector: a continue token seen before ends the list with one error line, then it is listed again after a backoff', async () => {
  const src = new ScriptedSource()
    .onList(
      { items: [cm('a', '1')], resourceVersion: '10', continue: 'tok' },
      { items: [cm('b', '2')], resourceVersion: '10', continue: 'tok' },
      { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '11' },
    );
  const h = harness(src, { pageSize: 1 });
  await h.run();
  assert.deepEqual(src.calls.slice(0, 3).map((c) => c.continue), [undefined, 'tok', undefined]);
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'watch']);
  assert.deepEqual(h.delays, [800]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2']);
  assert.equal(h.r.stats.restarts.list_continue_repeated, 1);
  const errors = h.logs.filter((l) => l.startsWith('error '));
  assert.equal(errors.length, 1, h.logs.join('\n'));
  assert.match(errors[0]!, /^error list \/api\/v1\/namespaces\/test\/configmaps: page 2 repeats the continue token "tok" of an earlier page; list abandoned \(hint: the server or a proxy in between is looping on this list; .*\); listing again in 800ms reason=list_continue_repeated$/);
});

test('reflector: a list past maxListObjects ends with one error line and is listed again after a backoff', async () => {
  const src = new ScriptedSource()
    .onList(
      { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '10', continue: 't1' },
      { items: [cm('c', '3'), cm('d', '4')], resourceVersion: '10', continue: 't2' },
      { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '11' },
    );
  const h = harness(src, { pageSize: 2, maxListObjects: 3 });
  await h.run();
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'watch']);
  assert.deepEqual(h.delays, [800]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2']);
  assert.equal(h.r.stats.restarts.list_too_many_objects, 1);
  assert.ok(h.logs.some((l) => /^error list \/api\/v1\/namespaces\/test\/configmaps: more than 3 objects \(page 2\); list abandoned \(hint: .*maxListObjects.*\); listing again in 800ms reason=list_too_many_objects$/.test(l)), h.logs.join('\n'));
});

test('reflector: a list past maxListPages ends with one error line and is listed again after a backoff', async () => {
  const src = new ScriptedSource()
    .onList(
      { items: [cm('a', '1')], resourceVersion: '10', continue: 't1' },
      { items: [], resourceVersion: '10', continue: 't2' },
      { items: [cm('a', '1')], resourceVersion: '11' },
    );
  const h = harness(src, { maxListPages: 2 });
  await h.run();
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'watch']);
  assert.deepEqual(h.delays, [800]);
  assert.equal(h.r.stats.restarts.list_too_many_pages, 1);
  assert.ok(h.logs.some((l) => /^error list .*: more than 2 pages \(1 objects so far\); list abandoned/.test(l)), h.logs.join('\n'));
});

// ---- shapes and kinds ----

test('reflector: objects of another kind or group are skipped with a warning and counted, in lists and in events', async () => {
  const foreignGroup: K8sObject = { ...cm('g', '3'), apiVersion: 'example.com/v1' };
  const noKind: K8sObject = { metadata: { name: 'k', namespace: 'test', resourceVersion: '13' }, data: { v: 'k' } };
  const src = new ScriptedSource(CONFIGMAPS)
    .onList({ items: [cm('a', '1'), pod('a', '2'), foreignGroup], resourceVersion: '10' })
    .onWatch({ events: [ev('MODIFIED', pod('a', '11')), bookmark('12'), { type: 'BOOKMARK', object: pod('', '99') }, ev('ADDED', noKind)] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'ADDED test/k k']);
  assert.equal(h.r.stats.skipped.foreign_kind, 4);
  assert.deepEqual(src.watchRvs, ['10', '13'], 'a foreign bookmark does not move the resume point');
  const warns = h.logs.filter((l) => /reason=foreign_kind$/.test(l));
  assert.equal(warns.length, 4, h.logs.join('\n'));
  assert.match(warns[0]!, /^warn listed test\/a on \/api\/v1\/namespaces\/test\/configmaps is a Pod \(v1\), not a ConfigMap; skipped \(hint: .*another kind\)/);
  assert.match(warns[1]!, /^warn listed test\/g .* is a ConfigMap \(example\.com\/v1\), not a ConfigMap/);
  assert.match(warns[2]!, /^warn MODIFIED test\/a .* is a Pod \(v1\)/);
});

test('reflector: an ERROR event with an empty Status is one clear line, then a backoff and a re-watch from the last rv', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11')), { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {} } }] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '11']);
  assert.deepEqual(h.delays, [800]);
  assert.equal(h.r.stats.restarts.empty_error_status, 1);
  const line = h.logs.find((l) => l.includes('empty Status'));
  assert.match(line ?? h.logs.join('\n'), /^warn watch \/api\/v1\/namespaces\/test\/configmaps: the server sent an ERROR event with an empty Status \(hint: .*\); re-watching from resource version 11 in 800ms reason=empty_error_status$/);
  assert.ok(!h.logs.some((l) => /HTTP 500/.test(l)), h.logs.join('\n'));
});

test('reflector: an event whose metadata has the wrong types is malformed, not a TypeError', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', { kind: 'ConfigMap', metadata: { name: 7 as unknown as string, resourceVersion: '11' } })] }, { events: [ev('ADDED', cm('a', '12'))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['ADDED test/a a@12']);
  assert.equal(h.r.stats.malformed, 1);
  assert.ok(h.logs.some((l) => /^warn malformed watch event: ADDED event whose object has a metadata\.name that is the number 7/.test(l)), h.logs.join('\n'));
});

// ---- backpressure ----

test('reflector: an onEvent that returns a promise is waited for before the next watch frame is pulled', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11')), ev('ADDED', cm('b', '12')), ev('ADDED', cm('c', '13'))] });
  const got: string[] = [];
  const gates: Array<() => void> = [];
  let inflight = 0, maxInflight = 0;
  const h = harness(src, {
    onEvent: (d: Delivery) => {
      got.push(d.key);
      maxInflight = Math.max(maxInflight, ++inflight);
      return new Promise<void>((resolve) => gates.push(() => { inflight--; resolve(); }));
    },
  });
  const running = h.r.run();
  for (let n = 1; n <= 3; n++) {
    await until(() => got.length === n, 5000, `delivery ${n}`);
    await drain();
    assert.equal(src.pulled, n, `frame ${n + 1} is not pulled while delivery ${n} is pending`);
    assert.equal(got.length, n);
    gates.shift()!();
  }
  await src.exhausted;
  h.ac.abort();
  await running;
  assert.deepEqual(got, ['test/a', 'test/b', 'test/c']);
  assert.equal(maxInflight, 1);
  assert.deepEqual(src.watchRvs, ['10', '13']);
});

test('reflector: the list is delivered one object at a time to a consumer that returns promises', async () => {
  const src = new ScriptedSource().onList({ items: [cm('a', '1'), cm('b', '2'), cm('c', '3')], resourceVersion: '10' });
  const order: string[] = [];
  const h = harness(src, {
    onEvent: async (d: Delivery) => {
      order.push(`start ${d.key}`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`end ${d.key}`);
    },
  });
  await h.run();
  assert.deepEqual(order, ['start test/a', 'end test/a', 'start test/b', 'end test/b', 'start test/c', 'end test/c']);
  assert.deepEqual(src.ops, ['list', 'watch']);
});

test('reflector: an abort ends the wait for a consumer that never resolves (watch and list)', { timeout: 10_000 }, async () => {
  const never = () => new Promise<void>(() => {});
  const watching = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11')), ev('ADDED', cm('b', '12'))] });
  let calls = 0;
  const w = harness(watching, { onEvent: () => { calls++; return never(); } });
  const p = w.r.run();
  await until(() => calls === 1, 5000, 'the first delivery');
  w.ac.abort();
  await p;
  assert.equal(watching.pulled, 1);
  assert.equal(calls, 1);

  const listing = new ScriptedSource().onList({ items: [cm('a', '1'), cm('b', '2')], resourceVersion: '10' });
  let listed = 0;
  const l = harness(listing, { onEvent: () => { listed++; return never(); } });
  const q = l.r.run();
  await until(() => listed === 1, 5000, 'the first SYNC');
  l.ac.abort();
  await q;
  assert.equal(listed, 1);
  assert.deepEqual(listing.ops, ['list'], 'no watch after an aborted delivery of the list');
});

test('reflector: the stall timer does not fire while the consumer is slower than the stall timeout', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11')), ev('ADDED', cm('b', '12'))] });
  const order: string[] = [];
  const h = harness(src, {
    stallTimeoutMs: 20,
    onEvent: async (d: Delivery) => {
      order.push(`start ${d.key}`);
      // Four stall timeouts: a timer left running would abort the watch meanwhile.
      await new Promise((r) => setTimeout(r, 80));
      order.push(`end ${d.key}`);
    },
  });
  await h.run();
  assert.deepEqual(order, ['start test/a', 'end test/a', 'start test/b', 'end test/b']);
  assert.equal(h.r.stats.restarts.stall, undefined, h.logs.join('\n'));
  assert.deepEqual(src.watchRvs, ['10', '12']);
});

test('reflector: a page over the byte cap is asked for again with half the limit; a single object over it fails the list', async () => {
  const tooLarge = () => new BodyTooLargeError('list', 'http://x/api/v1/namespaces/test/configmaps', 1024);
  const src = new ScriptedSource()
    .onList(
      { error: tooLarge() },
      { error: tooLarge() },
      { items: [cm('a', '1')], resourceVersion: '10', continue: 'next' },
      { items: [cm('b', '2')], resourceVersion: '10' },
    );
  const h = harness(src, { pageSize: 4 });
  await h.run();
  assert.deepEqual(src.calls.filter((c) => c.op === 'list').map((c) => [c.limit, c.continue]), [[4, undefined], [2, undefined], [1, undefined], [1, 'next']]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2']);
  assert.deepEqual(h.delays, [], 'shrinking the page is not a failure: no backoff');
  assert.equal(h.logs.filter((l) => l.includes('reason=page_too_large')).length, 2);

  const one = new ScriptedSource().onList({ error: tooLarge() }, { items: [], resourceVersion: '5' });
  const h1 = harness(one, { pageSize: 1 });
  await h1.run();
  assert.equal(h1.r.stats.restarts.body_too_large, 1, JSON.stringify(h1.r.stats.restarts));
});

test('reflector: an object outside the namespace or label selector asked for is never delivered (server inconsistency)', async () => {
  const selector = parseSelector('app=web');
  assert.ok(selector.ok);
  const inScope = (name: string, rv: string, ns = 'test', app = 'web'): K8sObject => ({ ...cm(name, rv, undefined, ns), metadata: { ...cm(name, rv, undefined, ns).metadata, labels: { app } } });
  const src = new ScriptedSource(undefined, { namespace: 'test', selector: selector.requirements })
    .onList({ items: [inScope('a', '1'), inScope('evil', '2', 'kube-system')], resourceVersion: '10' })
    .onWatch({ events: [ev('MODIFIED', inScope('b', '11', 'test', 'db')), ev('MODIFIED', inScope('a', '12'))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'MODIFIED test/a a@12']);
  assert.equal(h.r.stats.skipped.server_inconsistency, 2);
  const warns = h.logs.filter((l) => l.includes('reason=server_inconsistency'));
  assert.equal(warns.length, 2);
  assert.match(warns[0]!, /kube-system\/evil .* is in namespace "kube-system", not "test"; skipped as a server inconsistency/);
  assert.match(warns[1]!, /test\/b .* is not matched by the label selector/);
});

test('reflector: an event older than the resume point is stale even for a key deleted since (never re-added)', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '5')], resourceVersion: '10' })
    .onWatch({ events: [ev('DELETED', cm('a', '12')), ev('MODIFIED', cm('a', '11'))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a@5', 'DELETED test/a a@12']);
  assert.equal(h.r.stats.skipped.stale, 1);
});

test('reflector: a continue token that expires again after the full-list fallback fails the list with a backoff (no hot loop)', async () => {
  const expired = () => new ApiError({ status: 410, verb: 'list', url: 'http://x/api/v1/namespaces/test/configmaps', resource: 'configmaps', statusObject: { kind: 'Status', code: 410, reason: 'Expired', message: 'continue expired' } });
  const src = new ScriptedSource()
    .onList(
      { items: [cm('a', '1')], resourceVersion: '10', continue: 't1' },
      { error: expired() },
      { items: [cm('a', '1')], resourceVersion: '10', continue: 't2' },
      { error: expired() },
      { items: [cm('a', '1')], resourceVersion: '11' },
    );
  const h = harness(src, { pageSize: 1 });
  await h.run();
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'list', 'list', 'watch']);
  assert.equal(h.delays.length, 1, 'one backoff after the second expiry');
  assert.deepEqual(h.seen(), ['SYNC test/a a@1']);
});

test('reflector: a watch refused as ahead of the server (504 ResourceVersionTooLarge, e.g. after an etcd restore) adopts the next list\'s older version, diffs by content, and resumes from it', async () => {
  const tooLarge = new ApiError({
    status: 504, verb: 'watch', url: 'http://x/api/v1/namespaces/test/configmaps?watch=true', resource: 'configmaps',
    statusObject: { kind: 'Status', code: 504, reason: 'Timeout', message: 'Too large resource version: 50, current: 30', details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] } },
  });
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '40', { v: 'a40' }), cm('b', '45', { v: 'b45' })], resourceVersion: '50' })
    .onWatch({ error: tooLarge })
    // The restored server: older versions; a's content went back, b is unchanged in content.
    .onList({ items: [cm('a', '20', { v: 'a20' }), cm('b', '25', { v: 'b45' })], resourceVersion: '30' })
    .onWatch({ events: [ev('MODIFIED', cm('b', '31', { v: 'b31' }))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['50', '30', '31']);
  assert.deepEqual(h.seen(), ['SYNC test/a a40', 'SYNC test/b b45', 'MODIFIED test/a a20', 'MODIFIED test/b b31']);
  assert.ok(h.logs.some((l) => /^error list .*: the server is at resource version 30, behind 50 \(restored from a backup\?\); resuming from 30 reason=rv_went_back$/.test(l)), h.logs.join('\n'));
});

test('reflector: a broken server\'s name that UTF-8 cannot carry (a lone surrogate) is still one key: repeats are duplicates, the same content is unchanged, a relist deletes nothing', async () => {
  const odd = 'config-name-\ud800'; // a key of 13 characters or more: the detector keeps a copy of it
  const src = new ScriptedSource()
    .onList({ items: [cm(odd, '5', { v: 'x5' })], resourceVersion: '5' })
    .onWatch({
      events: [
        ev('MODIFIED', cm(odd, '5', { v: 'x5' })),
        ev('MODIFIED', cm(odd, '5', { v: 'x5' })),
        ev('MODIFIED', cm(odd, '6', { v: 'x5' })),
        ev('MODIFIED', cm(odd, '7', { v: 'x7' })),
        statusEvent(410, 'Expired'),
      ],
    })
    .onList({ items: [cm(odd, '7', { v: 'x7' })], resourceVersion: '8' });
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), [`SYNC test/${odd} x5`, `MODIFIED test/${odd} x7`]);
  assert.equal(h.r.stats.skipped.duplicate, 2);
  assert.equal(h.r.stats.skipped.unchanged, 1);
});
