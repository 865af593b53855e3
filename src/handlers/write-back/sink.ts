/**
 * Where a run's write-back goes once the whole chain of handlers succeeded:
 * the API (live.ts: applied in order, or dry-run), or stdout (replay-sink.ts:
 * printed, nothing applied). The lines are already parsed and checked
 * (protocol.ts); a sink may refuse more (it knows the resources) and then
 * applies nothing either.
 */
import type { WatchEvent } from '../../api/types.js';
import type { Outcome } from '../../queue/types.js';
import type { WriteLine } from './protocol.js';

export interface WriteBackSink {
  /** `lines`: every handler's, in chain order then line order; never empty. */
  apply(key: string, ev: WatchEvent, lines: readonly WriteLine[], signal: AbortSignal): Promise<Outcome>;
}

/** `h.sh line 3` */
export function lineName(l: { handler: string; line: number }): string {
  return `${l.handler} line ${l.line}`;
}
