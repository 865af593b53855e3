/**
 * The handler contract: what a handler gets on stdin and in its environment.
 * The same function serves live events and `cmwatch replay`.
 */
import type { WatchEvent } from '../api/types.js';
import { selectorOf } from '../api/selector-annotation.js';

export interface ContractOptions {
  /** API base URL handed to handlers, e.g. the kubectl proxy. */
  server: string;
  /** Annotations that carry the pod selector, first match wins. */
  selectorAnnotations: readonly string[];
  /** The environment cmwatch was started with. */
  baseEnv?: NodeJS.ProcessEnv;
}

/**
 * Per run, not in handlerEnv: the path of an empty file, private to the run,
 * where the handler may append write-back lines (write-back/protocol.ts).
 */
export const OUTPUT_ENV = 'CMWATCH_OUTPUT';

/**
 * The handler's environment: the one cmwatch was started with, minus any
 * inherited CMWATCH_* variable, plus the CMWATCH_* contract. Nothing else is
 * added: no credential ever reaches a handler through cmwatch.
 * `attempt` is 1 for the first run of an event, 2 for its first retry, ...
 */
export function handlerEnv(ev: WatchEvent, o: ContractOptions, attempt = 1): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.baseEnv ?? process.env)) {
    if (v !== undefined && !k.startsWith('CMWATCH_')) env[k] = v;
  }
  const m = ev.object.metadata ?? {};
  env.CMWATCH_EVENT_TYPE = ev.type;
  env.CMWATCH_NAMESPACE = m.namespace ?? '';
  env.CMWATCH_NAME = m.name ?? '';
  env.CMWATCH_RESOURCE_VERSION = m.resourceVersion ?? '';
  // The resource as watched (discovery's names); a replayed event has only its object's.
  if (ev.resource) env.CMWATCH_RESOURCE = ev.resource.name;
  env.CMWATCH_KIND = ev.resource?.kind ?? (typeof ev.object.kind === 'string' ? ev.object.kind : '');
  env.CMWATCH_API_VERSION = ev.resource?.apiVersion ?? (typeof ev.object.apiVersion === 'string' ? ev.object.apiVersion : '');
  if (ev.hash !== undefined) env.CMWATCH_CONTENT_HASH = ev.hash;
  if (ev.via !== undefined) env.CMWATCH_VIA = ev.via;
  env.CMWATCH_SERVER = o.server;
  env.CMWATCH_ATTEMPT = String(attempt);
  const sel = selectorOf(ev.object, o.selectorAnnotations);
  if (sel !== undefined) env.CMWATCH_SELECTOR = sel;
  return env;
}

/** The stdin payload: the event as one JSON line in the API's shape. */
export function handlerStdin(ev: WatchEvent): string {
  return JSON.stringify({ type: ev.type, object: ev.object }) + '\n';
}
