/**
 * Schedules and performs rollout restarts, for every target at once:
 *
 *   request → debounce per target (--debounce) → ready, in order →
 *   token bucket across targets (--max-restarts-per-minute) → restart.
 *
 * A restart reads the workload again, leaves a paused one alone (warned),
 * patches only the annotations that differ (restart-patch.ts), prints the
 * patch instead under --dry-run, and writes a Normal Event naming the
 * sources. Nothing pending is ever dropped by the throttle; a failed
 * restart is tried again with backoff (merged with any newer change);
 * a target that is gone is forgotten. At shutdown the restarts still
 * pending are logged: the start-up check finds them again next time (for
 * targets that already carry a cmwatch annotation).
 */
import type { KubeClient } from '../../kube/client.js';
import type { Logger } from '../../base/logger.js';
import type { ApiResource } from '../../api/resource.js';
import type { K8sObject } from '../../api/types.js';
import { ApiError } from '../../api/api-error.js';
import { objectPath } from '../../api/object-path.js';
import { oneLine } from '../../base/errors.js';
import { exponentialDelay } from '../../base/backoff.js';
import { formatDuration } from '../../base/duration.js';
import { systemClock, type Clock } from '../../base/clock.js';
import { Debouncer } from './debounce.js';
import { TokenBucket } from './token-bucket.js';
import { isPaused, MERGE_PATCH, outdated, restartPatch, type SourceChange } from './restart-patch.js';
import { postWorkloadEvent } from './workload-event.js';
import { workloadKey, workloadLabel } from './restart-targets.js';

export interface TargetRef {
  resource: ApiResource;
  namespace: string;
  name: string;
}

export type RestartResult = 'restarted' | 'dry_run' | 'paused' | 'up_to_date' | 'gone' | 'failed';

export interface RestarterOptions {
  client: KubeClient;
  log: Logger;
  debounceMs: number;
  /** 0: no limit. */
  maxPerMinute: number;
  /** The throttle's window (60 s; shorter in tests). */
  windowMs?: number;
  dryRun: boolean;
  /** Where --dry-run prints each patch (stdout). */
  print: (line: string) => void;
  /** The root signal: at its abort, pending restarts are dropped (logged) and no more start. */
  signal: AbortSignal;
  clock?: Clock;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Each finished restart, for tests and metrics. */
  onDone?: (target: string, result: RestartResult) => void;
}

interface Pending {
  target: TargetRef;
  changes: Map<string, SourceChange>;
  attempt: number;
}

function merge(a: Pending, b: Pending): Pending {
  const changes = new Map(a.changes);
  for (const [k, c] of b.changes) changes.set(k, c);
  return { target: b.target, changes, attempt: Math.max(a.attempt, b.attempt) };
}

export class Restarter {
  private readonly clock: Clock;
  private readonly debounce: Debouncer<Pending>;
  private readonly bucket: TokenBucket;
  /** Released by the debounce, waiting for a token (or for the target's restart in flight to end). */
  private readonly ready = new Map<string, Pending>();
  private readonly retrying = new Map<string, { p: Pending; timer: unknown }>();
  private readonly inFlight = new Set<string>();
  private pumpTimer: unknown;
  private closed = false;

  constructor(private readonly o: RestarterOptions) {
    this.clock = o.clock ?? systemClock;
    this.debounce = new Debouncer<Pending>(this.clock, o.debounceMs, merge, (key, p) => this.toReady(key, p));
    this.bucket = new TokenBucket(this.clock, o.maxPerMinute, o.windowMs ?? 60_000);
    if (o.signal.aborted) this.close();
    else o.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Restarts waiting: in their debounce window, behind the throttle, or for a retry. */
  get pending(): number {
    return this.debounce.size + this.ready.size + this.retrying.size;
  }

  /** Asks for a restart of `target` writing `change`; merged with what is already pending for it. */
  request(target: TargetRef, change: SourceChange): void {
    if (this.closed) return;
    const key = workloadKey(target);
    this.o.log.info(`rollout-restart ${workloadLabel(target)}: ${change.source} changed; restart in ${formatDuration(this.o.debounceMs)} (debounce)`, { target: key, source: change.source });
    this.debounce.add(key, { target, changes: new Map([[change.key, change]]), attempt: 0 });
  }

  private toReady(key: string, p: Pending): void {
    if (this.closed) return;
    const had = this.ready.get(key);
    this.ready.set(key, had ? merge(had, p) : p);
    this.pump();
  }

  /** Starts every ready restart a token allows; schedules itself for the next token. */
  private pump(): void {
    if (this.closed) return;
    for (const [key, p] of this.ready) {
      if (this.inFlight.has(key)) continue;
      if (!this.bucket.take()) {
        this.throttled();
        return;
      }
      this.ready.delete(key);
      this.inFlight.add(key);
      void this.restart(key, p).finally(() => {
        this.inFlight.delete(key);
        if (this.ready.has(key)) this.pump();
      });
    }
  }

  private throttled(): void {
    const wait = this.bucket.waitMs();
    if (this.pumpTimer === undefined) {
      this.o.log.info(`rollout-restart: ${this.ready.size} restart(s) pending behind --max-restarts-per-minute ${this.o.maxPerMinute}; the next in ${formatDuration(wait)}`, { pending: this.pending, reason: 'throttled' });
    }
    this.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = this.clock.setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, Math.max(1, wait));
  }

  /** One restart, as described at the top; failures other than "gone" are retried. */
  private async restart(key: string, p: Pending): Promise<void> {
    const { log } = this.o;
    const label = workloadLabel(p.target);
    const path = objectPath({ group: p.target.resource.group, version: p.target.resource.version, resource: p.target.resource.resource, namespace: p.target.namespace, name: p.target.name });
    const opts = { signal: this.o.signal, resource: p.target.resource.canonical };
    try {
      const obj = await this.o.client.json<K8sObject>('GET', path, { ...opts, verb: 'get' });
      if (isPaused(obj)) {
        log.warn(`rollout-restart ${label} is paused (spec.paused); not restarted (cmwatch never pauses or unpauses anything)`, { target: key, reason: 'paused' });
        return this.done(key, 'paused');
      }
      const todo = outdated(obj, p.changes.values());
      if (todo.length === 0) {
        log.info(`rollout-restart ${label}: already carries the current hash of ${[...p.changes.values()].map((c) => c.source).join(', ')}; not restarted`, { target: key, reason: 'up_to_date' });
        return this.done(key, 'up_to_date');
      }
      const patch = restartPatch(todo);
      const sources = todo.map((c) => c.source).join(', ');
      if (this.o.dryRun) {
        this.o.print(JSON.stringify({ dryRun: true, target: { resource: p.target.resource.canonical, namespace: p.target.namespace, name: p.target.name }, type: 'merge', patch }));
        log.info(`rollout-restart ${label}: would patch (dry run) ${JSON.stringify(patch)} for ${sources}`, { target: key });
        return this.done(key, 'dry_run');
      }
      await this.o.client.json('PATCH', path, { ...opts, verb: 'patch', body: patch, contentType: MERGE_PATCH });
      log.info(`rollout-restart ${label}: restarted for ${sources}`, { target: key, sources });
      await this.event(p.target, obj, `Rollout restarted by cmwatch: ${todo.map((c) => `${c.source} changed (content hash ${c.hash})`).join('; ')}`);
      this.done(key, 'restarted');
    } catch (err) {
      if (this.closed) return;
      if (err instanceof ApiError && err.status === 404) {
        log.warn(`rollout-restart ${label}: it no longer exists; nothing to restart`, { target: key, reason: 'gone' });
        return this.done(key, 'gone');
      }
      this.retry(key, { ...p, attempt: p.attempt + 1 }, err);
    }
  }

  private async event(target: TargetRef, obj: K8sObject, note: string): Promise<void> {
    try {
      await postWorkloadEvent(this.o.client, { ...target, uid: obj.metadata?.uid, note, now: Date.now() }, this.o.signal);
    } catch (err) {
      if (!this.closed) this.o.log.warn(`rollout-restart ${workloadLabel(target)}: restarted, but its Event could not be written: ${oneLine(err)}`, { reason: 'event_failed' });
    }
  }

  private retry(key: string, p: Pending, err: unknown): void {
    const delay = exponentialDelay(p.attempt, { initialMs: this.o.retryBaseMs ?? 1000, maxMs: this.o.retryMaxMs ?? 300_000 });
    this.o.log.error(`rollout-restart ${workloadLabel(p.target)}: restart failed: ${oneLine(err)}; retrying in ${formatDuration(delay)}`, {
      target: key, attempt: p.attempt, status: err instanceof ApiError ? err.status : undefined,
    });
    this.o.onDone?.(key, 'failed');
    const had = this.retrying.get(key);
    if (had) this.clock.clearTimeout(had.timer);
    const next = had ? merge(had.p, p) : p;
    const timer = this.clock.setTimeout(() => {
      this.retrying.delete(key);
      this.toReady(key, next);
    }, delay);
    this.retrying.set(key, { p: next, timer });
  }

  private done(key: string, result: RestartResult): void {
    this.o.onDone?.(key, result);
  }

  /** Stops: nothing more starts; what was pending is logged. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.pumpTimer);
    const dropped = new Set([...this.debounce.clear(), ...this.ready.keys(), ...this.retrying.keys()]);
    for (const r of this.retrying.values()) this.clock.clearTimeout(r.timer);
    this.ready.clear();
    this.retrying.clear();
    if (dropped.size > 0) {
      this.o.log.warn(`rollout-restart: stopping with ${dropped.size} restart(s) not done: ${[...dropped].join(', ')}; the start-up check restarts those that already carry a cmwatch annotation`, { reason: 'dropped' });
    }
  }
}
