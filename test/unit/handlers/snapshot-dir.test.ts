import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotDirs } from '../../../src/handlers/snapshot-dir.js';
import { SnapshotCache } from '../../../src/watch/snapshot-cache.js';
import { Logger } from '../../../src/ops/log.js';

const log = new Logger({ level: 'error' });

test('each take is a private directory with <resource>.json as of that instant, removed on release', async () => {
  const cw = new SnapshotCache({ canonical: 'configwatchers.k8spatterns.com', apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher' });
  const cm = new SnapshotCache({ canonical: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap' });
  cw.apply({ type: 'SYNC', object: { metadata: { name: 'one', namespace: 'd' } }, key: 'd/one' });
  const dirs = new SnapshotDirs([cw, cm], log);
  const a = await dirs.take();
  cw.apply({ type: 'ADDED', object: { metadata: { name: 'two', namespace: 'd' } }, key: 'd/two' });
  const b = await dirs.take();
  assert.notEqual(a.dir, b.dir);
  assert.deepEqual(readdirSync(a.dir).sort(), ['configmaps.json', 'configwatchers.k8spatterns.com.json']);
  assert.equal(statSync(a.dir).mode & 0o777, 0o700);
  const names = (dir: string) => (JSON.parse(readFileSync(join(dir, 'configwatchers.k8spatterns.com.json'), 'utf8')) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name);
  assert.deepEqual(names(a.dir), ['one'], 'the first run does not see the later object');
  assert.deepEqual(names(b.dir), ['one', 'two']);
  assert.deepEqual(JSON.parse(readFileSync(join(a.dir, 'configmaps.json'), 'utf8')), { apiVersion: 'v1', kind: 'List', metadata: {}, items: [] });
  await a.release();
  await b.release();
  assert.equal(existsSync(a.dir), false);
  assert.equal(existsSync(b.dir), false);
});

test('ready waits for every cache to sync, and gives up when the signal aborts', async () => {
  const c = new SnapshotCache({ canonical: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap' });
  const synced = c.expectSync();
  const dirs = new SnapshotDirs([c], log);
  const stop = new AbortController();
  const waiting = dirs.ready(stop.signal);
  synced();
  assert.equal(await waiting, true);
  const c2 = new SnapshotCache({ canonical: 'secrets', apiVersion: 'v1', kind: 'Secret' });
  c2.expectSync();
  const never = new SnapshotDirs([c2], log).ready(stop.signal);
  stop.abort();
  assert.equal(await never, false);
});
