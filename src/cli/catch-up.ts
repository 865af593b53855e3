/**
 * The level-triggered stage between the reflectors and the intake, on with
 * --state or --resync. It keeps, per key (`resource/namespace/name`), the
 * fingerprint of the version last seen (and the object, only when --resync
 * or a leader-elected --state needs it), and with --state it compares that
 * with the store:
 *
 * - the objects of a reflector's first list are held, not passed on; when
 *   the list ends (and after every relist, and when leadership is taken)
 *   each key of that list's scope is compared with the store:
 *     a different fingerprint → MODIFIED via=catch-up;
 *     not in the store        → ADDED via=catch-up;
 *     in the store but gone   → DELETED via=catch-up, the object being its
 *                               last known metadata (name, namespace, and
 *                               the fingerprint as CMWATCH_CONTENT_HASH);
 *     the same                → SYNC, the baseline as without --state.
 *   A resource whose baseline was never taken (the first run, a new
 *   RESOURCE, a store that was invalid) takes its baseline as handled: SYNC,
 *   nothing runs unless --on SYNC. Keys with work in flight are skipped.
 * - what all handlers handled successfully is recorded in the store (the
 *   engine's onHandled); an event nothing runs on counts as handled at once.
 * - events of the store's own ConfigMaps are never passed on.
 * - a standby (leader election) records nothing and loads no store: the
 *   store is read when leadership is taken, and the comparison made then.
 */
import type { ApiResource } from '../api/resource.js';
import { keyOf, type EventResource, type EventType, type K8sObject } from '../api/types.js';
import { sleep } from '../base/backoff.js';
import { CmwatchError, oneLine } from '../base/errors.js';
import type { HandlerEngine } from '../handlers/engine.js';
import type { Logger } from '../ops/log.js';
import { DELETED_MARK } from '../ops/state-codec.js';
import type { LoadResult, StateStore } from '../ops/state-store.js';
import type { StateReadings } from '../ops/state-metrics.js';
import { eventResource } from '../watch/resource-watch.js';
import type { IntakeEvent } from './intake.js';

export interface CatchUpOptions {
  /** --state; undefined with --resync alone. */
  store: StateStore | undefined;
  /** The store's namespace (its ConfigMaps are never delivered). */
  storeNamespace?: string;
  engine: HandlerEngine;
  /** The intake: logs, prints, queues. */
  forward: (d: IntakeEvent) => void | Promise<void>;
  log: Logger;
  /** Keep whole objects (--resync delivers them; a new leader hands them over), else only their identity. */
  keepObjects: boolean;
  /** Queue keys carry the resource (several resources watched). */
  multi: boolean;
}

interface Known {
  key: string;
  hash: string | undefined;
  object: K8sObject;
  resource: EventResource;
}

interface Scope {
  resource: EventResource;
  prefix: string;
}

export function storeKey(resource: string, namespace: string | undefined, name: string | undefined): string {
  return `${resource}/${namespace ?? ''}/${name ?? ''}`;
}

function mark(type: EventType, hash: string | undefined): string | undefined {
  return type === 'DELETED' ? DELETED_MARK : hash;
}

export class CatchUp {
  private readonly current = new Map<string, Known>();
  /** Keys of a first list not yet compared, with the type the reflector gave them. */
  private readonly held = new Map<string, EventType>();
  /** Work handed to the engine and not finished: key → fingerprint (DELETED_MARK for a deletion). */
  private readonly submitted = new Map<string, string | undefined>();
  private readonly scopes = new Map<string, Scope>();
  private ready = false;
  private leading = 0;
  private multi: boolean;
  readonly counts = { catchUp: {} as Record<string, number>, repeats: 0, resyncs: 0, own: 0 };

  constructor(private readonly o: CatchUpOptions) {
    this.multi = o.multi;
  }

  /** The metrics' view. */
  readings(): StateReadings {
    const s = this.o.store;
    return {
      writes: () => s?.stats.writes ?? 0, conflicts: () => s?.stats.conflicts ?? 0, failures: () => s?.stats.failures ?? 0,
      keys: () => s?.size ?? 0, catchUp: () => this.counts.catchUp, repeats: () => this.counts.repeats, resyncs: () => this.counts.resyncs,
    };
  }

  /**
   * Loads the store (at start without leader election), before any list.
   * A 401/403 (the RBAC for the store is missing) is thrown: exit 3; any
   * other failure (5xx, network) is retried every 2 s.
   */
  async start(signal: AbortSignal): Promise<void> {
    const store = this.o.store;
    if (store) {
      while (!signal.aborted && !(await this.tryLoad(store, signal, true))) await sleep(2000, signal);
    }
    this.ready = true;
  }

  /** One attempt to read the store; false (logged) when it should be tried again. */
  private async tryLoad(store: StateStore, signal: AbortSignal, rejectDenied: boolean): Promise<boolean> {
    try {
      this.report(await store.load(signal));
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (rejectDenied && err instanceof CmwatchError && (err.code === 'API_401' || err.code === 'API_403')) throw err;
      this.o.log.error(`state store ${store.description}: ${oneLine(err)}; reading it again in 2s before acting`, { reason: 'state_read_failed' });
      return false;
    }
  }

  private report(r: LoadResult): void {
    const s = this.o.store!;
    if (r.status === 'missing') this.o.log.info(`state store ${s.description}: not found; this is the first run: the baseline is taken as handled (nothing runs unless --on SYNC), and the store is created`, { reason: 'state_first_run' });
    else if (r.status === 'loaded') this.o.log.info(`state store ${s.description}: ${r.keys} key(s) in ${r.shards} ConfigMap(s)${r.clean ? '' : '; the last writer did not stop cleanly'}`, { reason: 'state_loaded' });
  }

  /**
   * Leadership taken: reads the store (retrying until it can, or until
   * leadership is lost), lets the engine act, then compares every scope
   * listed so far with the store.
   */
  async lead(resume: () => void, signal: AbortSignal): Promise<void> {
    const epoch = ++this.leading;
    const store = this.o.store;
    if (!store) return resume();
    for (;;) {
      if (signal.aborted || epoch !== this.leading) return;
      if (await this.tryLoad(store, signal, false).catch(() => false)) break;
      await sleep(2000, signal);
    }
    if (epoch !== this.leading) return;
    this.submitted.clear();
    this.ready = true;
    resume();
    for (const scope of this.scopes.values()) await this.reconcile(scope);
  }

  /** Leadership lost: records nothing more; what was handled is flushed. */
  lost(): void {
    this.leading++;
    if (!this.o.store || !this.ready) return;
    this.ready = false;
    this.submitted.clear();
    this.o.store.clearInflight();
    void this.o.store.flush();
  }

  /** At shutdown (after the handlers finished) and before the Lease is released: the final flush. */
  async close(): Promise<void> {
    if (this.o.store && this.ready) await this.o.store.flush();
    this.ready = false;
  }

  private own(resource: EventResource, object: K8sObject): boolean {
    const store = this.o.store;
    if (!store || resource.name !== 'configmaps') return false;
    const m = object.metadata ?? {};
    const name = store.description.slice(store.description.indexOf('/') + 1);
    return m.namespace === this.o.storeNamespace && (m.name === name || (m.name?.startsWith(`${name}-`) === true && /^[1-9][0-9]*$/.test(m.name.slice(name.length + 1))));
  }

  private identity(object: K8sObject): K8sObject {
    const m = object.metadata ?? {};
    return { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion } };
  }

  /** The reflectors' delivery callback. */
  deliver(d: IntakeEvent): void | Promise<void> {
    const resource = d.resource;
    if (!resource) return this.o.forward(d);
    if (this.own(resource, d.object)) {
      this.counts.own++;
      return;
    }
    const m = d.object.metadata ?? {};
    const sk = storeKey(resource.name, m.namespace, m.name);
    // The queue keys as the reflectors make them (prefixed when several resources are watched).
    this.multi = d.key !== keyOf(d.object);
    if (d.type === 'DELETED') this.current.delete(sk);
    else this.current.set(sk, { key: d.key, hash: d.hash, object: this.o.keepObjects ? d.object : this.identity(d.object), resource });
    if (this.o.store && d.via === 'list') {
      this.held.set(sk, d.type);
      return;
    }
    return this.send(sk, d);
  }

  /** Passes an event on, and records what it means for the store. */
  private send(sk: string, ev: IntakeEvent): void | Promise<void> {
    const { engine, store } = this.o;
    const record = store !== undefined && this.ready && engine.acting && !(ev.type === 'SYNC' && ev.via === 'resync');
    const wants = engine.wants(ev.type);
    const wait = this.o.forward(ev);
    if (record) {
      if (!wants) store.set(sk, ev.type === 'DELETED' ? undefined : ev.hash);
      else {
        this.submitted.set(sk, mark(ev.type, ev.hash));
        store.started(sk, ev.type === 'DELETED' ? undefined : ev.hash);
      }
    }
    return wait;
  }

  /** The engine's onHandled: all handlers (and the action) succeeded. */
  handled(ev: IntakeEvent | { type: EventType; object: K8sObject; resource?: EventResource; hash?: string; via?: string }): void {
    const store = this.o.store;
    if (!store || !this.ready || !ev.resource || (ev.type === 'SYNC' && ev.via === 'resync')) return;
    const m = ev.object.metadata ?? {};
    const sk = storeKey(ev.resource.name, m.namespace, m.name);
    store.set(sk, ev.type === 'DELETED' ? undefined : ev.hash);
    this.finished(sk, mark(ev.type, ev.hash));
  }

  /** The engine's onGiveUp: the work is over (the store keeps the older version: the next start retries). */
  gaveUp(ev: { type: EventType; object: K8sObject; resource?: EventResource; hash?: string }): void {
    if (!this.o.store || !ev.resource) return;
    const m = ev.object.metadata ?? {};
    this.finished(storeKey(ev.resource.name, m.namespace, m.name), mark(ev.type, ev.hash));
  }

  private finished(sk: string, m: string | undefined): void {
    if (this.submitted.has(sk) && this.submitted.get(sk) === m) {
      this.submitted.delete(sk);
      this.o.store!.finished(sk);
    }
  }

  /** A reflector's list ended (the first, or a relist): compare its scope with the store. */
  async listed(r: ApiResource, namespace: string | undefined): Promise<void> {
    const resource = eventResource(r);
    const prefix = r.namespaced && namespace !== undefined ? `${resource.name}/${namespace}/` : `${resource.name}/`;
    const scope = { resource, prefix };
    this.scopes.set(prefix, scope);
    if (!this.o.store) return;
    if (!this.ready) {
      // A standby: the first list goes on as it came (the baseline); the comparison waits for leadership.
      for (const [sk, type] of [...this.held]) {
        if (!sk.startsWith(prefix)) continue;
        this.held.delete(sk);
        const k = this.current.get(sk);
        if (k) await this.o.forward({ type, object: k.object, key: k.key, resource: k.resource, hash: k.hash, via: 'list' });
      }
      return;
    }
    await this.reconcile(scope);
  }

  /** Compares one scope with the store; see the file's comment. */
  private async reconcile(scope: Scope): Promise<void> {
    const store = this.o.store!;
    const baseline = !store.hasResource(scope.resource.name);
    const out: Array<{ sk: string; ev: IntakeEvent }> = [];
    for (const [sk, k] of this.current) {
      if (!sk.startsWith(scope.prefix)) continue;
      const held = this.held.get(sk);
      this.held.delete(sk);
      if (this.submitted.has(sk) && this.submitted.get(sk) === k.hash) continue;
      const stored = store.get(sk);
      const base = { object: k.object, key: k.key, resource: k.resource, hash: k.hash };
      if (stored === k.hash || (stored === undefined && baseline)) {
        if (held !== undefined) out.push({ sk, ev: { ...base, type: stored === k.hash ? 'SYNC' : held, via: 'list' } });
        else if (stored === undefined) store.set(sk, k.hash);
        continue;
      }
      // Without the object (only its identity kept) a difference found after a relist waits for the next start.
      if (held === undefined && !this.o.keepObjects) continue;
      out.push({ sk, ev: { ...base, type: stored === undefined ? 'ADDED' : 'MODIFIED', via: 'catch-up' } });
    }
    for (const sk of store.keysUnder(scope.prefix)) {
      if (this.current.has(sk) || this.submitted.get(sk) === DELETED_MARK) continue;
      out.push({ sk, ev: this.gone(sk, scope.resource, store.get(sk)!) });
    }
    store.addResource(scope.resource.name);
    for (const { sk, ev } of out) {
      if (ev.via === 'catch-up') this.counted(sk, ev);
      const wait = this.send(sk, ev);
      if (wait) await wait;
    }
  }

  private counted(sk: string, ev: IntakeEvent): void {
    this.counts.catchUp[ev.type] = (this.counts.catchUp[ev.type] ?? 0) + 1;
    const before = this.o.store!.previousInflight.get(sk);
    if (before !== undefined && before === mark(ev.type, ev.hash) && this.o.engine.wants(ev.type)) {
      this.counts.repeats++;
      this.o.log.info(`${ev.type} ${ev.key}: the previous instance had started this version and stopped before recording it; running it again (a possible repeat)`, { reason: 'state_repeat' });
    }
  }

  /** A DELETED for a key the store has and the list has not: its last known metadata. */
  private gone(sk: string, resource: EventResource, hash: string): IntakeEvent {
    const rest = sk.slice(resource.name.length + 1);
    const slash = rest.indexOf('/');
    const namespace = rest.slice(0, slash);
    const name = rest.slice(slash + 1);
    const object: K8sObject = {
      apiVersion: resource.apiVersion, kind: resource.kind,
      metadata: { name, ...(namespace ? { namespace } : {}), annotations: { 'cmwatch.io/content-hash': hash } },
    };
    const key = (this.multi ? `${resource.name}/` : '') + keyOf(object);
    return { type: 'DELETED', object, key, resource, hash, via: 'catch-up' };
  }

  /** --resync: the keys known now. */
  resyncKeys(): string[] {
    return [...this.current.keys()];
  }

  /** --resync: whether a key has work pending. */
  busy(sk: string): boolean {
    const k = this.current.get(sk);
    return k !== undefined && this.o.engine.hasWork(k.key);
  }

  /** --resync: whether this instance may deliver (acting, and with --state the store read). */
  acting(): boolean {
    return this.o.engine.acting && this.ready;
  }

  /** --resync: one key again as SYNC; false when it is gone. */
  resync(sk: string): boolean {
    const k = this.current.get(sk);
    if (!k) return false;
    this.counts.resyncs++;
    void this.send(sk, { type: 'SYNC', object: k.object, key: k.key, resource: k.resource, hash: k.hash, via: 'resync' });
    return true;
  }
}
