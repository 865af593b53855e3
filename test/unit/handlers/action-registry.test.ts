import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionNames, bindAction, dryRunActionNames, findAction } from '../../../src/handlers/actions/registry.js';
import { HandlerEngine } from '../../../src/handlers/engine.js';
import { HANDLER_DEFAULTS } from '../../../src/handlers/defaults.js';
import { QUEUE_DEFAULTS } from '../../../src/queue/defaults.js';
import { Logger } from '../../../src/ops/log.js';
import type { KubeClient } from '../../../src/kube/client.js';

const log = new Logger({ color: false, write: () => {} });

test('action registry: delete-pods is an entry, fires on MODIFIED, honours --dry-run', () => {
  // Issue #16 added evict-pods and rollout-restart after it.
  assert.deepEqual(actionNames(), ['delete-pods', 'evict-pods', 'rollout-restart']);
  assert.deepEqual(dryRunActionNames(), ['delete-pods', 'evict-pods', 'rollout-restart']);
  const e = findAction('delete-pods')!;
  assert.deepEqual([...e.on], ['MODIFIED']);
  assert.equal(findAction('nuke'), undefined);
});

test('action registry: evict-pods fires on MODIFIED; rollout-restart on SYNC (the start-up check), ADDED and MODIFIED; both honour --dry-run', () => {
  assert.deepEqual([...findAction('evict-pods')!.on], ['MODIFIED']);
  assert.deepEqual([...findAction('rollout-restart')!.on], ['SYNC', 'ADDED', 'MODIFIED']);
  assert.equal(findAction('evict-pods')!.dryRun, true);
  assert.equal(findAction('rollout-restart')!.dryRun, true);
});

test('action registry: a bound action carries the entry name (its metrics label) and types', () => {
  const b = bindAction('delete-pods', { client: {} as KubeClient, log, selectorAnnotations: [], dryRun: true });
  assert.equal(b.name, 'delete-pods');
  assert.ok(b.on.has('MODIFIED'));
  assert.throws(() => bindAction('nuke', { client: {} as KubeClient, log, selectorAnnotations: [], dryRun: false }), /no built-in action "nuke"/);
});

test('engine: options left out or undefined take HANDLER_DEFAULTS; the action fires on its own types', () => {
  const run = async () => ({ ok: true });
  const e = new HandlerEngine({
    execs: [], handlersOn: new Set(), contract: { server: 'http://x', selectorAnnotations: [] }, log,
    concurrency: undefined, maxRetries: undefined, timeoutMs: undefined,
    action: { name: 'a', on: new Set(['MODIFIED']), run },
  });
  assert.equal(e.wants('MODIFIED'), true);
  assert.equal(e.wants('ADDED'), false);
  assert.equal(HANDLER_DEFAULTS.concurrency, QUEUE_DEFAULTS.concurrency);
  assert.equal(HANDLER_DEFAULTS.retryBaseMs, 1000);
  assert.equal(HANDLER_DEFAULTS.retryMaxMs, 300_000);
});
