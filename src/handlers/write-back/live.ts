/**
 * The live write-back sink: resolves every operation's kind through
 * discovery, checks them all (nothing is sent if one is refused), then sends
 * the calls in order (calls.ts), logging each with its HTTP status at info.
 *
 * A call that fails stops the list: the error line names the line that
 * failed, the lines applied before it and those not applied, and the run
 * fails (and is retried: the whole chain runs again, and its write-back is
 * applied again; server-side apply and merge patches are idempotent).
 * A delete of an object already gone (404), or already replaced when a UID
 * was given (409), counts as done.
 */
import { oneLine } from '../../base/errors.js';
import type { Logger } from '../../base/logger.js';
import { ApiError } from '../../api/api-error.js';
import type { ApiResource } from '../../api/resource.js';
import type { WatchEvent } from '../../api/types.js';
import type { KubeClient } from '../../kube/client.js';
import type { Discovery } from '../../kube/discovery.js';
import type { Outcome } from '../../queue/types.js';
import { planCall, type PlannedCall } from './calls.js';
import { reportingInstance } from './event-body.js';
import { operations } from './operations.js';
import { InvalidWriteBackLine, type WriteLine } from './protocol.js';
import { lineName, type WriteBackSink } from './sink.js';
import { triggerOf } from './trigger.js';
import { forbiddenError } from './forbidden.js';

export interface LiveWriteBackOptions {
  client: KubeClient;
  discovery: Discovery;
  log: Logger;
  fieldManager: string;
  dryRun: boolean;
  instance?: string;
}

export class LiveWriteBack implements WriteBackSink {
  private readonly instance: string;

  constructor(private readonly o: LiveWriteBackOptions) {
    this.instance = o.instance ?? reportingInstance();
  }

  async apply(key: string, ev: WatchEvent, lines: readonly WriteLine[], signal: AbortSignal): Promise<Outcome> {
    const { log } = this.o;
    const prefix = `[write-back ${key}]`;
    let calls: PlannedCall[];
    try {
      calls = await this.plan(ev, lines);
    } catch (err) {
      if (signal.aborted) return { kind: 'failed', reason: 'shutting down' };
      const invalid = err instanceof InvalidWriteBackLine;
      log.error(invalid ? oneLine(err) : `${prefix} nothing was applied: ${oneLine(err)}`, { key, reason: invalid ? 'invalid_line' : 'discovery' });
      return { kind: 'failed', reason: invalid ? `${err.handler} line ${err.line}: ${err.why}` : 'write-back: discovery failed' };
    }
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i]!;
      const at = lineName(c.operation.from);
      const fields = { key, handler: c.operation.from.handler, line: c.operation.from.line };
      let status = 0;
      try {
        await this.o.client.json(c.method, c.path, {
          query: c.query, body: c.body, contentType: c.contentType, verb: c.verb, resource: c.resource, signal, onStatus: (s) => { status = s; },
        });
      } catch (err) {
        if (signal.aborted) return { kind: 'failed', reason: 'shutting down' };
        const done = alreadyDone(c, err);
        if (done) {
          log.info(`${prefix} ${at}: ${c.what}: ${done}`, { ...fields, status: (err as ApiError).status });
          continue;
        }
        const shown = err instanceof ApiError && err.status === 403 ? forbiddenError(c, err) : err;
        const applied = calls.slice(0, i).map((x) => lineName(x.operation.from));
        const notApplied = calls.slice(i).map((x) => lineName(x.operation.from));
        log.error(
          `${prefix} ${at}: ${c.what} failed: ${oneLine(shown)}; applied: ${applied.length ? applied.join(', ') : 'none'}; not applied: ${notApplied.join(', ')}`,
          { ...fields, status: err instanceof ApiError ? err.status : undefined, reason: 'api_call_failed' },
        );
        return { kind: 'failed', reason: `write-back ${at} failed` };
      }
      if (this.o.dryRun) log.info(`${prefix} ${at}: dry run: would ${c.what} (HTTP ${status}, nothing persisted)${changed(c)}`, { ...fields, status });
      else log.info(`${prefix} ${at}: ${c.what}: HTTP ${status}`, { ...fields, status });
    }
    return { kind: 'ok' };
  }

  /** Every line as its call: kinds resolved through discovery first, then all checked; throws at the first refusal. */
  private async plan(ev: WatchEvent, lines: readonly WriteLine[]): Promise<PlannedCall[]> {
    const trigger = triggerOf(ev);
    const kinds = new Map<string, ApiResource | undefined>();
    const want = (apiVersion: string, kind: string) => kinds.set(`${apiVersion} ${kind}`, undefined);
    for (const l of lines) {
      const op = l.op;
      if (op.op === 'status') want(op.of?.apiVersion ?? trigger.apiVersion, op.of?.kind ?? trigger.kind);
      else if (op.op === 'apply') want(op.manifest.apiVersion!, op.manifest.kind!);
      else if (op.op === 'delete') want(op.target.apiVersion, op.target.kind);
      else if (op.of) want(op.of.apiVersion, op.of.kind);
    }
    for (const k of kinds.keys()) {
      const [apiVersion, kind] = k.split(' ') as [string, string];
      kinds.set(k, await this.o.discovery.byKind(apiVersion, kind));
    }
    const ops = operations(lines, trigger, (apiVersion, kind) => kinds.get(`${apiVersion} ${kind}`));
    const ctx = { fieldManager: this.o.fieldManager, dryRun: this.o.dryRun, instance: this.instance };
    return ops.map((o) => planCall(o, ctx));
  }
}

/** A delete that failed because its object is already gone, or (with a UID) already replaced: why it counts as done. */
function alreadyDone(c: PlannedCall, err: unknown): string | undefined {
  if (c.verb !== 'delete' || !(err instanceof ApiError)) return undefined;
  if (err.status === 404) return 'already gone (HTTP 404)';
  if (err.status === 409 && c.operation.op === 'delete' && 'preconditions' in c.operation.body) return 'the object with that UID is already gone (HTTP 409)';
  return undefined;
}

/** For a dry run: what the call would change, by name only (no value can leak). */
function changed(c: PlannedCall): string {
  const body = c.operation.body;
  if (c.operation.op === 'status') return `: status fields ${Object.keys((body as { status: object }).status).join(', ') || '(none)'}`;
  if (c.operation.op === 'apply') return `: fields ${Object.keys(body).filter((k) => k !== 'apiVersion' && k !== 'kind').join(', ')}`;
  return '';
}
