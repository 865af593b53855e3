/**
 * The built-in action under --timeout and the shutdown kill (issue #11):
 * runAction, and what the engine logs when an action is what keeps a
 * shutdown waiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAction, type Action } from '../../../src/handlers/action-run.js';
import { HandlerEngine } from '../../../src/handlers/engine.js';
import { Logger } from '../../../src/ops/log.js';
import type { WatchEvent } from '../../../src/api/types.js';

const ev = { type: 'MODIFIED', object: { metadata: { name: 'a', namespace: 'ns' } } } as unknown as WatchEvent;

function logger() {
  const lines: string[] = [];
  return { lines, log: new Logger({ color: false, write: (l) => lines.push(l) }) };
}

/** Ends (ok=false) when its signal aborts, like delete-pods waiting on a request. */
const honours: Action = (_ev, _key, signal) => new Promise((resolve) => {
  signal.addEventListener('abort', () => resolve({ ok: false, reason: 'stopped' }), { once: true });
});
/** Never ends, whatever its signal does. */
const ignores: Action = () => new Promise(() => {});

test('runAction: an action that answers in time is its own result', async () => {
  const { log } = logger();
  const r = await runAction(async () => ({ ok: true }), ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 1000, killGraceMs: 100, kill: new AbortController().signal });
  assert.deepEqual({ ok: r.ok, stopped: r.stopped, abandoned: r.abandoned }, { ok: true, stopped: undefined, abandoned: false });
  const failed = await runAction(async () => ({ ok: false, reason: 'list failed' }), ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 1000, killGraceMs: 100, kill: new AbortController().signal });
  assert.deepEqual({ ok: failed.ok, reason: failed.reason, stopped: failed.stopped }, { ok: false, reason: 'list failed', stopped: undefined });
  const thrown = await runAction(async () => { throw new Error('boom'); }, ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 1000, killGraceMs: 100, kill: new AbortController().signal });
  assert.deepEqual({ ok: thrown.ok, reason: thrown.reason }, { ok: false, reason: 'boom' });
});

test('runAction: the signal fires at --timeout; the run is a timeout', async () => {
  const { log, lines } = logger();
  let signalled: AbortSignal | undefined;
  const r = await runAction((e, k, s) => { signalled = s; return honours(e, k, s); }, ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 50, killGraceMs: 1000, kill: new AbortController().signal });
  assert.equal(signalled?.aborted, true);
  assert.deepEqual({ ok: r.ok, stopped: r.stopped, abandoned: r.abandoned }, { ok: false, stopped: 'timeout', abandoned: false });
  assert.deepEqual(lines, []);
});

test('runAction: the kill signal stops it (shutdown); an action that ignores its signal is left after the kill grace', async () => {
  const { log, lines } = logger();
  const kill = new AbortController();
  setTimeout(() => kill.abort(), 30);
  const r = await runAction(honours, ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 60_000, killGraceMs: 1000, kill: kill.signal });
  assert.deepEqual({ stopped: r.stopped, abandoned: r.abandoned }, { stopped: 'killed', abandoned: false });

  const left = await runAction(ignores, ev, 'ns/a', { name: 'delete-pods', log, timeoutMs: 30, killGraceMs: 30, kill: new AbortController().signal });
  assert.deepEqual({ ok: left.ok, stopped: left.stopped, abandoned: left.abandoned }, { ok: false, stopped: 'timeout', abandoned: true });
  assert.deepEqual(lines, ['error [delete-pods ns/a] did not stop within 30ms of being stopped; no longer waiting for it handler=delete-pods key=ns/a reason=abandoned']);
});

function engine(action: Action, log: Logger): HandlerEngine {
  return new HandlerEngine({
    execs: [], concurrency: 2, coalesce: true, maxRetries: 5, retryBaseMs: 1000, retryMaxMs: 1000,
    action: { name: 'delete-pods', on: new Set(['MODIFIED']), run: action }, handlersOn: new Set(), contract: { server: 'http://x', selectorAnnotations: [] },
    log, timeoutMs: 60_000, killGraceMs: 50,
  });
}

test('shutdown with a hung action: it is stopped after the grace, and no "did not end after SIGKILL" is logged (no process was there)', async () => {
  for (const [action, expect] of [[honours, /killed at shutdown/], [ignores, /did not stop within 50ms/]] as const) {
    const { log, lines } = logger();
    const e = engine(action, log);
    assert.equal(e.submit('ns/a', ev), true);
    await new Promise((r) => setTimeout(r, 20));
    const down = await e.shutdown(50);
    assert.deepEqual(down.killed, ['ns/a']);
    const text = lines.join('\n');
    assert.match(text, /shutdown: killing handlers still running after 50ms: ns\/a/);
    assert.match(text, expect);
    assert.doesNotMatch(text, /did not end after SIGKILL/);
  }
});
