/**
 * `--finalizer [RESOURCE=]NAME`: cmwatch's finalizer on the objects of a
 * watched resource.
 *
 * - Every object delivered without it (SYNC, ADDED, MODIFIED) and not being
 *   deleted gets it, through a small queue of its own (per object, retried
 *   with backoff), only while this instance acts (leader election).
 * - An object being deleted (a deletionTimestamp) that carries it is
 *   delivered as FINALIZE, also at start (SYNC).
 * - After the whole chain of handlers for a FINALIZE succeeded, the
 *   finalizer is removed (release); when it failed, a Warning Event is
 *   posted on the object and the engine retries with backoff: the object
 *   stays until a run succeeds.
 * Both patches test the finalizer list first and touch no other finalizer
 * (kube/finalizer-client.ts).
 */
import { oneLine } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { finalizersOf, hasFinalizer, isDeleting } from '../api/finalizer-patch.js';
import type { EventResource, EventType, K8sObject, WatchEvent } from '../api/types.js';
import type { KubeClient } from '../kube/client.js';
import { changeFinalizer, type FinalizerTarget } from '../kube/finalizer-client.js';
import { postObjectEvent } from '../kube/object-event.js';
import { WorkQueue, type Attempt, type Outcome } from '../queue/work-queue.js';

export interface FinalizerSpec {
  readonly resource: FinalizerTarget & { readonly kind: string; readonly apiVersion: string };
  readonly name: string;
}

/** What the dispatcher calls for a FINALIZE event (dispatcher.ts). */
export interface FinalizeStep {
  /** Every handler succeeded: remove the finalizer. Failed: retried by the engine. */
  release(ev: WatchEvent, key: string, signal: AbortSignal): Promise<Outcome>;
  /** A run of the chain failed: a Warning Event on the object (never throws). */
  failed(ev: WatchEvent, key: string, reason: string, attempt: Attempt): Promise<void>;
}

export interface FinalizersOptions {
  client: KubeClient;
  log: Logger;
  /** False on a standby (leader election): no finalizer is added. */
  acting: () => boolean;
  /** --dry-run: adding and removing are sent with dryRun=All (validated by the server, nothing persists). */
  dryRun?: boolean;
  /** Adding retries (the engine's retry settings). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

interface Pending {
  spec: FinalizerSpec;
  object: K8sObject;
}

export class Finalizers implements FinalizeStep {
  private readonly byResource = new Map<string, FinalizerSpec>();
  private readonly adder: WorkQueue<Pending>;
  private readonly stop = new AbortController();

  constructor(private readonly o: FinalizersOptions) {
    this.adder = new WorkQueue<Pending>({
      worker: (key, p) => this.add(key, p), log: o.log, concurrency: 2, coalesce: true,
      maxRetries: 10, baseDelayMs: o.retryBaseMs, maxDelayMs: o.retryMaxMs,
    });
  }

  /** The finalizers, once the resources are resolved (before any event). */
  bind(specs: readonly FinalizerSpec[]): void {
    for (const s of specs) this.byResource.set(s.resource.canonical, s);
  }

  get specs(): FinalizerSpec[] {
    return [...this.byResource.values()];
  }

  /** The finalizer of a resource (by canonical name), if it has one. */
  nameFor(canonical: string): string | undefined {
    return this.byResource.get(canonical)?.name;
  }

  /**
   * The event as it is delivered on: FINALIZE for an object being deleted
   * that carries the finalizer; others unchanged. Starts adding the
   * finalizer where it is missing.
   */
  classify<E extends { type: EventType; object: K8sObject; key: string; resource?: EventResource }>(d: E): E {
    const spec = d.resource && this.byResource.get(d.resource.name);
    if (!spec || d.type === 'DELETED' || d.type === 'FINALIZE') return d;
    if (isDeleting(d.object)) return hasFinalizer(d.object, spec.name) ? { ...d, type: 'FINALIZE' } : d;
    if (!hasFinalizer(d.object, spec.name) && this.o.acting()) this.adder.add(d.key, { spec, object: d.object });
    return d;
  }

  async release(ev: WatchEvent, key: string, signal: AbortSignal): Promise<Outcome> {
    const spec = ev.resource && this.byResource.get(ev.resource.name);
    if (!spec) return { kind: 'ok' };
    try {
      const r = await changeFinalizer(this.o.client, spec.resource, ev.object, spec.name, 'remove', { signal, dryRun: this.o.dryRun });
      if (r === 'changed') this.o.log.info(`[finalizer ${key}] ${this.o.dryRun ? 'dry run: would remove' : 'removed'} ${spec.name}: every handler succeeded`, { key, finalizer: spec.name });
      else this.o.log.info(`[finalizer ${key}] ${r === 'gone' ? 'object already gone' : `${spec.name} already removed`}`, { key, finalizer: spec.name });
      return { kind: 'ok' };
    } catch (err) {
      const reason = `removing finalizer ${spec.name}: ${oneLine(err)}`;
      this.o.log.error(`[finalizer ${key}] ${reason}`, { key, finalizer: spec.name });
      return { kind: 'failed', reason };
    }
  }

  async failed(ev: WatchEvent, key: string, reason: string, attempt: Attempt): Promise<void> {
    const spec = ev.resource && this.byResource.get(ev.resource.name);
    if (!spec) return;
    try {
      await postObjectEvent(this.o.client, {
        type: 'Warning', reason: 'FinalizeFailed', action: 'Finalize', regarding: ev.object,
        apiVersion: spec.resource.apiVersion, kind: spec.resource.kind,
        note: `finalizer ${spec.name}: ${reason} (attempt ${attempt.number}); the object is kept until a FINALIZE run succeeds`,
      }, this.stop.signal);
    } catch (err) {
      this.o.log.warn(`[finalizer ${key}] could not post the Warning Event: ${oneLine(err)}`, { key, reason: 'event_failed' });
    }
  }

  /** Stops adding: the queue's pending work is dropped. */
  async close(graceMs = 5000): Promise<void> {
    await this.adder.drain(graceMs);
    this.stop.abort();
  }

  private async add(key: string, p: Pending): Promise<Outcome> {
    if (!this.o.acting()) return { kind: 'ok' };
    try {
      const r = await changeFinalizer(this.o.client, p.spec.resource, p.object, p.spec.name, 'add', { signal: this.stop.signal, dryRun: this.o.dryRun });
      if (r === 'changed') {
        const others = finalizersOf(p.object).length;
        this.o.log.info(`[finalizer ${key}] ${this.o.dryRun ? 'dry run: would add' : 'added'} ${p.spec.name}${others > 0 ? ` (kept ${others} other finalizer${others > 1 ? 's' : ''})` : ''}`, { key, finalizer: p.spec.name });
      }
      return { kind: 'ok' };
    } catch (err) {
      return { kind: 'failed', reason: `adding finalizer ${p.spec.name}: ${oneLine(err)}` };
    }
  }
}
