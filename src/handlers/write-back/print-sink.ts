/**
 * The write-back sink of `cmwatch replay`: no cluster, nothing applied. Each
 * operation the handlers asked for is printed as one JSON line, in the order
 * it would be applied:
 *
 *   {"handler":"h.sh","key":"ns/w","line":1,"op":"status",
 *    "target":{"apiVersion":"k8spatterns.com/v1","kind":"ConfigWatcher","namespace":"ns","name":"w"},
 *    "body":{"status":{…}}}
 *
 * `op` is status, apply, event or delete; `target` the object acted on (for
 * an event: the object it regards); `body` as operations.ts describes it.
 * Keys are in a fixed order and nothing varies between runs (no time, no
 * random name), so the output can be diffed against a golden file. The
 * checks that need the server (a status subresource, a kind's scope) are
 * not made: offline, a manifest without a namespace gets the event's.
 */
import { oneLine } from '../../base/errors.js';
import type { Logger } from '../../base/logger.js';
import type { WatchEvent } from '../../api/types.js';
import type { Outcome } from '../../queue/types.js';
import { operations } from './operations.js';
import { InvalidWriteBackLine, type WriteLine } from './protocol.js';
import type { WriteBackSink } from './sink.js';
import { triggerOf } from './trigger.js';

export class PrintWriteBack implements WriteBackSink {
  constructor(private readonly write: (line: string) => void | Promise<void>, private readonly log: Logger) {}

  async apply(key: string, ev: WatchEvent, lines: readonly WriteLine[]): Promise<Outcome> {
    let ops;
    try {
      ops = operations(lines, triggerOf(ev));
    } catch (err) {
      this.log.error(oneLine(err), { key, reason: 'invalid_line' });
      return { kind: 'failed', reason: err instanceof InvalidWriteBackLine ? `${err.handler} line ${err.line}: ${err.why}` : oneLine(err) };
    }
    for (const o of ops) {
      const { apiVersion, kind, namespace, name } = o.target;
      const target = { apiVersion, kind, ...(namespace ? { namespace } : {}), name };
      await this.write(JSON.stringify({ handler: o.from.handler, key, line: o.from.line, op: o.op, target, body: o.body }) + '\n');
    }
    this.log.info(`[write-back ${key}] printed ${ops.length} operation(s) (replay: nothing applied)`, { key });
    return { kind: 'ok' };
  }
}
