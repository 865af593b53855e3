/**
 * Issue #11, the watch side: the real reflector and HttpSource (undici,
 * ndjson) against the fake API server playing a hostile or broken API. A
 * list that never ends (by continue token or by body) ends the attempt with
 * one clear error line and is retried with backoff; bodies and events of the
 * wrong shape are one clear line, never a TypeError; an object of another
 * kind is never delivered; a stale BOOKMARK does not replay what was already
 * delivered (nor run a handler twice); a slow consumer holds the stream, and
 * loses nothing when the server drops the watch meanwhile. No test asserts a
 * timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, type Rig, type RigOptions } from '../helpers/reflector-rig.js';
import { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until, type CliRun } from '../helpers/cli.js';
import { assertInvariant, converged } from '../helpers/invariant.js';
import { lines, script, tempDir } from '../helpers/handler-fixtures.js';
import type { Delivery } from '../../src/watch/reflector.js';

const NS = 'default';
const SEED = 3;

/** The hostile suite's rig: the source says it watches ConfigMaps, so other kinds are skipped. */
const rig = (opts: RigOptions = {}): Promise<Rig> => startRig({ kind: 'ConfigMap', seed: SEED, settleMs: 10_000, logTail: 30, ...opts });

const listRequests = (api: FakeApiServer) => api.requests.filter((q) => q.method === 'GET' && q.query.watch === undefined);
const watchRequests = (api: FakeApiServer) => api.requests.filter((q) => q.query.watch === 'true');
const URL_RE = 'http://127\\.0\\.0\\.1:\\d+/api/v1/namespaces/default/configmaps';

test('hostile 1: a continue token repeated for ever ends the list at the second page with one error line, and a backoff', async () => {
  const t = await rig({ faults: [{ kind: 'endless-continue', times: Infinity }], synced: false });
  try {
    const line = await t.logged(/reason=list_continue_repeated$/);
    assert.match(line, /^error list \/api\/v1\/namespaces\/default\/configmaps: page 2 repeats the continue token "loop" of an earlier page; list abandoned \(hint: the server or a proxy in between is looping on this list; cmwatch lists again with backoff\); listing again in \d+ms reason=list_continue_repeated$/);
    // Pages are delivered as they come (a list holds one page at a time): those of a list that never
    // ended are objects the server did send, each delivered once, however often the pages repeat.
    assert.equal(new Set(t.deliveries.map((d) => d.key)).size, t.deliveries.length, 'no object delivered twice');
    // Each attempt stops at its second page; the attempts are spaced by the backoff, not a hot loop.
    await until(() => t.logs.filter((l) => l.endsWith('reason=list_continue_repeated')).length >= 2, 10_000, 'a second attempt');
    const attempts = t.logs.filter((l) => l.endsWith('reason=list_continue_repeated')).length;
    assert.ok(listRequests(t.api).length <= 2 * (attempts + 1), `${listRequests(t.api).length} list requests for ${attempts} attempt(s)`);
    // The server comes to its senses: the next attempt syncs.
    t.api.faults.length = 0;
    await until(() => t.deliveries.length === SEED, 10_000, 'sync after the fault');
    await t.settle();
    assertInvariant(t.api, t.deliveries, { afterRv: t.baseline, namespace: NS, mode: 'resume' });
  } finally {
    await t.stop();
  }
});

test('hostile 2: fresh continue tokens for ever end the list at maxListObjects with one error line', async () => {
  const t = await rig({ faults: [{ kind: 'endless-continue', fresh: true, times: Infinity }], reflector: { maxListObjects: 20 }, synced: false });
  try {
    const line = await t.logged(/reason=list_too_many_objects$/);
    assert.match(line, /^error list \/api\/v1\/namespaces\/default\/configmaps: more than 20 objects \(page 11\); list abandoned \(hint: .*maxListObjects.*\); listing again in \d+ms reason=list_too_many_objects$/);
    assert.equal(new Set(t.deliveries.map((d) => d.key)).size, t.deliveries.length, 'no object delivered twice');
    t.api.faults.length = 0;
    await until(() => t.deliveries.length === SEED, 10_000, 'sync after the fault');
    await t.settle();
    assert.equal(new Set(t.deliveries.map((d) => d.key)).size, t.deliveries.length, 'each object once');
  } finally {
    await t.stop();
  }
});

test('hostile 3: a list body that never ends is cut at maxListPageBytes with one error line, and the list is retried', async () => {
  const t = await rig({ faults: [{ kind: 'endless-body', times: Infinity }], reflector: { maxListPageBytes: 1024 * 1024 }, synced: false });
  try {
    // First the page is asked for again with half the limit (2, then 1); a page of one object still over the cap fails the list.
    const smaller = await t.logged(/reason=page_too_large$/);
    assert.match(smaller, /a page of 2 object\(s\) exceeds the page cap; asking for 1 at a time/);
    const line = await t.logged(/reason=body_too_large$/);
    assert.match(line, new RegExp(`^error list ${URL_RE}\\?limit=1: the response body exceeds 1 MiB; the read was aborted \\(hint: the server or a proxy in between sent an endless or oversized body; cmwatch retries with backoff\\); listing again in \\d+ms reason=body_too_large$`));
    assert.equal(t.r.stats.restarts.stall, undefined, 'cut by the cap, not by the stall timer');
    t.api.faults.length = 0;
    await until(() => t.deliveries.length === SEED, 10_000, 'sync after the fault');
    await t.settle();
  } finally {
    await t.stop();
  }
});

test('hostile 4: list bodies of the wrong shape are one clear error line with the URL and a hint, never a TypeError', async () => {
  const cases: Array<[string, string]> = [
    ['null', 'the body is null, not a list'],
    ['[]', 'the body is an array, not a list'],
    ['{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":{"0":{}}}', 'items is an object, not an array'],
    ['{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":"nope"}', 'items is the string "nope", not an array'],
    ['{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[null]}', 'item 0 is null, not an object'],
    ['{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"namespace":"default"}}]}', 'item 0 has no metadata.name'],
    ['{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}', 'the body is a PodList, not a ConfigMapList'],
    ['{"kind":"ConfigMapList","apiVersion":"v1","items":[]}', 'the list has no metadata'],
  ];
  for (const [body, what] of cases) {
    const t = await rig({ faults: [{ kind: 'list-body', body }] });
    try {
      const line = await t.logged(/reason=bad_list$/, what);
      const esc = what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(line, new RegExp(`^error list ${URL_RE}\\?limit=2: ${esc} \\(hint: the server or a proxy in between returned something that is not a Kubernetes list; cmwatch lists again with backoff\\); listing again in \\d+ms reason=bad_list$`), body);
      assert.ok(!t.logs.some((l) => /TypeError|Cannot read|is not a function|is not iterable/.test(l)), t.logs.join('\n'));
      // The next list (no fault) synced: rig() waited for it.
      assert.deepEqual(t.deliveries.map((d) => d.type), ['SYNC', 'SYNC', 'SYNC']);
    } finally {
      await t.stop();
    }
  }
});

test('hostile 5: an in-stream ERROR with an empty Status is one clear line, not "HTTP 500"; the watch resumes and loses nothing', async () => {
  const t = await rig();
  try {
    t.change('cm-0');
    t.api.faults.push({ kind: 'empty-error' });
    t.api.closeWatches();
    const line = await t.logged(/reason=empty_error_status$/);
    assert.match(line, /^warn watch \/api\/v1\/namespaces\/default\/configmaps: the server sent an ERROR event with an empty Status \(hint: .*\); re-watching from resource version \d+ in \d+ms reason=empty_error_status$/);
    assert.ok(!t.logs.some((l) => /HTTP 500/.test(l)), t.logs.join('\n'));
    t.change('cm-1');
    await t.settle();
    assertInvariant(t.api, t.deliveries, { afterRv: t.baseline, namespace: NS, mode: 'resume' });
  } finally {
    await t.stop();
  }
});

test('hostile 6: a Pod on the ConfigMap watch or list is never delivered as a ConfigMap: skipped with a warning and counted', async () => {
  const t = await rig({ faults: [{ kind: 'foreign-item', name: 'cm-9' }] });
  try {
    t.api.faults.push({ kind: 'foreign-event', name: 'cm-0', type: 'MODIFIED' });
    t.api.closeWatches();
    await t.logged(/^warn MODIFIED default\/cm-0 .* is a Pod \(v1\), not a ConfigMap; skipped/);
    t.change('cm-1');
    await t.settle();
    assert.ok(t.deliveries.every((d) => d.object.kind === 'ConfigMap'), JSON.stringify(t.deliveries.map((d) => d.object.kind)));
    assert.ok(!t.deliveries.some((d) => d.key === `${NS}/cm-9`), 'the foreign list item was not delivered');
    assert.equal(t.r.stats.skipped.foreign_kind, 2);
    assert.ok(t.logs.some((l) => /^warn listed default\/cm-9 on \/api\/v1\/namespaces\/default\/configmaps is a Pod \(v1\), not a ConfigMap; skipped \(hint: .*\) reason=foreign_kind$/.test(l)), t.logs.join('\n'));
    assertInvariant(t.api, t.deliveries, { afterRv: t.baseline, namespace: NS, mode: 'resume' });
  } finally {
    await t.stop();
  }
});

test('hostile 7: a stale BOOKMARK then a reconnect does not deliver again what was delivered', async () => {
  const t = await rig();
  try {
    t.change('cm-0');
    await t.settle();
    t.change('cm-0');
    await t.settle();
    const before = watchRequests(t.api).length;
    t.api.faults.push({ kind: 'stale-bookmark', rv: String(t.baseline) });
    t.api.closeWatches();
    // The watch with the stale bookmark, then the one after it.
    await until(() => watchRequests(t.api).length >= before + 2 && t.api.watchCount > 0, 10_000, 'the reconnect after the stale bookmark');
    const resumed = watchRequests(t.api)[before + 1]!;
    assert.notEqual(resumed.query.resourceVersion, String(t.baseline), 'resumed from the stale bookmark');
    await t.settle();
    assert.equal(t.r.stats.skipped.stale_bookmark, 1);
    assertInvariant(t.api, t.deliveries, { afterRv: t.baseline, namespace: NS, mode: 'resume' });
  } finally {
    await t.stop();
  }
});

/** The CLI test's server and cmwatch, stopped after it. */
const fx = fakeFixture({ lazy: true });
let cli: CliRun | undefined;

test('hostile 8: cmwatch watch: after a stale BOOKMARK and a reconnect, a handler runs once per change', async () => {
  const api = await fx.start();
  api.upsertConfigMap(NS, 'app', { v: '1' });
  const baseline = api.rv;
  const dir = tempDir('cmwatch-hostile-');
  const out = `${dir}/runs.txt`;
  const record = script(dir, 'record.sh', 'echo "$CMWATCH_EVENT_TYPE $CMWATCH_NAMESPACE/$CMWATCH_NAME" >> "$OUT"');
  cli = fx.run(['watch', '--server', api.url, '-n', NS, '--exec', record, '--on', 'ADDED,MODIFIED,DELETED', '--concurrency', '1'], { env: { OUT: out } });
  await cli.waitFor(/synced 1 object/);
  for (const v of ['2', '3']) {
    api.upsertConfigMap(NS, 'app', { v });
    await until(() => lines(out).length === Number(v) - 1, 10_000, `the run for app v${v}`);
  }
  const before = watchRequests(api).length;
  api.faults.push({ kind: 'stale-bookmark', rv: String(baseline) });
  api.closeWatches();
  await until(() => watchRequests(api).length >= before + 2 && api.watchCount > 0, 10_000, 'the reconnect after the stale bookmark');
  api.upsertConfigMap(NS, 'sentinel', { v: 's' });
  await cli.waitFor(/\[record\.sh default\/sentinel\] exit 0/);
  assert.equal(await cli.stop('SIGTERM'), 0);
  cli = undefined;
  assert.deepEqual(lines(out), ['MODIFIED default/app', 'MODIFIED default/app', 'ADDED default/sentinel']);
});

test('hostile 9: a slow consumer holds the stream (one delivery at a time); a watch dropped meanwhile resumes and loses nothing', async () => {
  let gate: (() => void) | undefined;
  let blocked = true;
  let inflight = 0, maxInflight = 0;
  const deliveries: Delivery[] = [];
  const t = await rig({
    reflector: {
      onEvent: (d: Delivery) => {
        deliveries.push(d);
        if (d.type === 'SYNC' || !blocked) return;
        maxInflight = Math.max(maxInflight, ++inflight);
        return new Promise<void>((resolve) => (gate = () => { inflight--; resolve(); }));
      },
    },
    synced: false,
  });
  try {
    await until(() => deliveries.length >= SEED && t.api.watchCount > 0, 10_000, 'initial sync');
    for (let i = 0; i < 300; i++) t.change(`cm-${i % 7}`);
    await until(() => gate !== undefined, 10_000, 'the first change to reach the consumer');
    // Time for the rest to arrive, were the stream read meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(deliveries.length, SEED + 1, 'nothing more is delivered while the consumer holds the first change');
    // The server drops the watch while the consumer holds it.
    t.api.resetWatches();
    blocked = false;
    gate!();
    // Events the socket had buffered before the reset may all arrive before the break is seen: wait for both.
    await until(() => converged(t.api, deliveries, NS) && Boolean(t.r.stats.restarts.stream ?? t.r.stats.restarts.closed), 15_000, 'all changes after the reset, and the restart');
    assert.equal(maxInflight, 1, 'the next event waited for the consumer');
    assert.ok(t.r.stats.restarts.stream ?? t.r.stats.restarts.closed, JSON.stringify(t.r.stats.restarts));
    assertInvariant(t.api, deliveries, { afterRv: t.baseline, namespace: NS, mode: 'resume' });
  } finally {
    await t.stop();
  }
});
