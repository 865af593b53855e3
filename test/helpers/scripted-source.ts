/**
 * A scripted, in-memory ListWatchSource for unit tests of the reflector: each
 * list() and watch() call takes the next scripted answer and records the
 * request. When the script runs out, the call hangs until its signal aborts
 * and `exhausted` resolves, so a test can stop the reflector at that point.
 */
import type { ListPage, ListRequest, ListWatchSource, WatchRequest } from '../../src/watch/source.js';
import type { KindExpectation, ScopeExpectation } from '../../src/watch/shape.js';
import type { K8sObject, WireEvent } from '../../src/api/types.js';

export type ListStep = ListPage | { error: Error };

export interface WatchStep {
  /** Rejects the watch request itself (before it is established). */
  error?: Error;
  events?: WireEvent[];
  /** After the events: end cleanly (default), throw, or hang with no bytes. */
  then?: 'end' | Error | 'hang';
  /** With then: 'hang', call onBytes every this many ms while hanging (a live but quiet stream). */
  tickMs?: number;
  /** With tickMs: end cleanly after this many ticks. */
  ticks?: number;
  /** Called after the events, before `then` (e.g. to advance a fake clock). */
  during?: () => void;
}

export interface Call {
  op: 'list' | 'watch';
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
}

function abortError(): Error {
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(abortError());
    signal.addEventListener('abort', () => reject(abortError()), { once: true });
  });
}

export class ScriptedSource implements ListWatchSource {
  readonly description = '/api/v1/namespaces/test/configmaps';
  readonly calls: Call[] = [];
  /** How many watch events the reflector has pulled from the streams so far (backpressure tests). */
  pulled = 0;
  private readonly lists: ListStep[] = [];
  private readonly watches: WatchStep[] = [];
  private notifyExhausted!: () => void;
  /** Resolves when a call finds the script empty. */
  readonly exhausted = new Promise<void>((r) => (this.notifyExhausted = r));

  /** `expect`: the kind the source says it watches (unset: not checked, as before). */
  /** `scope`: the namespace and selector it says it asked for (unset: not checked). */
  constructor(readonly expect?: KindExpectation, readonly scope?: ScopeExpectation) {}

  /** Scripts the answers of the next list() calls. */
  onList(...steps: ListStep[]): this {
    this.lists.push(...steps);
    return this;
  }

  /** Scripts the answers of the next watch() calls. */
  onWatch(...steps: WatchStep[]): this {
    this.watches.push(...steps);
    return this;
  }

  get watchRvs(): string[] {
    return this.calls.filter((c) => c.op === 'watch').map((c) => c.resourceVersion ?? '');
  }

  get ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  async list(req: ListRequest): Promise<ListPage> {
    this.calls.push({ op: 'list', limit: req.limit, continue: req.continue });
    const step = this.lists.shift();
    if (!step) {
      this.notifyExhausted();
      return untilAborted(req.signal);
    }
    await Promise.resolve();
    if ('error' in step) throw step.error;
    req.onBytes?.(1);
    return step;
  }

  async watch(req: WatchRequest): Promise<AsyncIterable<WireEvent>> {
    this.calls.push({ op: 'watch', resourceVersion: req.resourceVersion, timeoutSeconds: req.timeoutSeconds });
    const step = this.watches.shift();
    if (!step) {
      this.notifyExhausted();
      return untilAborted(req.signal);
    }
    await Promise.resolve();
    if (step.error) throw step.error;
    req.onBytes(0);
    const self = this;
    return (async function* () {
      for (const ev of step.events ?? []) {
        req.onBytes(JSON.stringify(ev).length);
        self.pulled++;
        yield ev;
      }
      step.during?.();
      const then = step.then ?? 'end';
      if (then instanceof Error) throw then;
      if (then === 'hang') {
        if (step.tickMs) {
          for (let i = 0; step.ticks === undefined || i < step.ticks; i++) {
            await new Promise((r) => setTimeout(r, step.tickMs));
            if (req.signal.aborted) throw abortError();
            req.onBytes(1);
          }
          return;
        }
        await untilAborted(req.signal);
      }
    })();
  }
}

export function cm(name: string, rv: string, data: Record<string, string> = { v: name + '@' + rv }, namespace = 'test'): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: rv }, data };
}

export function ev(type: string, obj: K8sObject): WireEvent {
  return { type, object: obj };
}

export function bookmark(rv: string): WireEvent {
  return { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: rv } } };
}

export function statusEvent(code: number, reason: string, message = `injected ${code}`): WireEvent {
  return { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message } };
}
