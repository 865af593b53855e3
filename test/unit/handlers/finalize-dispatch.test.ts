import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDispatcher } from '../../../src/handlers/dispatcher.js';
import { HandlerSet } from '../../../src/handlers/handler-set.js';
import { HandlerEngine } from '../../../src/handlers/engine.js';
import type { FinalizeStep } from '../../../src/handlers/finalizer.js';
import { Logger } from '../../../src/ops/log.js';
import type { WatchEvent } from '../../../src/api/types.js';

const log = new Logger({ level: 'error' });
const ev: WatchEvent = { type: 'FINALIZE', object: { metadata: { name: 'w', namespace: 'd', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/x'] } }, resource: { name: 'widgets.example.com', kind: 'Widget', apiVersion: 'example.com/v1' } };

function step(): FinalizeStep & { released: string[]; failures: string[] } {
  const s = {
    released: [] as string[], failures: [] as string[],
    async release(_e: WatchEvent, key: string) { s.released.push(key); return { kind: 'ok' as const }; },
    async failed(_e: WatchEvent, key: string, reason: string) { s.failures.push(`${key}: ${reason}`); },
  };
  return s;
}

function dispatcher(argv: string[], finalize: FinalizeStep, on = ['FINALIZE']) {
  return makeDispatcher({
    handlers: new HandlerSet([{ name: 'h', argv }], undefined, log), handlersOn: new Set(on), contract: { server: 'http://x', selectorAnnotations: [] },
    log, timeoutMs: 10_000, killGraceMs: 1000, kill: new AbortController().signal, finalize,
  });
}

test('FINALIZE: the finalizer is released only after the chain succeeded', async () => {
  const s = step();
  assert.deepEqual(await dispatcher(['/bin/true'], s)('d/w', ev, { number: 1, failures: 0 }), { kind: 'ok' });
  assert.deepEqual(s.released, ['d/w']);
  assert.deepEqual(s.failures, []);
});

test('FINALIZE: a failing chain is reported (Warning Event) and fails (retried), nothing released', async () => {
  const s = step();
  const out = await dispatcher(['/bin/false'], s)('d/w', ev, { number: 2, failures: 1 });
  assert.equal(out.kind, 'failed');
  assert.deepEqual(s.released, []);
  assert.deepEqual(s.failures, ['d/w: h exit 1']);
});

test('FINALIZE with no handler on it releases at once; other types never release', async () => {
  const s = step();
  assert.deepEqual(await dispatcher(['/bin/false'], s, ['MODIFIED'])('d/w', ev, { number: 1, failures: 0 }), { kind: 'ok' });
  assert.deepEqual(s.released, ['d/w']);
  await dispatcher(['/bin/true'], s, ['MODIFIED'])('d/w', { ...ev, type: 'MODIFIED' }, { number: 1, failures: 0 });
  assert.deepEqual(s.released, ['d/w']);
});

test('the engine wants FINALIZE whenever a finalizer is set, even with nothing on it', () => {
  const contract = { server: 'http://x', selectorAnnotations: [] };
  assert.equal(new HandlerEngine({ execs: [], log, contract, handlersOn: new Set(['MODIFIED']), finalize: step() }).wants('FINALIZE'), true);
  assert.equal(new HandlerEngine({ execs: [], log, contract, handlersOn: new Set(['MODIFIED']) }).wants('FINALIZE'), false);
});
