/**
 * The operator features of `watch`, composed: --snapshot (informer caches
 * beside the watches, handed to handlers as CMWATCH_SNAPSHOT_DIR) and
 * --finalizer (FINALIZE events and the finalizer's upkeep). Created before
 * the engine (which takes its hooks), resolved once the watched resources
 * are known: a --finalizer whose resource is not watched, or that needs a
 * RESOURCE part, is a usage error (exit 2) before anything ran.
 */
import { apiVersionOf } from '../api/resource.js';
import { finalizerNameUnqualified, isBuiltInGroup } from '../api/finalizer-name.js';
import { oneLine, UsageError } from '../base/errors.js';
import type { KubeClient } from '../kube/client.js';
import { Discovery } from '../kube/discovery.js';
import type { Logger } from '../ops/log.js';
import type { Delivery, DeliveryHandler } from '../watch/reflector.js';
import { ResourceWatch } from '../watch/resource-watch.js';
import { SnapshotCache } from '../watch/snapshot-cache.js';
import { resolveTargets, type Target } from '../watch/targets.js';
import { SnapshotDirs } from '../handlers/snapshot-dir.js';
import { Finalizers, type FinalizerSpec } from '../handlers/finalizer.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { WatchConfig } from './options.js';
import type { ReflectorObserver, WatchTargets } from './reflectors.js';
import type { IntakeEvent } from './intake.js';

export interface OperatorDeps {
  client: KubeClient;
  log: Logger;
  /** The engine acts (not a standby): finalizers are added only then. */
  acting: () => boolean;
  /** Readiness (watch's observer): not ready until the snapshot caches synced too. */
  observer?: ReflectorObserver;
}

export class Operator {
  readonly snapshots: SnapshotDirs | undefined;
  readonly finalizers: Finalizers | undefined;
  private readonly caches: SnapshotCache[] = [];
  private snapshotTargets: Target[] = [];
  private discovery: Discovery | undefined;
  private namespaces: string[] | undefined;

  /** Undefined when neither --snapshot nor --finalizer was given. */
  static create(cfg: WatchConfig, deps: OperatorDeps): Operator | undefined {
    return cfg.snapshots.length === 0 && cfg.finalizers.length === 0 ? undefined : new Operator(cfg, deps);
  }

  private constructor(private readonly cfg: WatchConfig, private readonly deps: OperatorDeps) {
    this.snapshots = cfg.snapshots.length > 0 ? new SnapshotDirs(this.caches, deps.log) : undefined;
    this.finalizers = cfg.finalizers.length > 0
      ? new Finalizers({ client: deps.client, log: deps.log, acting: deps.acting, dryRun: cfg.dryRun, retryBaseMs: cfg.retryBaseMs, retryMaxMs: cfg.retryMaxMs })
      : undefined;
  }

  /** Resolves --snapshot and --finalizer against discovery and the watched resources; false when the signal aborted first. */
  async resolve(watched: WatchTargets, namespaces: string[] | undefined, signal: AbortSignal): Promise<boolean> {
    this.discovery = watched.discovery;
    this.namespaces = namespaces;
    if (this.cfg.snapshots.length > 0) {
      const targets = await resolveTargets(this.cfg.snapshots, this.discoveryFor(signal), { log: this.deps.log, signal, exitOnError: this.cfg.exitOnError });
      if (!targets) return false;
      this.snapshotTargets = targets;
      for (const t of targets) {
        const r = t.resolution;
        const canonical = r.status === 'resolved' ? r.resource.canonical : r.group ? `${r.resource}.${r.group}` : r.resource;
        const cache = new SnapshotCache({ canonical, apiVersion: r.status === 'resolved' ? apiVersionOf(r.resource) : '', kind: r.status === 'resolved' ? r.resource.kind : '' });
        this.caches.push(cache);
        const where = r.status === 'resolved' && !r.resource.namespaced ? 'cluster-wide' : namespaces ? `in ${namespaces.join(', ')}` : 'in all namespaces';
        this.deps.log.info(`snapshot of ${canonical} ${where}: handlers get ${canonical}.json in CMWATCH_SNAPSHOT_DIR`, { resource: canonical });
      }
    }
    if (this.finalizers) {
      const specs = await this.finalizerSpecs(watched, signal);
      if (!specs) return false;
      this.finalizers.bind(specs);
    }
    return true;
  }

  /** The finalizer of a resource, if it has one (its content function then counts the start of a deletion). */
  readonly finalizerOf = (canonical: string): string | undefined => this.finalizers?.nameFor(canonical);

  /** The delivery callback with FINALIZE mapped in (and finalizers added where missing). */
  intake(onEvent: (d: IntakeEvent) => void | Promise<void>): DeliveryHandler {
    const f = this.finalizers;
    if (!f) return onEvent;
    return (d: Delivery) => onEvent(f.classify(d));
  }

  /**
   * Runs `run` (the watches) and the snapshot caches until the signal
   * aborts; a fatal error in either stops both. Resolves with the exit code.
   */
  async runAlongside(signal: AbortSignal, run: (s: AbortSignal) => Promise<number>): Promise<number> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (signal.aborted) stop.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      const [main, snaps] = await Promise.all([
        run(stop.signal).finally(() => stop.abort()),
        this.runSnapshots(stop),
      ]);
      return main !== ExitCode.Ok ? main : snaps;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.finalizers?.close();
  }

  private discoveryFor(signal: AbortSignal): Discovery {
    this.discovery ??= new Discovery(this.deps.client, { signal });
    return this.discovery;
  }

  /** One ResourceWatch per snapshot resource, feeding its cache with every version (trigger any). */
  private async runSnapshots(stop: AbortController): Promise<number> {
    const { cfg, deps } = this;
    let exitCode: number = ExitCode.Ok;
    await Promise.all(this.snapshotTargets.map((target, i) => {
      const cache = this.caches[i]!;
      const w = new ResourceWatch({
        target, discovery: this.discovery, client: deps.client, log: deps.log, signal: stop.signal,
        namespaces: this.namespaces, content: () => () => '',
        reflector: {
          trigger: 'any', stallTimeoutMs: cfg.stallTimeoutMs, exitOnError: cfg.exitOnError,
          ...(cfg.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: () => cfg.watchTimeoutSeconds! }),
        },
        onEvent: (d) => cache.apply(d),
        keyPrefix: false,
        labelled: true,
        observer: {
          hooks: (label) => {
            const ready = deps.observer?.hooks(`snapshot of ${label}`);
            const synced = cache.expectSync();
            return { onSynced: () => { synced(); ready?.onSynced?.(); }, onWatchState: ready?.onWatchState };
          },
          // Its events are not cmwatch's events: no reflector metrics.
          created: () => {},
          // Not served: it has no objects; synced (empty) until its reflectors start.
          waiting: (label) => {
            cache.expectSync()();
            return deps.observer?.waiting?.(`snapshot of ${label}`) ?? (() => {});
          },
        },
      });
      return w.run().catch((err: unknown) => {
        if (exitCode !== ExitCode.Ok) return;
        exitCode = exitCodeFor(err);
        deps.log.error(`snapshot of ${cache.name}: ${oneLine(err)}`, { reason: 'fatal' });
        stop.abort();
      });
    }));
    return exitCode;
  }

  /** Each --finalizer bound to one watched resource; undefined when the signal aborted. */
  private async finalizerSpecs(watched: WatchTargets, signal: AbortSignal): Promise<FinalizerSpec[] | undefined> {
    const specs: FinalizerSpec[] = [];
    const names = watched.targets.map(canonicalOf);
    for (const f of this.cfg.finalizers) {
      let target: Target | undefined;
      if (f.resource === undefined) {
        if (watched.targets.length !== 1) {
          throw new UsageError(`--finalizer ${f.text}: ${watched.targets.length} resources are watched (${names.join(', ')}); which one is it for?`, `name it: --finalizer ${names[0]}=${f.name}`);
        }
        target = watched.targets[0];
      } else {
        const found = await resolveTargets([f.resource], this.discoveryFor(signal), { log: this.deps.log, signal, exitOnError: this.cfg.exitOnError });
        if (!found) return undefined;
        const canonical = canonicalOf(found[0]!);
        target = watched.targets.find((t) => canonicalOf(t) === canonical);
        if (!target) throw new UsageError(`--finalizer ${f.text}: ${canonical} is not watched (watched: ${names.join(', ')})`, `watch it too: add ${canonical} to the RESOURCE arguments`);
      }
      const res = target!.resolution;
      if (res.status !== 'resolved') throw new UsageError(`--finalizer ${f.text}: ${canonicalOf(target!)} is not served yet`, 'apply its CRD first (a finalizer needs the resource served when cmwatch starts)');
      const r = res.resource;
      if (watched.discovery && !r.verbs.includes('patch')) throw new UsageError(`--finalizer ${f.text}: ${r.canonical} cannot be patched (verbs: ${r.verbs.join(', ')})`, 'a finalizer is added and removed with a patch');
      const twice = specs.find((s) => s.resource.canonical === r.canonical);
      if (twice) throw new UsageError(`--finalizer ${f.text}: ${r.canonical} already has finalizer ${twice.name}`, 'give one --finalizer per resource');
      if (finalizerNameUnqualified(f.name)) {
        if (isBuiltInGroup(r.group)) {
          throw new UsageError(`--finalizer ${f.text}: ${r.canonical} is a built-in resource: the API server refuses a finalizer name without a domain ("${f.name}")`, `qualify it, e.g. --finalizer ${f.resource === undefined ? '' : `${f.resource}=`}example.com/${f.name}`);
        }
        this.deps.log.warn(`--finalizer ${f.name}: prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers (as the API server warns), e.g. example.com/${f.name}`, { reason: 'unqualified_finalizer' });
      }
      specs.push({ name: f.name, resource: { group: r.group, version: r.version, resource: r.resource, canonical: r.canonical, namespaced: r.namespaced, kind: r.kind, apiVersion: apiVersionOf(r) } });
      this.deps.log.info(`finalizer ${f.name} on ${r.canonical}: added to every watched object; FINALIZE runs the handlers before it is removed`, { resource: r.canonical });
    }
    return specs;
  }
}

function canonicalOf(t: Target): string {
  const r = t.resolution;
  return r.status === 'resolved' ? r.resource.canonical : r.group ? `${r.resource}.${r.group}` : r.resource;
}

