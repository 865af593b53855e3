/**
 * Issue #4's fault matrix: the real reflector and HttpSource (undici, ndjson)
 * against the project's fake API server, with faults injected. For every
 * case: every change made on the server reaches the handler exactly once, by
 * content, and nothing is delivered twice or out of order for one key (see
 * test/helpers/invariant.ts). Backoff and stall timeout are shortened with
 * constructor options; no test asserts a timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, type Rig, type RigOptions } from '../helpers/reflector-rig.js';
import { FakeApiServer } from '../fake/api-server.js';
import { until } from '../helpers/cli.js';

const NS = 'default';

/** The fault matrix's rig: with a ConfigMap in another namespace that must never be seen. */
const rig = (opts: RigOptions = {}): Promise<Rig> => startRig({ noise: true, ...opts });

const watchRequests = (api: FakeApiServer) => api.requests.filter((q) => q.query.watch === 'true');
const listRequests = (api: FakeApiServer) => api.requests.filter((q) => q.method === 'GET' && q.query.watch === undefined);

test('faults 0: baseline is SYNC only; watches carry allowWatchBookmarks, a 300–600 s timeout and the list rv; the list is paged', async () => {
  const t = await rig({ seed: 5 });
  try {
    assert.deepEqual(t.deliveries.map((d) => d.type), ['SYNC', 'SYNC', 'SYNC', 'SYNC', 'SYNC']);
    const lists = listRequests(t.api);
    assert.deepEqual(lists.map((l) => [l.query.limit, l.query.continue !== undefined]), [['2', false], ['2', true], ['2', true]]);
    t.change('cm-1');
    await t.settle();
    t.check('resume');
    const w = watchRequests(t.api)[0]!;
    assert.equal(w.query.allowWatchBookmarks, 'true');
    assert.equal(w.query.resourceVersion, String(t.baseline));
    const ts = Number(w.query.timeoutSeconds);
    assert.ok(ts >= 300 && ts <= 600, `timeoutSeconds=${ts}`);
  } finally {
    await t.stop();
  }
});

test('faults 1: the server closes the stream cleanly mid-run: re-watch from the last rv, no relist', async () => {
  const t = await rig();
  try {
    t.change('cm-0');
    t.change('new-a');
    t.change('cm-0');
    await t.settle();
    const lastRv = t.r.resourceVersion;
    t.api.closeWatches();
    await t.watching();
    t.change('cm-1');
    await t.settle();
    t.check('resume');
    assert.equal(listRequests(t.api).length, 2, 'only the initial (paged) list');
    assert.equal(t.r.stats.relists, 0);
    assert.ok(watchRequests(t.api).some((w) => w.query.resourceVersion === lastRv), 'resumed from the last rv');
    assert.ok(t.logs.some((l) => /ended \(server timeout or EOF\); re-watching/.test(l)));
  } finally {
    await t.stop();
  }
});

test('faults 2: a TCP reset in the middle of an event: nothing half-applied, resumed after the last whole event', async () => {
  const t = await rig();
  try {
    t.api.faults.push({ kind: 'reset', afterEvents: 1 });
    t.api.closeWatches();
    t.change('cm-0');
    t.change('cm-1');
    t.change('cm-2');
    await t.settle();
    t.check('resume');
    assert.ok((t.r.stats.restarts.stream ?? 0) >= 1, JSON.stringify(t.r.stats));
    assert.equal(t.r.stats.relists, 0);
  } finally {
    await t.stop();
  }
});

test('faults 3: events split across chunks at random offsets (multi-byte UTF-8 too)', async () => {
  const t = await rig();
  try {
    t.api.randomChunking = true;
    for (let i = 0; i < 60; i++) t.change(`cm-${i % 7}`, { text: 'ünïcødé ✓ 日本語 '.repeat(1 + (i % 5)) });
    t.api.closeWatches();
    for (let i = 0; i < 20; i++) t.change(`cm-${i % 4}`, { text: '€'.repeat(i) });
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.malformed, 0);
  } finally {
    await t.stop();
  }
});

test('faults 4: a malformed line (before the backlog, and live mid-stream) ends the watch; it resumes from the last good rv and loses nothing', async () => {
  const t = await rig();
  try {
    t.api.faults.push({ kind: 'malformed' });
    t.api.closeWatches();
    t.change('cm-0');
    await t.settle();
    t.api.writeRaw('{"type":"MODIFIED","object":{ this is not json\n');
    t.change('cm-1');
    t.change('cm-2');
    await t.settle();
    t.check('resume');
    assert.ok(t.r.stats.malformed >= 2, JSON.stringify(t.r.stats));
    assert.ok(t.logs.some((l) => /malformed watch event: Could not parse row/.test(l)), t.logs.join('\n'));
  } finally {
    await t.stop();
  }
});

test('faults 5: an in-stream ERROR 410 relists and diffs (changes in the window collapse to the final state)', async () => {
  const t = await rig({ seed: 4 });
  try {
    t.change('cm-0');
    await t.settle();
    t.api.compact();
    t.api.errorWatches(410, 'Expired', 'too old resource version: 1 (2)');
    t.change('cm-1');
    t.change('cm-1');
    t.del('cm-2');
    t.change('new-b');
    await t.settle();
    t.check('relist');
    assert.equal(t.r.stats.relists, 1);
    assert.equal(t.r.stats.restarts.expired, 1);
    const relisted = t.deliveries.filter((d) => d.via === 'relist' && !d.key.includes('sentinel')).map((d) => `${d.type} ${d.key}`).sort();
    assert.deepEqual(relisted, ['ADDED default/new-b', 'DELETED default/cm-2', 'MODIFIED default/cm-1']);
  } finally {
    await t.stop();
  }
});

test('faults 6: HTTP 410 on the watch request relists', async () => {
  const t = await rig();
  try {
    t.change('cm-0');
    await t.settle();
    t.api.faults.push({ kind: 'status', status: 410, reason: 'Expired' });
    t.api.closeWatches();
    t.change('cm-1');
    t.del('cm-2');
    await t.settle();
    t.check('relist');
    assert.equal(t.r.stats.relists, 1);
  } finally {
    await t.stop();
  }
});

test('faults 7: 429 with Retry-After is honoured, then the watch resumes without a relist', async () => {
  const t = await rig();
  try {
    t.api.faults.push({ kind: 'status', status: 429, reason: 'TooManyRequests', retryAfter: '1' });
    t.api.closeWatches();
    t.change('cm-0');
    t.change('cm-1');
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.relists, 0);
    assert.ok(t.logs.some((l) => /^warn watch .*HTTP 429 TooManyRequests.*re-watching from resource version \d+ in 1\.0s reason=http_429$/.test(l)), t.logs.join('\n'));
  } finally {
    await t.stop();
  }
});

test('faults 8: 500 and 503 back off and retry (on the list as a list, on the watch as a watch)', async () => {
  const t = await rig({ before: (api) => api.faults.push({ kind: 'status', status: 503, reason: 'ServiceUnavailable', on: 'list' }) });
  try {
    t.api.faults.push({ kind: 'status', status: 500, reason: 'InternalError' }, { kind: 'status', status: 503, reason: 'ServiceUnavailable', plain: true });
    t.api.closeWatches();
    t.change('cm-0');
    t.del('cm-1');
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.relists, 0);
    assert.deepEqual([t.r.stats.restarts.http_500, t.r.stats.restarts.http_503], [1, 2]);
    assert.ok(t.logs.some((l) => /^warn list .*HTTP 503 ServiceUnavailable.*listing again in/.test(l)), t.logs.join('\n'));
  } finally {
    await t.stop();
  }
});

test('faults 9: a stalled connection (open, no bytes) is detected by inactivity and resumed from the last rv', async () => {
  const t = await rig({ reflector: { stallTimeoutMs: 300 } });
  try {
    // A live watch goes silent; changes made meanwhile are caught on resume.
    t.api.stallWatches();
    t.change('cm-0');
    t.change('cm-1');
    await t.settle();
    // A new watch that sends headers, then nothing.
    t.api.faults.push({ kind: 'stall' });
    t.api.closeWatches();
    t.change('cm-2');
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.restarts.stall, 2);
    assert.equal(t.r.stats.relists, 0);
  } finally {
    await t.stop();
  }
});

test('faults 10: a 1 MiB ConfigMap, listed and watched', async () => {
  const big = (c: string) => ({ blob: c.repeat(1024 * 1024) });
  const t = await rig({ before: (api) => api.upsertConfigMap(NS, 'big', big('a')) });
  try {
    assert.equal(t.deliveries.find((d) => d.key === `${NS}/big`)?.object.data?.blob?.length, 1024 * 1024);
    t.change('big', big('b'));
    t.api.closeWatches();
    t.change('big', big('c'));
    await t.settle();
    t.check('resume');
    const mods = t.deliveries.filter((d) => d.key === `${NS}/big` && d.type === 'MODIFIED');
    assert.deepEqual(mods.map((d) => d.object.data?.blob?.[0]), ['b', 'c']);
  } finally {
    await t.stop();
  }
});

test('faults 11: a stream of bookmarks only advances the rv, so a resume after compaction needs no relist', async () => {
  const t = await rig();
  try {
    t.api.setBookmarks(20);
    // Changes elsewhere move the server's rv; this watch sees only bookmarks.
    for (let i = 0; i < 5; i++) t.api.upsertConfigMap('other', `o-${i}`, { v: String(i) });
    await until(() => t.r.resourceVersion === String(t.api.rv), 10_000, 'a bookmark at the current rv');
    t.api.setBookmarks(0);
    t.api.compact();
    t.api.closeWatches();
    await t.watching();
    t.change('cm-0');
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.relists, 0, 'resumed from the bookmark rv, which is not expired');
    assert.equal(t.r.stats.restarts.expired, undefined);
    assert.deepEqual(t.deliveries.filter((d) => d.type !== 'SYNC').map((d) => d.key), [`${NS}/cm-0`, `${NS}/zz-sentinel-2`]);
  } finally {
    await t.stop();
  }
});

test('faults 12: changes made during the disconnect window are caught by resume, and by relist after compaction', async () => {
  const t = await rig();
  try {
    t.api.closeWatches();
    t.change('cm-0');
    t.change('win-new');
    t.change('cm-0');
    await t.settle();
    t.check('resume');
    assert.equal(t.r.stats.relists, 0);

    t.api.closeWatches();
    t.change('cm-1');
    t.change('win-new');
    t.change('win-new-2');
    t.api.compact();
    await t.settle();
    t.check('relist');
    assert.equal(t.r.stats.relists, 1);
  } finally {
    await t.stop();
  }
});

test('faults 13: deletions during the disconnect window are caught by resume, and by the relist diff after compaction', async () => {
  const t = await rig({ seed: 5 });
  try {
    t.api.closeWatches();
    t.del('cm-0');
    t.change('tmp');
    t.del('tmp');
    await t.settle();
    t.check('resume');

    t.api.closeWatches();
    t.del('cm-1');
    t.change('tmp2');
    t.del('tmp2');
    t.api.compact();
    await t.settle();
    t.check('relist');
    assert.equal(t.r.stats.relists, 1);
    const gone = t.deliveries.filter((d) => d.key === `${NS}/cm-1`);
    assert.deepEqual(gone.map((d) => `${d.type} ${d.via}`), ['SYNC list', 'DELETED relist']);
    assert.equal(gone[1]!.object.metadata?.name, 'cm-1');
    assert.ok(!t.deliveries.some((d) => d.key === `${NS}/tmp2`), 'created and deleted inside the window: nothing to deliver');
  } finally {
    await t.stop();
  }
});

test('faults 14: 10,000 events in a burst', async () => {
  const t = await rig();
  try {
    t.api.batch(() => {
      for (let i = 0; i < 10_000; i++) t.change(`burst-${i % 100}`);
    });
    await t.settle();
    t.check('resume');
    assert.equal(t.deliveries.filter((d) => d.key.startsWith(`${NS}/burst-`)).length, 10_000);
  } finally {
    await t.stop();
  }
});
