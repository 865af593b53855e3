/**
 * A recording as a source: it reads the recorded events (recording.ts),
 * paces them (pacer.ts), keeps only those the live watch would have been
 * sent (its namespaces and label selector: the API server filters a live
 * watch, nothing does here), and feeds them to the same delivery stage as
 * the reflector (watch/delivery.ts): the same change detection, counters and
 * consumer call. A recording may start mid-stream, so an unknown key's event
 * keeps its recorded type (unknownKeys "trust").
 */
import type { Readable } from 'node:stream';
import { labelsMatch } from '../api/label-match.js';
import type { Requirement } from '../api/label-selector.js';
import { keyOf, type K8sObject, type WatchEvent } from '../api/types.js';
import type { Logger } from '../base/logger.js';
import { ChangeDelivery, type DeliveryHandler, type DeliveryStats } from '../watch/delivery.js';
import type { ContentFunction } from '../watch/content.js';
import { Pacer } from './pacer.js';
import { readRecording } from './recording.js';
import { objectSummary } from '../api/object-summary.js';

export interface PlayerOptions {
  input: Readable;
  /** The input's name in log lines: the path, or "stdin". */
  name: string;
  log: Logger;
  signal: AbortSignal;
  content: ContentFunction;
  trigger: 'content' | 'any';
  /** Receives every change after detection; a returned promise is waited for before the next line. */
  onEvent: DeliveryHandler;
  /** Events per second; undefined: full speed. */
  rate?: number | undefined;
  /** Undefined: every namespace. */
  namespaces?: ReadonlySet<string> | undefined;
  labelSelector?: Requirement[] | undefined;
}

export interface PlayerStats {
  /** Events read (malformed and ignored lines are not events). */
  events: number;
  filtered: number;
  malformed: number;
}

export class Player {
  readonly stats: PlayerStats = { events: 0, filtered: 0, malformed: 0 };
  private readonly delivery: ChangeDelivery;
  private readonly pacer: Pacer;

  constructor(private readonly o: PlayerOptions) {
    this.delivery = new ChangeDelivery({ content: o.content, trigger: o.trigger, unknownKeys: 'trust', onEvent: o.onEvent });
    this.pacer = new Pacer(o.rate);
  }

  /** Deliveries made and events skipped by change detection, by reason. */
  get deliveries(): DeliveryStats {
    return this.delivery.stats;
  }

  /**
   * Plays the recording to its end, or until the signal aborts (which stops
   * reading the input). Rejects when the input cannot be read.
   */
  async run(): Promise<void> {
    const { input, signal, log, name } = this.o;
    const stopReading = () => input.destroy();
    signal.addEventListener('abort', stopReading, { once: true });
    try {
      for await (const rec of readRecording(input)) {
        if (signal.aborted) break;
        if ('error' in rec) {
          this.stats.malformed++;
          log.error(`replay: ${name}:${rec.line}: ${rec.error}; line skipped`, { line: rec.line, reason: 'malformed' });
          continue;
        }
        if ('ignored' in rec) {
          log.debug(`replay: ${name}:${rec.line}: ${rec.ignored} ignored`, { line: rec.line });
          continue;
        }
        const mixed = this.otherKind(rec.event.object);
        if (mixed) {
          // One recording is one resource (its keys are namespace/name): a line of another kind is refused, not mixed in.
          this.stats.malformed++;
          log.error(`replay: ${name}:${rec.line}: ${mixed}; line skipped (hint: replay one resource per run, e.g. jq -c 'select(.object.kind=="${this.kind}")' | cmwatch replay -)`, { line: rec.line, reason: 'other_kind' });
          continue;
        }
        this.stats.events++;
        await this.pacer.next(signal);
        if (signal.aborted) break;
        const wait = this.play(rec.event, rec.line);
        // With -o json and a full stdout, reading waits until it drains.
        if (wait) await wait;
      }
    } finally {
      signal.removeEventListener('abort', stopReading);
    }
  }

  /** The kind and apiVersion of the recording's first object that said them. */
  private kind: string | undefined;
  private apiVersion: string | undefined;

  /** Why the object is not of the recording's resource (another kind or apiVersion than its first object's); undefined when it is. */
  private otherKind(object: K8sObject): string | undefined {
    const { kind, apiVersion } = object;
    if (typeof kind !== 'string' || kind === '') return undefined;
    if (this.kind === undefined) {
      this.kind = kind;
      this.apiVersion = typeof apiVersion === 'string' ? apiVersion : undefined;
      return undefined;
    }
    const group = (v: string | undefined) => (v?.includes('/') ? v.slice(0, v.indexOf('/')) : '');
    if (kind !== this.kind || (typeof apiVersion === 'string' && this.apiVersion !== undefined && group(apiVersion) !== group(this.apiVersion))) {
      return `a ${kind} (${String(apiVersion)}) in a recording of ${this.kind} (${this.apiVersion})`;
    }
    return undefined;
  }

  /** What the live watch would have been sent: its namespaces and label selector. */
  private wanted(object: K8sObject): boolean {
    const { namespaces, labelSelector } = this.o;
    if (namespaces && !namespaces.has(object.metadata?.namespace ?? '')) return false;
    return !labelSelector || labelsMatch(labelSelector, object.metadata?.labels);
  }

  /** One recorded event through the filter and the delivery stage; the consumer's promise, if any. */
  private play({ type, object }: WatchEvent, line: number): PromiseLike<void> | undefined {
    const { log, name } = this.o;
    const key = keyOf(object);
    if (!this.wanted(object)) {
      this.stats.filtered++;
      log.debug(`replay: ${name}:${line}: ${type} ${objectSummary(object)} filtered out`, { line });
      return undefined;
    }
    if (type === 'SYNC') return this.delivery.baseline(object, key);
    // Not a change of the object: delivered as given (recordings do not accept it yet: recording.ts).
    if (type === 'FINALIZE') return this.delivery.deliver(type, object, key, 'watch');
    const d = this.delivery.event(type, object, key);
    if (d.delivered) return d.wait;
    log.debug(`replay: ${name}:${line}: ${type} ${objectSummary(object)} skipped: ${d.skip}`, { line, reason: d.skip });
    return undefined;
  }
}
