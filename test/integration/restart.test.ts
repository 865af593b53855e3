/**
 * Issue #4, case 15: restarting cmwatch. The objects that exist at start are
 * a baseline (SYNC), not changes, so a restart runs no handler, and a change
 * made while cmwatch was down is not replayed either: cmwatch is
 * edge-triggered on what it sees while it runs (see docs/watch-semantics.md;
 * level-triggered strategies come with a later issue).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeApiServer } from '../fake/api-server.js';
import type { CliRun } from '../helpers/cli.js';
import { fakeFixture } from '../helpers/fake-fixture.js';

let api: FakeApiServer | undefined;
let cli: CliRun | undefined;
const fx = fakeFixture({ lazy: true, command: 'watch', args: ['-n', 'default'] });

function handler(): { script: string; out: string; runs: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-restart-'));
  const out = join(dir, 'runs.txt');
  const script = join(dir, 'record.sh');
  writeFileSync(script, '#!/bin/sh\necho "$CMWATCH_EVENT_TYPE $CMWATCH_NAMESPACE/$CMWATCH_NAME" >> "$OUT"\n');
  chmodSync(script, 0o755);
  return { script, out, runs: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []) };
}

/** Starts cmwatch, waits for its sync, then for a sentinel change's handler run, and stops it. */
async function session(h: ReturnType<typeof handler>, sentinel: string, during?: () => void): Promise<void> {
  cli = fx.cmwatch(['--exec', h.script, '--on', 'ADDED,MODIFIED,DELETED', '--concurrency', '1'], { env: { OUT: h.out } });
  await cli.waitFor(/synced \d+ object/);
  during?.();
  // The queue runs in order with --concurrency 1: once the sentinel ran, anything queued before it has run.
  api!.upsertConfigMap('default', sentinel, { v: sentinel });
  await cli.waitFor(new RegExp(`\\[record\\.sh default/${sentinel}\\] exit 0`));
  assert.equal(await cli.stop('SIGTERM'), 0);
  cli = undefined;
}

test('restart 15a: restarting cmwatch with the ConfigMaps unchanged runs no handler', async () => {
  api = await fx.start();
  for (let i = 0; i < 5; i++) api.upsertConfigMap('default', `cm-${i}`, { v: '1' }, { 'k8spatterns.io/podDeleteSelector': 'app=x' });
  const h = handler();
  await session(h, 's1');
  await session(h, 's2');
  await session(h, 's3');
  // Each session's own sentinel was ADDED while it ran; earlier sentinels are baseline for later sessions.
  assert.deepEqual(h.runs(), ['ADDED default/s1', 'ADDED default/s2', 'ADDED default/s3']);
});

test('restart 15b: a change made while cmwatch was down is not replayed; changes while it runs are delivered once', async () => {
  api = await fx.start();
  api.upsertConfigMap('default', 'app', { v: '1' });
  const h = handler();
  await session(h, 's1');
  api.upsertConfigMap('default', 'app', { v: 'changed while down' });
  await session(h, 's2', () => api!.upsertConfigMap('default', 'app', { v: 'changed while running' }));
  assert.deepEqual(h.runs(), ['ADDED default/s1', 'MODIFIED default/app', 'ADDED default/s2']);
});
