/**
 * Watching one resource, whatever it is: one reflector per namespace (one
 * for all namespaces, or one cluster-wide for a cluster-scoped resource),
 * each with the resource's content function, feeding one delivery callback
 * with keys and the resource named.
 *
 * A resource that is not served (a CRD applied after start, or deleted
 * while watched) is waited for:
 * - one info line says so; discovery is read again with backoff (1 s
 *   doubling to 30 s) until the resource is served;
 * - its reflectors then start, and the objects of their first list are
 *   delivered as ADDED (they are new: nothing of theirs was seen before);
 * - a 404 from a reflector is checked against discovery: a resource no
 *   longer served (in that version) is logged and waited for again: every
 *   reflector of it stops, and all are kept, so when it is back (in any
 *   version, same scope) they relist and diff against what they knew:
 *   nothing known is delivered twice, and what changed meanwhile is. A
 *   reflector that had not listed yet delivers its first list as ADDED then.
 *   A 404 while discovery still serves it is retried at the capped backoff,
 *   as any 404 (or, with --exit-on-error, ends the run: exit 3);
 * - while waiting, a failed discovery is a warning (a 401/403 with
 *   --exit-on-error ends the run), and a name that now resolves to something
 *   unwatchable or ambiguous ends it (exit 2), as at start.
 * The default ConfigMaps (no discovery) are never waited for; a 404 is
 * retried as before.
 */
import { apiVersionOf, type ApiResource } from '../api/resource.js';
import { resolveResourceName, ResourceUnknownError } from '../api/resource-name.js';
import { ApiError } from '../api/api-error.js';
import { Backoff, sleep as realSleep } from '../base/backoff.js';
import { definedOnly } from '../base/options.js';
import { CmwatchError, oneLine } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import type { Logger } from '../base/logger.js';
import type { KubeClient } from '../kube/client.js';
import type { Discovery, DiscoverySnapshot } from '../kube/discovery.js';
import type { ContentFunction } from './content.js';
import { Reflector, type Delivery, type DeliveryHandler, type ReflectorOptions } from './reflector.js';
import { HttpSource } from './source.js';
import type { Target } from './targets.js';
import type { EventResource } from '../api/types.js';

/** Readiness and metrics for each reflector, and for a resource being waited for. */
export interface ResourceWatchObserver {
  /** Readiness hooks for one reflector; `release` forgets it (its reflector is replaced). */
  hooks(label: string): Pick<ReflectorOptions, 'onSynced' | 'onWatchState'> & { release?: () => void };
  created(reflector: Reflector): void;
  /** The resource named `label` is not served: not ready until the returned function is called. */
  waiting?(label: string): () => void;
}

export type ReflectorSettings = Pick<ReflectorOptions, 'trigger' | 'stallTimeoutMs' | 'timeoutSeconds' | 'exitOnError' | 'pageSize'>;

export interface ResourceWatchOptions {
  target: Target;
  /** Undefined for the default ConfigMaps: never re-discovered, never waited for. */
  discovery: Discovery | undefined;
  client: KubeClient;
  log: Logger;
  signal: AbortSignal;
  /** Undefined: all namespaces. Ignored for a cluster-scoped resource. */
  namespaces: readonly string[] | undefined;
  /** -n (or WATCH_NAMESPACE) was given: a cluster-scoped resource gets a line saying it does not apply. */
  namespacesGiven?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  /** The content function of a resource (content.ts contentFor, or --content's). */
  content: (r: ApiResource) => ContentFunction;
  reflector: ReflectorSettings;
  onEvent: DeliveryHandler;
  /** Keys are `canonical/namespace/name` (several resources share one queue); else `namespace/name`. */
  keyPrefix: boolean;
  /** Readiness labels name the resource: `services in namespace web` rather than `namespace web`. */
  labelled: boolean;
  observer?: ResourceWatchObserver;
  /** Each reflector's list (first or relist) delivered: its resource and namespace (undefined: all, or cluster-scoped). */
  onListed?: (r: ApiResource, namespace: string | undefined, initial: boolean) => void | Promise<void>;
  /** The wait for a resource to be served (tests shorten it). */
  waitBackoff?: Backoff;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The reflectors of one resource (one per namespace), kept across periods of not being served. */
interface ReflectorSet {
  /** The resource as last resolved (its version may change while the set is kept). */
  resource: ApiResource;
  /** What handlers are told (its apiVersion follows `resource`). */
  event: EventResource;
  readonly entries: ReadonlyArray<{ readonly namespace: string | undefined; readonly reflector: Reflector; readonly release?: () => void }>;
}

type Gone = 'gone' | 'stopped';

export class ResourceWatch {
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly waitBackoff: Backoff;

  constructor(private readonly o: ResourceWatchOptions) {
    this.sleep = o.sleep ?? realSleep;
    this.waitBackoff = o.waitBackoff ?? new Backoff({ initialMs: 1000, maxMs: 30_000, resetAfterMs: Infinity });
  }

  /** Runs until the signal aborts; rejects on a fatal error (--exit-on-error, a name that went bad). */
  async run(): Promise<void> {
    const { target, signal } = this.o;
    let resource: ApiResource | undefined = target.resolution.status === 'resolved' ? target.resolution.resource : undefined;
    let set: ReflectorSet | undefined;
    while (!signal.aborted) {
      if (!resource) {
        resource = await this.waitServed(set);
        if (!resource) return;
      }
      set = this.setFor(resource, set);
      if ((await this.runSet(set)) === 'stopped') return;
      resource = undefined;
    }
  }

  /**
   * The reflectors for `r`: the kept ones when it is the same resource in
   * the same scope (retargeted if its version changed), else new ones (the
   * first list SYNC only for a resource served from the start).
   */
  private setFor(r: ApiResource, kept: ReflectorSet | undefined): ReflectorSet {
    if (kept && kept.resource.group === r.group && kept.resource.resource === r.resource && kept.resource.namespaced === r.namespaced) {
      if (kept.resource.version !== r.version) {
        for (const e of kept.entries) e.reflector.retarget({ source: this.source(r, e.namespace) });
        kept.resource = r;
        kept.event = eventResource(r);
      }
      return kept;
    }
    for (const e of kept?.entries ?? []) e.release?.();
    const fromStart = kept === undefined && this.o.target.resolution.status === 'resolved';
    return this.reflectorsFor(r, fromStart ? 'SYNC' : 'ADDED');
  }

  private label(r: ApiResource, namespace: string | undefined): string {
    const where = !r.namespaced ? 'cluster-wide' : namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
    return this.o.labelled ? `${r.canonical} ${r.namespaced ? 'in ' : ''}${where}` : where;
  }

  private source(r: ApiResource, namespace: string | undefined): HttpSource {
    return new HttpSource(this.o.client, {
      group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespace,
      labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector,
    });
  }

  private reflectorsFor(r: ApiResource, initialAs: 'SYNC' | 'ADDED'): ReflectorSet {
    const o = this.o;
    if (!r.namespaced && o.namespacesGiven) {
      o.log.info(`${r.canonical} is cluster-scoped: watched cluster-wide (-n does not apply to it)`, { resource: r.canonical });
    }
    const namespaces = r.namespaced && o.namespaces ? o.namespaces : [undefined];
    const content = o.content(r);
    const prefix = o.keyPrefix ? `${r.canonical}/` : '';
    const set: ReflectorSet = { resource: r, event: eventResource(r), entries: [] };
    // An object literal, not a spread: this runs for every event.
    const onEvent = (d: Delivery) => o.onEvent({ type: d.type, object: d.object, key: prefix + d.key, via: d.via, hash: d.hash, resource: set.event });
    const entries = namespaces.map((namespace) => {
      const { release, ...hooks } = o.observer?.hooks(this.label(r, namespace)) ?? {};
      const reflector = new Reflector({
        source: this.source(r, namespace),
        log: o.log,
        signal: o.signal,
        onEvent,
        content,
        ...definedOnly(o.reflector),
        rejectNotFound: o.discovery !== undefined,
        initialAs,
        ...(o.onListed ? { onListed: (initial: boolean) => o.onListed!(r, namespace, initial) } : {}),
        ...hooks,
      });
      o.observer?.created(reflector);
      return { namespace, reflector, release };
    });
    return Object.assign(set, { entries });
  }

  /**
   * Runs every reflector of the set until the signal aborts ('stopped') or
   * one finds the resource gone ('gone': the others are stopped too, so the
   * whole set waits and comes back together). A fatal error stops the others,
   * waits for them, then rejects.
   */
  private async runSet(set: ReflectorSet): Promise<Gone> {
    const stop = new AbortController();
    let gone = false;
    let fatal: { err: unknown } | undefined;
    await Promise.all(set.entries.map(async ({ reflector }) => {
      try {
        if ((await this.runOne(set, reflector, stop.signal)) === 'gone') gone = true;
      } catch (err) {
        fatal ??= { err };
      }
      stop.abort();
    }));
    if (fatal) throw fatal.err;
    if (this.o.signal.aborted || !gone) return 'stopped';
    // A reflector that had not listed when the resource went away lists its objects as new when it is back.
    for (const { reflector } of set.entries) if (!reflector.listed) reflector.retarget({ initialAs: 'ADDED' });
    return 'gone';
  }

  /** One reflector until the signal or `stop` aborts ('stopped') or its resource is gone ('gone'). */
  private async runOne(set: ReflectorSet, reflector: Reflector, stop: AbortSignal): Promise<Gone> {
    const { log, signal } = this.o;
    const backoff = new Backoff();
    while (!signal.aborted && !stop.aborted) {
      try {
        await reflector.run(stop);
        return 'stopped';
      } catch (err) {
        if (signal.aborted || stop.aborted) return 'stopped';
        if (!isNotFound(err)) throw err;
        const served = await this.stillServed(set.resource, stop);
        if (served === undefined) return 'stopped';
        if (!served) {
          log.debug(`${oneLine(err)}; ${set.resource.canonical} is not served any more`, { reason: 'gone' });
          return 'gone';
        }
        if (this.o.reflector.exitOnError) throw err;
        const delay = backoff.capped();
        log.error(`${oneLine(err)}; listing again in ${formatDuration(delay)}`, { reason: 'http_404' });
        await this.sleep(delay, AbortSignal.any([signal, stop]));
      }
    }
    return 'stopped';
  }

  /** Whether discovery (read again) still serves the resource in its version; true when discovery cannot say; undefined when stopped. */
  private async stillServed(r: ApiResource, stop: AbortSignal): Promise<boolean | undefined> {
    let snap: DiscoverySnapshot | undefined;
    try {
      snap = await untilAborted(this.o.discovery!.refresh(), AbortSignal.any([this.o.signal, stop]));
    } catch {
      return true;
    }
    if (!snap) return undefined;
    return snap.resources.some((x) => x.group === r.group && x.resource === r.resource && x.version === r.version);
  }

  /**
   * Waits until the resource is served: the target's own name at start, or
   * (gone after being watched) the name as written when it names a group,
   * else its canonical name. Undefined when the signal aborted first.
   */
  private async waitServed(kept: ReflectorSet | undefined): Promise<ApiResource | undefined> {
    const { log, signal, discovery, target } = this.o;
    const written = target.name.includes('.') ? target.name : undefined;
    const name = kept ? (written ?? kept.resource.canonical) : target.name;
    log.info(kept
      ? `${kept.resource.canonical} is no longer served (as ${apiVersionOf(kept.resource)}: its CRD deleted?); waiting for it to be served again`
      : `${name} is not served yet; waiting for it (re-discovering with backoff)`, { reason: 'waiting_for_resource' });
    const release = this.o.observer?.waiting?.(`${kept ? kept.resource.canonical : name}: not served${kept ? ' any more' : ' yet'}`);
    this.waitBackoff.reset();
    try {
      while (!signal.aborted) {
        await this.sleep(this.waitBackoff.next(), signal);
        let snap: DiscoverySnapshot | undefined;
        try {
          snap = await untilAborted(discovery!.refresh(), signal);
        } catch (err) {
          if (signal.aborted) return undefined;
          if (this.o.reflector.exitOnError && err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
          log.warn(`discovery while waiting for ${name} failed: ${oneLine(err)}; trying again`, { reason: 'discovery' });
          continue;
        }
        if (!snap) return undefined;
        // Unknown is "not served" still; ambiguous, or not watchable now: fatal, as it would have been at start.
        let res;
        try {
          res = resolveResourceName(snap, name);
        } catch (err) {
          if (err instanceof ResourceUnknownError) continue;
          throw err;
        }
        if (res.status === 'resolved') {
          log.info(`${name} is served now (${apiVersionOf(res.resource)} ${res.resource.kind}); watching it`, { reason: 'resource_served' });
          return res.resource;
        }
      }
      return undefined;
    } finally {
      release?.();
    }
  }
}

/** The promise's value, or undefined once the signal aborts first (the promise is left to settle on its own). */
async function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    p.catch(() => {});
    return undefined;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    p.catch(() => {});
  }
}

function isNotFound(err: unknown): err is ApiError {
  return err instanceof CmwatchError && err.code === 'API_404';
}

/** The resource as handlers are told it. */
export function eventResource(r: ApiResource): EventResource {
  return { name: r.canonical, kind: r.kind, apiVersion: apiVersionOf(r) };
}
