/**
 * The reflector through its seam: a scripted in-memory ListWatchSource, a
 * fake clock and a sleep that records the delays the reflector chose (no test
 * waits for a backoff or asserts a timing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapContent } from '../../../src/watch/content.js';
import { MalformedEventError, StreamError } from '../../../src/watch/failure.js';
import { ApiError } from '../../../src/api/api-error.js';
import { ConnectError } from '../../../src/kube/connect-error.js';
import { CmwatchError } from '../../../src/base/errors.js';
import { throughCli } from '../../helpers/through-cli.js';
import { ScriptedSource, cm, ev, bookmark, statusEvent } from '../../helpers/scripted-source.js';
import { harness } from '../../helpers/reflector-harness.js';

const URL = '/api/v1/namespaces/test/configmaps';

function apiError(status: number, opts: { reason?: string; retryAfterMs?: number; verb?: string } = {}): ApiError {
  return new ApiError({
    status, verb: opts.verb ?? 'watch', url: `http://127.0.0.1:1${URL}${(opts.verb ?? 'watch') === 'watch' ? '?watch=true' : ''}`, resource: 'configmaps',
    statusObject: { kind: 'Status', code: status, reason: opts.reason ?? 'Failure', message: `injected ${status}` },
    retryAfterMs: opts.retryAfterMs,
  });
}


test('reflector: lists in pages, delivers the baseline as SYNC, watches from the list rv with bookmarks and a randomised timeout', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '5')], resourceVersion: '10', continue: 'tok1' }, { items: [cm('b', '7')], resourceVersion: '10' })
    .onWatch({ events: [ev('MODIFIED', cm('a', '11', { v: 'a2' }))] });
  const h = harness(src, { pageSize: 1 });
  await h.run();
  assert.deepEqual(src.calls.slice(0, 2), [{ op: 'list', limit: 1, continue: undefined }, { op: 'list', limit: 1, continue: 'tok1' }]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@5', 'SYNC test/b b@7', 'MODIFIED test/a a2']);
  assert.deepEqual(h.delivered.map((d) => d.via), ['list', 'list', 'watch']);
  assert.equal(src.watchRvs[0], '10');
  for (const c of src.calls.filter((c) => c.op === 'watch')) {
    assert.ok(c.timeoutSeconds! >= 300 && c.timeoutSeconds! <= 600, `timeoutSeconds ${c.timeoutSeconds}`);
  }
});

test('reflector: a clean end re-watches at once from the last event rv, with no relist', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '5')], resourceVersion: '10' })
    .onWatch(
      { events: [ev('MODIFIED', cm('a', '11', { v: 'a2' })), ev('ADDED', cm('b', '12'))] },
      { events: [ev('DELETED', cm('b', '13'))] },
    );
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'watch', 'watch', 'watch']);
  assert.deepEqual(src.watchRvs, ['10', '12', '13']);
  assert.deepEqual(h.delays, []);
  assert.deepEqual(h.seen(), ['SYNC test/a a@5', 'MODIFIED test/a a2', 'ADDED test/b b@12', 'DELETED test/b b@13']);
  assert.equal(h.r.stats.restarts.closed, 2);
  assert.ok(h.logs.some((l) => /^debug watch .* ended \(server timeout or EOF\); re-watching from resource version 12/.test(l)), h.logs.join('\n'));
});

test('reflector: bookmarks alone advance the rv; the next watch starts from the last bookmark and nothing is delivered', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '5')], resourceVersion: '10' })
    .onWatch({ events: [bookmark('20'), bookmark('30'), bookmark('40')] }, { events: [bookmark('50')] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '40', '50']);
  assert.deepEqual(h.seen(), ['SYNC test/a a@5']);
  assert.deepEqual(h.delays, [], 'a watch that delivered bookmarks is not an early close');
});

test('reflector: an in-stream ERROR 410 relists and diffs: MODIFIED, DELETED, ADDED, nothing for unchanged', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('same', '1'), cm('changed', '2'), cm('gone', '3'), cm('touched', '4')], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('seen-live', '11')), statusEvent(410, 'Expired', 'too old resource version: 11 (50)')] })
    .onList({
      items: [cm('same', '1'), cm('changed', '40', { v: 'changed-new' }), cm('touched', '41', { v: 'touched@4' }), cm('new', '42'), cm('seen-live', '11')],
      resourceVersion: '50',
    });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'watch', 'list', 'watch']);
  assert.deepEqual(src.watchRvs, ['10', '50']);
  const after = h.delivered.slice(5);
  assert.deepEqual(after.map((d) => `${d.type} ${d.key} ${d.via}`).sort(), [
    'ADDED test/new relist', 'DELETED test/gone relist', 'MODIFIED test/changed relist',
  ]);
  const del = after.find((d) => d.type === 'DELETED')!;
  assert.deepEqual(del.object.metadata, { namespace: 'test', name: 'gone', resourceVersion: '3' });
  assert.deepEqual(h.delays, [], 'an expiry after progress relists at once');
  assert.equal(h.r.stats.relists, 1);
  assert.equal(h.r.stats.skipped.unchanged, 1, 'touched: rv changed, content did not');
  assert.ok(h.logs.some((l) => /resource version 11 expired .*relisting/.test(l)), h.logs.join('\n'));
  assert.ok(h.logs.some((l) => /relisted 5 object\(s\) .*1 added, 1 modified, 1 deleted, 3 unchanged/.test(l)), h.logs.join('\n'));
});

test('reflector: 410 Gone by reason, and HTTP 410 on the watch request, also relist', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '1')], resourceVersion: '10' })
    .onWatch({ events: [ev('MODIFIED', cm('a', '11', { v: 'x' })), { type: 'ERROR', object: { kind: 'Status', reason: 'Gone', message: 'gone' } }] })
    .onList({ items: [cm('a', '11', { v: 'x' })], resourceVersion: '20' })
    .onWatch({ error: apiError(410, { reason: 'Expired' }) })
    .onList({ items: [cm('a', '21', { v: 'y' })], resourceVersion: '30' })
    .onWatch({ events: [ev('MODIFIED', cm('a', '31', { v: 'z' }))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'watch', 'list', 'watch', 'list', 'watch', 'watch']);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'MODIFIED test/a x', 'MODIFIED test/a y', 'MODIFIED test/a z']);
  // The 410 came straight after a list (no progress): that one backs off instead of hot-looping.
  assert.deepEqual(h.delays, [800]);
});

test('reflector: a watch that closes within 1 s having delivered nothing backs off exponentially; one that delivered does not', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({}, {}, {}, { events: [ev('ADDED', cm('a', '11'))] }, {});
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '10', '10', '10', '11', '11']);
  // three early closes (800, 1600, 3200), a good watch (no delay), an early close (6400: not yet healthy for 2 min)
  assert.deepEqual(h.delays, [800, 1600, 3200, 6400]);
  assert.equal(h.r.stats.restarts.early_close, 4);
  assert.ok(h.logs.some((l) => /^warn watch closed after 0ms having delivered nothing; re-watching from resource version 10 in 800ms reason=early_close/.test(l)), h.logs.join('\n'));
});

test('reflector: a quiet watch that lives over 1 s and ends is a clean end, not an early close', async () => {
  const src = new ScriptedSource().onList({ items: [], resourceVersion: '10' });
  const h = harness(src);
  src.onWatch({ during: () => (h.clock.t += 1500) });
  await h.run();
  assert.deepEqual(h.delays, []);
  assert.deepEqual(src.watchRvs, ['10', '10']);
});

test('reflector: the backoff resets after 2 minutes of health', async () => {
  const src = new ScriptedSource().onList({ items: [], resourceVersion: '10' });
  const h = harness(src);
  src.onWatch(
    {}, {}, {},
    // healthy, but for only 60 s: the backoff keeps growing
    { events: [bookmark('11')], during: () => (h.clock.t += 60_000) },
    {},
    // healthy for 2 minutes: the next failure starts afresh at 800 ms
    { events: [bookmark('12')], during: () => (h.clock.t += 120_000) },
    {}, {},
  );
  await h.run();
  assert.deepEqual(h.delays, [800, 1600, 3200, 6400, 800, 1600]);
});

test('reflector: backoff doubles to the 30 s cap', async () => {
  const src = new ScriptedSource().onList({ items: [], resourceVersion: '10' });
  const h = harness(src);
  for (let i = 0; i < 9; i++) src.onWatch({ error: new ConnectError('watch', 'http://127.0.0.1:1/x', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) });
  await h.run();
  assert.deepEqual(h.delays, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000]);
  assert.deepEqual(src.ops.filter((o) => o === 'list'), ['list'], 'connection refused re-watches, no relist');
});

test('reflector: 429 honours Retry-After; 5xx back off; neither relists', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '1')], resourceVersion: '10' })
    .onWatch(
      { error: apiError(429, { reason: 'TooManyRequests', retryAfterMs: 7000 }) },
      { error: apiError(500, { reason: 'InternalError' }) },
      { error: apiError(503, { reason: 'ServiceUnavailable' }) },
      { events: [ev('MODIFIED', cm('a', '11', { v: 'b' })), statusEvent(500, 'InternalError')] },
      { error: apiError(503, { retryAfterMs: 2000 }) },
    );
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.delays, [7000, 800, 1600, 3200, 2000]);
  assert.deepEqual(src.ops.filter((o) => o === 'list').length, 1);
  assert.deepEqual(src.watchRvs, ['10', '10', '10', '10', '11', '11']);
  assert.ok(h.logs.some((l) => /^warn watch .*: HTTP 429 TooManyRequests: injected 429 .*; re-watching from resource version 10 in 7\.0s reason=http_429/.test(l)), h.logs.join('\n'));
});

test('reflector: 401/403/404 log one line naming verb, URL and what to check, and keep retrying at the capped backoff', async () => {
  const src = new ScriptedSource()
    .onList({ error: apiError(403, { reason: 'Forbidden', verb: 'list' }) }, { error: apiError(404, { reason: 'NotFound', verb: 'list' }) }, { items: [cm('a', '1')], resourceVersion: '10' })
    .onWatch({ error: apiError(401, { reason: 'Unauthorized' }) }, { events: [ev('MODIFIED', cm('a', '11', { v: 'b' }))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'watch', 'watch', 'watch']);
  assert.deepEqual(h.delays, [30000, 30000, 30000]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'MODIFIED test/a b']);
  const errors = h.logs.filter((l) => l.startsWith('error '));
  assert.equal(errors.length, 3);
  assert.match(errors[0]!, /^error list http:\/\/127\.0\.0\.1:1\/api\/v1\/namespaces\/test\/configmaps: HTTP 403 Forbidden: injected 403 \(hint: check RBAC: the identity needs "list" on configmaps.*\); listing again in 30s reason=http_403$/);
  assert.match(errors[1]!, /HTTP 404 NotFound.*check that the namespace and resource exist/);
  assert.match(errors[2]!, /^error watch .*HTTP 401 Unauthorized.*credentials.*re-watching from resource version 10 in 30s/);
  for (const l of errors) assert.ok(!l.includes('\n'));
});

test('reflector: with exitOnError, a 403 rejects run() with exit code 3 and the hint', async () => {
  const src = new ScriptedSource().onList({ items: [], resourceVersion: '10' }).onWatch({ error: apiError(403, { reason: 'Forbidden' }) });
  const h = harness(src, { exitOnError: true });
  await assert.rejects(throughCli(h.r.run()), (err: unknown) => {
    assert.ok(err instanceof CmwatchError);
    assert.equal(err.exitCode, 3);
    assert.equal(err.code, 'API_403');
    assert.match(err.message, /^watch http:.*configmaps.*HTTP 403 Forbidden/);
    assert.match(err.hint ?? '', /RBAC/);
    return true;
  });
  assert.deepEqual(h.delays, []);
});

test('reflector: a failed list is retried as a list after the backoff; an unknown 4xx relists', async () => {
  const src = new ScriptedSource()
    .onList({ error: apiError(503, { verb: 'list' }) }, { error: new ConnectError('list', 'http://x', new Error('socket hang up')) }, { items: [cm('a', '1')], resourceVersion: '10' })
    .onWatch({ error: apiError(400, { reason: 'BadRequest' }) })
    .onList({ items: [cm('a', '1')], resourceVersion: '20' });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'list', 'list', 'watch', 'list', 'watch']);
  assert.deepEqual(h.delays, [800, 1600, 3200]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1']);
});

test('reflector: a 410 on a list page with a continue token lists again in one page', async () => {
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '1')], resourceVersion: '10', continue: 'tok' }, { error: apiError(410, { reason: 'Expired', verb: 'list' }) }, { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '11' });
  const h = harness(src, { pageSize: 1 });
  await h.run();
  assert.deepEqual(src.calls.slice(0, 3), [
    { op: 'list', limit: 1, continue: undefined }, { op: 'list', limit: 1, continue: 'tok' }, { op: 'list', limit: undefined, continue: undefined },
  ]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2']);
  assert.equal(src.watchRvs[0], '11');
});

test('reflector: a list is delivered page by page, each page before the next is asked for (no page is kept)', async () => {
  const src = new ScriptedSource().onList(
    { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '10', continue: 't1' },
    { items: [cm('c', '3')], resourceVersion: '10', continue: 't2' },
    { items: [cm('d', '4')], resourceVersion: '10' },
  );
  const atRequest: number[] = [];
  const list = src.list.bind(src);
  const h = harness(src, { pageSize: 2 });
  src.list = (req) => {
    atRequest.push(h.delivered.length);
    return list(req);
  };
  await h.run();
  assert.deepEqual(atRequest.slice(0, 3), [0, 2, 3]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2', 'SYNC test/c c@3', 'SYNC test/d d@4']);
  assert.ok(h.logs.includes(`synced 4 object(s) from ${URL}`), h.logs.join('\n'));
});

test('reflector: a first list that fails half-way is tried again without delivering anything twice', async () => {
  const src = new ScriptedSource()
    .onList(
      { items: [cm('a', '1'), cm('b', '2'), cm('x', '3')], resourceVersion: '10', continue: 't1' },
      { error: new ConnectError('list', 'http://x', new Error('socket hang up')) },
      { items: [cm('a', '1'), cm('b', '12', { v: 'b2' })], resourceVersion: '20', continue: 't2' },
      { items: [cm('c', '13')], resourceVersion: '20' },
    );
  const h = harness(src, { pageSize: 3 });
  await h.run();
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'SYNC test/b b@2', 'SYNC test/x x@3', 'MODIFIED test/b b2', 'SYNC test/c c@13', 'DELETED test/x -']);
  assert.ok(h.logs.includes(`synced 3 object(s) from ${URL} (1 modified, 1 deleted since an earlier attempt)`), h.logs.join('\n'));
  assert.equal(src.watchRvs[0], '20');
});

test('reflector: a malformed stream resumes from the last good rv; the third at one rv relists', async () => {
  const bad = () => new MalformedEventError('Could not parse row {"type":...');
  const src = new ScriptedSource()
    .onList({ items: [cm('a', '1')], resourceVersion: '10' })
    .onWatch(
      { events: [ev('MODIFIED', cm('a', '11', { v: 'b' }))], then: bad() },
      { then: bad() },
      { then: bad() },
    )
    .onList({ items: [cm('a', '12', { v: 'c' })], resourceVersion: '20' });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.ops, ['list', 'watch', 'watch', 'watch', 'list', 'watch']);
  assert.deepEqual(src.watchRvs, ['10', '11', '11', '20']);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1', 'MODIFIED test/a b', 'MODIFIED test/a c']);
  assert.equal(h.r.stats.malformed, 3);
  assert.equal(h.delays.length, 3);
});

test('reflector: an event that is not {"type","object"} is malformed; an unknown type is skipped', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch(
      { events: [{ type: 'WHATEVER', object: cm('x', '11') }, ev('ADDED', cm('a', '12')), { nope: 1 } as never] },
      { events: [ev('MODIFIED', cm('a', '13', { v: 'a2' }))] },
    );
  const h = harness(src);
  await h.run();
  assert.deepEqual(h.seen(), ['ADDED test/a a@12', 'MODIFIED test/a a2']);
  assert.deepEqual(src.watchRvs, ['10', '12', '13']);
  assert.ok(h.logs.some((l) => /unknown watch event type "WHATEVER"/.test(l)));
});

test('reflector: a reset mid-stream re-watches from the last rv after a backoff', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11'))], then: new StreamError('watch stream broke: other side closed') }, { events: [ev('ADDED', cm('b', '12'))] });
  const h = harness(src);
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '11', '12']);
  assert.deepEqual(h.delays, [800]);
  assert.deepEqual(h.seen(), ['ADDED test/a a@11', 'ADDED test/b b@12']);
  assert.ok(h.logs.some((l) => /^watch .* re-established from resource version 11 reason=reconnected/.test(l)), h.logs.join('\n'));
});

test('reflector: change detection skips unchanged content, duplicates and unknown deletes; --trigger any delivers every MODIFIED', async () => {
  const script = (src: ScriptedSource) => src
    .onList({ items: [cm('a', '1', { v: '1' })], resourceVersion: '10' })
    .onWatch({
      events: [
        ev('MODIFIED', { ...cm('a', '11', { v: '1' }), metadata: { name: 'a', namespace: 'test', resourceVersion: '11', labels: { x: 'y' } } }),
        ev('MODIFIED', cm('a', '11', { v: '1' })),
        ev('MODIFIED', cm('a', '12', { v: '2' })),
        ev('ADDED', cm('a', '13', { v: '3' })),
        ev('DELETED', cm('zz', '14')),
        ev('MODIFIED', cm('n', '15', { v: 'n' })),
      ],
    });
  const content = harness(script(new ScriptedSource()));
  await content.run();
  assert.deepEqual(content.seen(), ['SYNC test/a 1', 'MODIFIED test/a 2', 'MODIFIED test/a 3', 'ADDED test/n n']);
  assert.deepEqual(content.r.stats.skipped, { unchanged: 1, duplicate: 1, unknown_delete: 1 });

  const any = harness(script(new ScriptedSource()), { trigger: 'any' });
  await any.run();
  assert.deepEqual(any.seen(), ['SYNC test/a 1', 'MODIFIED test/a 1', 'MODIFIED test/a 2', 'MODIFIED test/a 3', 'ADDED test/n n']);
});

test('reflector: the selector annotation counts as content', async () => {
  const withAnn = (rv: string, sel: string) => ({ ...cm('a', rv, { v: '1' }), metadata: { name: 'a', namespace: 'test', resourceVersion: rv, annotations: { 'k8spatterns.io/podDeleteSelector': sel, other: rv } } });
  const src = new ScriptedSource()
    .onList({ items: [withAnn('1', 'app=x')], resourceVersion: '10' })
    .onWatch({ events: [ev('MODIFIED', withAnn('11', 'app=x')), ev('MODIFIED', withAnn('12', 'app=y'))] });
  const h = harness(src, { content: configMapContent(['k8spatterns.io/podDeleteSelector']) });
  await h.run();
  assert.deepEqual(h.delivered.map((d) => `${d.type} ${d.object.metadata?.resourceVersion}`), ['SYNC 1', 'MODIFIED 12']);
});

test('reflector: a stalled watch (no bytes) is aborted by the inactivity timer and resumed from the last rv without backoff', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11'))], then: 'hang' }, { events: [ev('ADDED', cm('b', '12'))] });
  const h = harness(src, { stallTimeoutMs: 30 });
  await h.run();
  assert.deepEqual(src.watchRvs, ['10', '11', '12']);
  assert.deepEqual(h.delays, []);
  assert.equal(h.r.stats.restarts.stall, 1);
  assert.ok(h.logs.some((l) => /^warn watch stalled: no bytes for 30ms on .*; re-watching from resource version 11 reason=stall/.test(l)), h.logs.join('\n'));
});

test('reflector: the stall timer is an inactivity timer: a quiet stream that keeps sending bytes outlives it many times', async () => {
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [ev('ADDED', cm('a', '11'))], then: 'hang', tickMs: 5, ticks: 40 });
  const h = harness(src, { stallTimeoutMs: 40 });
  await h.run();
  assert.equal(h.r.stats.restarts.stall, undefined);
  assert.equal(h.r.stats.restarts.closed, 1);
  assert.deepEqual(src.watchRvs, ['10', '11']);
});

test('reflector: a stalled list page is aborted and listed again after a backoff', async () => {
  const src = new ScriptedSource();
  const h = harness(src, { stallTimeoutMs: 30 });
  // The first list hangs: the script is empty. Add the answer once it is asked.
  const p = h.r.run();
  await src.exhausted;
  src.onList({ items: [cm('a', '1')], resourceVersion: '10' });
  // Wait until the reflector has listed again and watched.
  while (!src.ops.includes('watch')) await new Promise((r) => setTimeout(r, 5));
  h.ac.abort();
  await p;
  assert.deepEqual(src.ops, ['list', 'list', 'watch']);
  assert.equal(h.r.stats.restarts.stall, 1);
  assert.deepEqual(h.delays, [800]);
  assert.deepEqual(h.seen(), ['SYNC test/a a@1']);
});

test('reflector: watch state is reported once per change, and run() resolves on abort', async () => {
  const states: boolean[] = [];
  const src = new ScriptedSource()
    .onList({ items: [], resourceVersion: '10' })
    .onWatch({ events: [bookmark('11')] }, { error: apiError(503) }, { error: apiError(503) }, { events: [bookmark('12')] });
  const h = harness(src, { onWatchState: (up) => states.push(up) });
  await h.run();
  assert.deepEqual(states, [true, false, true, false]);
});
