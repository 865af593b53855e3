/**
 * The delivery invariant of issue #4, checked against the fake API server's
 * journal: every change made on the server reaches the handler exactly once,
 * by content, and nothing is delivered twice or out of order for one key.
 *
 * Tests give every change a unique content. A "resume" case must deliver
 * every change after the baseline, in order. A "relist" case may collapse
 * the changes of the disconnect window into the final state (a relist only
 * sees the present), but still delivers in order, never twice, and ends in
 * the server's state.
 */
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../fake/api-server.js';
import type { Delivery } from '../../src/watch/reflector.js';

export const ABSENT = '<absent>';

function content(type: string, data: unknown): string {
  return type === 'DELETED' ? ABSENT : JSON.stringify(data ?? {});
}

export interface InvariantOptions {
  /** Only changes after this resource version count (the baseline). */
  afterRv: number;
  namespace?: string;
  /** 'resume': every change delivered; 'relist': the window may be collapsed. */
  mode: 'resume' | 'relist';
}

/** Per key: the server's changes after the baseline, as contents. */
export function serverChanges(api: FakeApiServer, o: InvariantOptions): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of api.journal) {
    if (e.resource !== 'configmaps' || e.rv <= o.afterRv) continue;
    if (o.namespace && e.obj.metadata.namespace !== o.namespace) continue;
    const key = `${e.obj.metadata.namespace}/${e.obj.metadata.name}`;
    let l = out.get(key);
    if (!l) out.set(key, (l = []));
    l.push(content(e.type, e.obj.data));
  }
  return out;
}

/** Per key: what the handler saw after the baseline (SYNC excluded), as contents. */
export function deliveredChanges(deliveries: readonly Delivery[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of deliveries) {
    if (d.type === 'SYNC') continue;
    let l = out.get(d.key);
    if (!l) out.set(d.key, (l = []));
    l.push(content(d.type, d.object.data));
  }
  return out;
}

/** The server's current state of every key (namespace-filtered). */
function serverState(api: FakeApiServer, namespace?: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of api.objects.configmaps.values()) {
    if (namespace && o.metadata.namespace !== namespace) continue;
    m.set(`${o.metadata.namespace}/${o.metadata.name}`, content('MODIFIED', o.data));
  }
  return m;
}

/** The handler's view: the baseline (SYNC) updated by every delivery. */
function clientState(deliveries: readonly Delivery[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const d of deliveries) {
    if (d.type === 'DELETED') m.delete(d.key);
    else m.set(d.key, content(d.type, d.object.data));
  }
  return m;
}

/** True once the handler's view equals the server's state. */
export function converged(api: FakeApiServer, deliveries: readonly Delivery[], namespace?: string): boolean {
  const s = serverState(api, namespace);
  const c = clientState(deliveries);
  if (s.size !== c.size) return false;
  for (const [k, v] of s) if (c.get(k) !== v) return false;
  return true;
}

export function assertInvariant(api: FakeApiServer, deliveries: readonly Delivery[], o: InvariantOptions): void {
  const want = serverChanges(api, o);
  const got = deliveredChanges(deliveries);
  for (const key of got.keys()) assert.ok(want.has(key), `${key}: delivered ${JSON.stringify(got.get(key))} but never changed on the server`);
  for (const [key, changes] of want) {
    const seen = got.get(key) ?? [];
    if (o.mode === 'resume') {
      assert.deepEqual(seen, changes, `${key}: deliveries differ from the server's changes`);
      continue;
    }
    // relist: an in-order subsequence, each change at most once, ending in the final state.
    let i = 0;
    for (const c of seen) {
      while (i < changes.length && changes[i] !== c) i++;
      assert.ok(i < changes.length, `${key}: ${c} delivered twice or out of order; server: ${JSON.stringify(changes)}, delivered: ${JSON.stringify(seen)}`);
      i++;
    }
  }
  assert.ok(converged(api, deliveries, o.namespace), 'the handler\'s view ends in the server\'s state');
}
