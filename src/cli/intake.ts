/**
 * What happens to each delivered event, live or replayed: one log line,
 * what -o prints on stdout, and the handler queue when
 * anything runs on its type. SYNC (the baseline) is logged at debug level
 * and printed only when --on includes SYNC.
 */
import type { Logger } from '../ops/log.js';
import type { HandlerEngine } from '../handlers/engine.js';
import type { Recorder } from '../ops/recorder.js';
import { selectorOf } from '../api/selector-annotation.js';
import type { EventType, WatchEvent } from '../api/types.js';
import { writeStdout } from './stdout.js';
import type { EventPrinter } from './event-printer.js';
import { objectSummary } from '../api/object-summary.js';

export interface IntakeEvent extends WatchEvent {
  key: string;
}

/** The `via` a log line shows: the ones that are not the usual path. */
const LOGGED_VIA = new Set(['relist', 'catch-up', 'resync']);

export interface IntakeOptions {
  log: Logger;
  /** What -o prints on stdout for an event (event-printer.ts); nothing when absent. */
  print?: EventPrinter;
  on: ReadonlySet<EventType>;
  selectorAnnotations: readonly string[];
  engine: HandlerEngine;
  /** Metrics (watch only). */
  recorder?: Recorder;
}

/**
 * The returned function's promise (with -o, when stdout is full) tells
 * the caller to wait before the next event: see writeStdout.
 */
export function makeIntake(o: IntakeOptions): (d: IntakeEvent) => void | Promise<void> {
  const { log } = o;
  return (d) => {
    const selector = selectorOf(d.object, o.selectorAnnotations);
    o.recorder?.event(d.type);
    // A standby (leader election) keeps watching but acts on nothing: no replay when it takes over.
    const standby = !o.engine.acting && o.engine.wants(d.type);
    if (standby) o.recorder?.skipped('standby');
    if (d.type === 'SYNC') {
      if (!o.on.has('SYNC')) {
        // Not printed or logged; an action that checks the baseline (rollout-restart) still gets it.
        o.engine.submit(d.key, { type: d.type, object: d.object, resource: d.resource, hash: d.hash, via: d.via });
        return;
      }
      log.debug(`SYNC ${objectSummary(d.object)}`, { selector, via: d.via === 'resync' ? 'resync' : undefined });
    } else {
      log.event(d.type, d.key, { selector, via: d.via !== undefined && LOGGED_VIA.has(d.via) ? d.via : undefined, role: standby ? 'standby' : undefined });
    }
    const printed = o.print?.({ type: d.type, object: d.object });
    const wait = printed ? writeStdout(printed) : undefined;
    if (o.engine.wants(d.type)) o.engine.submit(d.key, { type: d.type, object: d.object, resource: d.resource, hash: d.hash, via: d.via });
    return wait;
  };
}
