/**
 * What `watch` and `events` watch: each RESOURCE the user named, resolved
 * through discovery (src/kube/discovery.ts) as kubectl resolves it, before
 * any watch starts.
 *
 * - No RESOURCE: core v1 ConfigMaps, the default, without asking discovery
 *   (every conformant server serves them; the book's controller needs
 *   nothing else).
 * - Discovery that fails (no connection yet, a 5xx, a 403 on /apis) is
 *   retried with backoff, each failure logged with its hint, as the
 *   reflector retries a list; with exitOnError a 401/403 ends the run.
 * - A name that does not resolve (ambiguous, unknown, not watchable) throws
 *   its typed error: the CLI exits 2 before anything runs.
 * - A fully qualified name nothing serves yet is a target too: its
 *   ResourceWatch waits for it.
 * - Two names for the same resource (`cm configmaps`) make one target.
 */
import { ApiError } from '../api/api-error.js';
import { apiResource, type ApiResource } from '../api/resource.js';
import type { Resolution } from '../api/resource-name.js';
import { Backoff, sleep as realSleep } from '../base/backoff.js';
import { CmwatchError, oneLine } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import type { Logger } from '../base/logger.js';
import type { Discovery } from '../kube/discovery.js';

/** The default resource: core v1 ConfigMaps. */
export const DEFAULT_RESOURCE: ApiResource = apiResource({
  group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', singular: 'configmap',
  shortNames: ['cm'], namespaced: true, verbs: ['list', 'watch'],
});

export interface Target {
  /** The RESOURCE as written (the default: `configmaps`). */
  readonly name: string;
  readonly resolution: Resolution;
}

export interface ResolveTargetsOptions {
  log: Logger;
  signal: AbortSignal;
  /** A 401/403 from discovery ends the run (the ApiError), as --exit-on-error does for a list. */
  exitOnError: boolean;
  backoff?: Backoff;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const RESOLUTION_CODES = new Set(['E_RESOURCE_AMBIGUOUS', 'E_RESOURCE_NOT_WATCHABLE', 'E_RESOURCE_UNKNOWN']);

/** The targets of `names` (empty: the default). Undefined when the signal aborted first. */
export async function resolveTargets(names: readonly string[], discovery: Discovery, o: ResolveTargetsOptions): Promise<Target[] | undefined> {
  if (names.length === 0) return [{ name: 'configmaps', resolution: { status: 'resolved', name: 'configmaps', resource: DEFAULT_RESOURCE, form: 'plural' } }];
  const backoff = o.backoff ?? new Backoff();
  const sleep = o.sleep ?? realSleep;
  while (!o.signal.aborted) {
    try {
      const resolved: Target[] = [];
      for (const name of names) resolved.push({ name, resolution: await discovery.resolve(name) });
      return dedupe(resolved, o.log);
    } catch (err) {
      if (o.signal.aborted) return undefined;
      if (err instanceof CmwatchError && RESOLUTION_CODES.has(err.code)) throw err;
      if (o.exitOnError && err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
      if (!(err instanceof CmwatchError)) throw err;
      const delay = err instanceof ApiError && err.permanent ? backoff.capped() : backoff.next();
      o.log.warn(`discovery of the resources to watch failed: ${oneLine(err)}; trying again in ${formatDuration(delay)}`, { reason: 'discovery' });
      await sleep(delay, o.signal);
    }
  }
  return undefined;
}

/** One target per resource: a second name for a resource already named is dropped, with a line. */
function dedupe(targets: Target[], log: Logger): Target[] {
  const seen = new Map<string, string>();
  const out: Target[] = [];
  for (const t of targets) {
    const id = t.resolution.status === 'resolved' ? t.resolution.resource.canonical : `${t.resolution.resource}.${t.resolution.group}`;
    const first = seen.get(id);
    if (first !== undefined) {
      log.warn(`resource ${t.name} is ${id}, already named as ${first}; watched once`, { reason: 'duplicate_resource' });
      continue;
    }
    seen.set(id, t.name);
    out.push(t);
  }
  return out;
}
