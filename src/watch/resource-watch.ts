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
 *   longer served is logged and waited for again (its reflectors, kept,
 *   relist when it is back, so what changed meanwhile is diffed); one still
 *   served is retried at the capped backoff, as any 404.
 * The default ConfigMaps (no discovery) are never waited for; a 404 is
 * retried as before.
 */
import { apiVersionOf, type ApiResource } from '../api/resource.js';
import { resolveResourceName, type NotYetServed } from '../api/resource-name.js';
import type { ApiError } from '../api/api-error.js';
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

/** Readiness and metrics for each reflector, and for a resource being waited for. */
export interface ResourceWatchObserver {
  hooks(label: string): Pick<ReflectorOptions, 'onSynced' | 'onWatchState'>;
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

/** The reflectors of one resolved resource, kept across a period of not being served. */
interface ReflectorSet {
  readonly resource: ApiResource;
  readonly reflectors: readonly Reflector[];
}

export class ResourceWatch {
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly waitBackoff: Backoff;

  constructor(private readonly o: ResourceWatchOptions) {
    this.sleep = o.sleep ?? realSleep;
    this.waitBackoff = o.waitBackoff ?? new Backoff({ initialMs: 1000, maxMs: 30_000, resetAfterMs: Infinity });
  }

  /** Runs until the signal aborts; rejects on a fatal error of a reflector (--exit-on-error). */
  async run(): Promise<void> {
    const { target, signal } = this.o;
    let pending: NotYetServed | undefined = target.resolution.status === 'not-served' ? target.resolution : undefined;
    let set: ReflectorSet | undefined;
    let resource = target.resolution.status === 'resolved' ? target.resolution.resource : undefined;
    let why: 'not yet' | 'gone' = 'not yet';
    while (!signal.aborted) {
      if (pending) {
        resource = await this.waitServed(pending, why);
        if (!resource) return;
        pending = undefined;
      }
      // The same collection again (a CRD deleted and re-created): its reflectors relist and diff.
      if (!set || !sameCollection(set.resource, resource!)) set = this.reflectorsFor(resource!, set === undefined && why === 'not yet' && target.resolution.status === 'resolved' ? 'SYNC' : 'ADDED');
      const gone = await this.runSet(set);
      if (!gone) return;
      why = 'gone';
      pending = { status: 'not-served', name: set.resource.canonical, resource: set.resource.resource, group: set.resource.group };
    }
  }

  private label(r: ApiResource, namespace: string | undefined): string {
    const where = !r.namespaced ? 'cluster-wide' : namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
    return this.o.labelled ? `${r.canonical} ${r.namespaced ? 'in ' : ''}${where}` : where;
  }

  private reflectorsFor(r: ApiResource, initialAs: 'SYNC' | 'ADDED'): ReflectorSet {
    const o = this.o;
    const namespaces = r.namespaced && o.namespaces ? o.namespaces : [undefined];
    const content = o.content(r);
    const event = eventResource(r);
    const prefix = o.keyPrefix ? `${r.canonical}/` : '';
    const onEvent = (d: Delivery) => o.onEvent({ ...d, key: prefix + d.key, resource: event });
    const reflectors = namespaces.map((namespace) => {
      const reflector = new Reflector({
        source: new HttpSource(o.client, {
          group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespace,
          labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
        }),
        log: o.log,
        signal: o.signal,
        onEvent,
        content,
        ...definedOnly(o.reflector),
        rejectNotFound: o.discovery !== undefined,
        initialAs,
        ...(o.onListed ? { onListed: (initial: boolean) => o.onListed!(r, namespace, initial) } : {}),
        ...o.observer?.hooks(this.label(r, namespace)),
      });
      o.observer?.created(reflector);
      return reflector;
    });
    return { resource: r, reflectors };
  }

  /**
   * Runs every reflector of the set. Resolves true when the resource is no
   * longer served (every reflector met a 404 and discovery agreed), false
   * when the signal aborted; rejects on a fatal error.
   */
  private async runSet(set: ReflectorSet): Promise<boolean> {
    const results = await Promise.all(set.reflectors.map((r) => this.runOne(set.resource, r)));
    return !this.o.signal.aborted && results.every((gone) => gone);
  }

  /** One reflector until the signal aborts (false) or its resource is gone (true). */
  private async runOne(r: ApiResource, reflector: Reflector): Promise<boolean> {
    const { log, signal } = this.o;
    const backoff = new Backoff();
    while (!signal.aborted) {
      try {
        await reflector.run();
        return false;
      } catch (err) {
        if (signal.aborted) return false;
        if (!isNotFound(err) || this.o.reflector.exitOnError) throw err;
        if (!(await this.stillServed(r))) {
          log.debug(`${oneLine(err)}; ${r.canonical} is not served any more`, { reason: 'gone' });
          return true;
        }
        const delay = backoff.capped();
        log.error(`${oneLine(err)}; listing again in ${formatDuration(delay)}`, { reason: 'http_404' });
        await this.sleep(delay, signal);
      }
    }
    return false;
  }

  /** Whether discovery (read again) still serves the resource; true when discovery cannot say. */
  private async stillServed(r: ApiResource): Promise<boolean> {
    let snap: DiscoverySnapshot;
    try {
      snap = await this.o.discovery!.refresh();
    } catch {
      return true;
    }
    return snap.resources.some((x) => x.group === r.group && x.resource === r.resource && x.version === r.version);
  }

  /** Waits until the name resolves; undefined when the signal aborted first. */
  private async waitServed(p: NotYetServed, why: 'not yet' | 'gone'): Promise<ApiResource | undefined> {
    const { log, signal, discovery } = this.o;
    const name = p.group ? `${p.resource}.${p.group}` : p.resource;
    log.info(why === 'gone'
      ? `${name} is no longer served (its CRD deleted?); waiting for it to be served again`
      : `${p.name === name ? name : `${p.name} (${name})`} is not served yet; waiting for it (re-discovering with backoff)`, { reason: 'waiting_for_resource' });
    const release = this.o.observer?.waiting?.(`${name}: not served${why === 'gone' ? ' any more' : ' yet'}`);
    this.waitBackoff.reset();
    try {
      while (!signal.aborted) {
        await this.sleep(this.waitBackoff.next(), signal);
        if (signal.aborted) return undefined;
        let snap: DiscoverySnapshot;
        try {
          snap = await discovery!.refresh();
        } catch (err) {
          log.debug(`discovery while waiting for ${name}: ${oneLine(err)}`, { reason: 'discovery' });
          continue;
        }
        try {
          const res = resolveResourceName(snap, p.name);
          if (res.status === 'resolved') {
            log.info(`${name} is served now (${res.resource.group}/${res.resource.version} ${res.resource.kind}); watching it`, { reason: 'resource_served' });
            return res.resource;
          }
        } catch (err) {
          if (!(err instanceof CmwatchError)) throw err;
          log.warn(`${oneLine(err)}; still waiting for ${name}`, { reason: 'waiting_for_resource' });
        }
      }
      return undefined;
    } finally {
      release?.();
    }
  }
}

function isNotFound(err: unknown): err is ApiError {
  return err instanceof CmwatchError && err.code === 'API_404';
}

function sameCollection(a: ApiResource, b: ApiResource): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource && a.namespaced === b.namespaced;
}

/** The resource as handlers are told it. */
export function eventResource(r: ApiResource): { name: string; kind: string; apiVersion: string } {
  return { name: r.canonical, kind: r.kind, apiVersion: apiVersionOf(r) };
}
