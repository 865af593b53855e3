/**
 * The delivery stage both sources feed, the reflector and `cmwatch replay`:
 * change detection (change-detector.ts, with the content function passed
 * in), the skip and delivery counters, and the call to the consumer. The
 * callers decide what an item is (a list item, a watch event, a recorded
 * line) and word their own log lines; what is delivered, and what is skipped
 * and why, is decided here only.
 */
import { ChangeDetector, type ChangeType, type ListedAs, type SkipReason } from './change-detector.js';
import type { ContentFunction } from './content.js';
import { pending } from './consumer.js';
import type { EventType, K8sObject, WatchEvent } from '../api/types.js';

export interface Delivery extends WatchEvent {
  key: string;
  /** Where it came from: the initial list, a live watch event, or a relist diff. */
  via?: 'list' | 'watch' | 'relist';
}

/**
 * The consumer of deliveries. It may return a promise: the caller then
 * waits for it before the next item (backpressure). Written as a union of two
 * function types so that a callback returning anything else (e.g. an
 * Array.push) still type-checks as the synchronous kind.
 */
export type DeliveryHandler = ((ev: Delivery) => void) | ((ev: Delivery) => Promise<void>);

/** Counters: deliveries made, and items not delivered by reason. */
export interface DeliveryStats {
  events: number;
  skipped: Record<string, number>;
}

export interface ChangeDeliveryOptions {
  content: ContentFunction;
  /** 'content' skips MODIFIED events whose content did not change; 'any' delivers every new resource version. */
  trigger: 'content' | 'any';
  /** See change-detector.ts: 'infer' after a full list (the reflector), 'trust' mid-stream (replay). */
  unknownKeys: 'infer' | 'trust';
  onEvent: DeliveryHandler;
  /** Counters to add to (the reflector shares its stats object); a new one by default. */
  stats?: DeliveryStats;
}

/** What became of one event: the consumer's promise if it returned one, or why it was skipped. */
export type EventOutcome = { delivered: true; wait: PromiseLike<void> | undefined } | { delivered: false; skip: SkipReason; known?: string };

export class ChangeDelivery {
  readonly stats: DeliveryStats;
  private readonly changes: ChangeDetector;
  private readonly onEvent: DeliveryHandler;

  constructor(o: ChangeDeliveryOptions) {
    this.stats = o.stats ?? { events: 0, skipped: {} };
    this.onEvent = o.onEvent;
    this.changes = new ChangeDetector({ content: o.content, trigger: o.trigger, unknownKeys: o.unknownKeys });
  }

  /** How many keys are known. */
  get size(): number {
    return this.changes.size;
  }

  /** Counts one item not delivered. */
  skip(reason: string): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
  }

  /** Delivers one change; returns the consumer's promise if it returned one. */
  deliver(type: EventType, object: K8sObject, key: string, via: Delivery['via'], hash?: string): PromiseLike<void> | undefined {
    this.stats.events++;
    return pending(this.onEvent({ type, object, key, via, hash }));
  }

  /** Forgets the resource versions known (the server's went back), keeping the content hashes. */
  rebase(): void {
    this.changes.rebase();
  }

  /** A baseline object (a recorded SYNC): remembered and delivered as SYNC. */
  baseline(object: K8sObject, key: string): PromiseLike<void> | undefined {
    this.changes.remember(key, object);
    return this.deliver('SYNC', object, key, 'list', this.changes.hashOf(key));
  }

  /**
   * One event: delivered with the type that follows what is known (an ADDED
   * for a known key is a MODIFIED...), or skipped and counted.
   */
  event(type: ChangeType, object: K8sObject, key: string): EventOutcome {
    const d = this.changes.event(type, key, object);
    if ('deliver' in d) return { delivered: true, wait: this.deliver(d.deliver, object, key, 'watch', d.hash) };
    this.skip(d.skip);
    return { delivered: false, skip: d.skip, known: d.known };
  }

  /**
   * One object of a list. A key not known yet: SYNC in the initial list (or
   * `initialAs`: ADDED for a resource that appeared after start), ADDED in a
   * relist. A known key (a relist, or an initial list tried again after it
   * failed half-way: nothing is delivered twice) only if it differs from what
   * was known, as MODIFIED; else counted as skipped ('unchanged', 'stale'; an
   * object at the same version is not).
   */
  listed(object: K8sObject, key: string, initial: boolean, initialAs: 'SYNC' | 'ADDED' = 'SYNC'): { diff: ListedAs; wait: PromiseLike<void> | undefined } {
    const diff = this.changes.listed(key, object);
    const hash = this.changes.hashOf(key);
    if (diff === 'ADDED') return { diff, wait: this.deliver(initial ? initialAs : 'ADDED', object, key, initial ? 'list' : 'relist', hash) };
    if (diff === 'MODIFIED') return { diff, wait: this.deliver(diff, object, key, 'relist', hash) };
    if (diff === 'stale' || diff === 'unchanged') this.skip(diff);
    return { diff, wait: undefined };
  }

  /** After a relist: the keys it no longer has (see ChangeDetector.sweep), forgotten. */
  sweep(seen: ReadonlySet<string>, listRv: string): Array<{ key: string; rv: string; hash: string }> {
    return this.changes.sweep(seen, listRv);
  }
}
