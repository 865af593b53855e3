/**
 * The workloads a changed ConfigMap or Secret restarts, in its namespace:
 * - named on it: `cmwatch.io/restart: deployment/web,statefulset/db`, each
 *   TYPE resolved through discovery as kubectl would, so any resource with a
 *   pod template (`spec.template`) works, CRDs included;
 * - with --auto: the Deployments, StatefulSets, DaemonSets and Argo
 *   Rollouts (`rollouts.argoproj.io`, when served) whose pod template
 *   references it and that carry `cmwatch.io/auto: "true"`; --auto-all
 *   drops the opt-in.
 * A name that does not resolve, an object that is not there or has no pod
 * template is warned about and skipped; the other targets still count.
 */
import type { KubeClient } from '../../kube/client.js';
import type { Discovery } from '../../kube/discovery.js';
import type { ApiResource } from '../../api/resource.js';
import type { K8sObject } from '../../api/types.js';
import type { Logger } from '../../base/logger.js';
import { ApiError } from '../../api/api-error.js';
import { collectionPath, objectPath } from '../../api/object-path.js';
import { oneLine } from '../../base/errors.js';
import { isRecord } from '../../base/records.js';
import { AUTO_ANNOTATION, parseRestartTargets, RESTART_ANNOTATION } from './restart-annotations.js';
import { referencesSource, templateOf } from './template-refs.js';

/** The resources --auto looks through (each only when the server serves it). */
export const AUTO_RESOURCES = ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'rollouts.argoproj.io'] as const;

/** How long an --auto list answer is shared between sources. */
const LIST_CACHE_MS = 2000;

/** A workload list's body cap. */
const MAX_LIST_BYTES = 64 * 1024 * 1024;

export type AutoMode = 'off' | 'opt-in' | 'all';

export interface Workload {
  resource: ApiResource;
  namespace: string;
  name: string;
  object: K8sObject;
}

/** `deployments.apps/NS/NAME`: the debounce and throttle key. */
export const workloadKey = (w: { resource: ApiResource; namespace: string; name: string }) => `${w.resource.canonical}/${w.namespace}/${w.name}`;
/** `deployment NS/NAME`, for logs. */
export const workloadLabel = (w: { resource: ApiResource; namespace: string; name: string }) => `${w.resource.kind.toLowerCase()} ${w.namespace}/${w.name}`;

/** The source as targets are looked for: its namespace, `configmap`/`secret`, name and object. */
export interface SourceRef {
  namespace: string;
  kindWord: string;
  name: string;
  object: K8sObject;
  /** For logs: `configmap NS/NAME`. */
  label: string;
}

export interface TargetFinderOptions {
  client: KubeClient;
  discovery: Discovery;
  log: Logger;
  auto: AutoMode;
}

export class TargetFinder {
  /** --auto resources already warned about (403, 404), by `canonical/namespace`. */
  private readonly skipped = new Set<string>();
  private readonly lists = new Map<string, { at: number; items: Promise<K8sObject[]> }>();

  constructor(private readonly o: TargetFinderOptions) {}

  /** Every target of the source, each once (named ones first). Throws when an --auto list fails (the run is retried). */
  async find(src: SourceRef, signal: AbortSignal): Promise<Workload[]> {
    const found = new Map<string, Workload>();
    for (const w of await this.named(src, signal)) found.set(workloadKey(w), w);
    if (this.o.auto !== 'off') {
      for (const w of await this.auto(src, signal)) if (!found.has(workloadKey(w))) found.set(workloadKey(w), w);
    }
    return [...found.values()];
  }

  private async named(src: SourceRef, signal: AbortSignal): Promise<Workload[]> {
    const value = src.object.metadata?.annotations?.[RESTART_ANNOTATION];
    if (typeof value !== 'string' || value.trim() === '') return [];
    const { targets, invalid } = parseRestartTargets(value);
    for (const bad of invalid) this.o.log.warn(`rollout-restart ${src.label}: ${RESTART_ANNOTATION} entry ${JSON.stringify(bad)} is not TYPE/NAME; skipped`, { reason: 'invalid_target' });
    const out: Workload[] = [];
    for (const t of targets) {
      const resource = await this.resolve(t.type, src.label);
      if (!resource) continue;
      const w = await this.get(resource, src.namespace, t.name, src.label, signal);
      if (w) out.push(w);
    }
    return out;
  }

  /** TYPE → a namespaced resource, or undefined (warned). */
  private async resolve(type: string, label: string): Promise<ApiResource | undefined> {
    try {
      const r = await this.o.discovery.resolve(type);
      if (r.status !== 'resolved') {
        this.o.log.warn(`rollout-restart ${label}: ${RESTART_ANNOTATION} names "${type}", which the server does not serve; skipped`, { reason: 'unknown_resource' });
        return undefined;
      }
      if (!r.resource.namespaced) {
        this.o.log.warn(`rollout-restart ${label}: "${type}" is cluster-scoped (${r.resource.canonical}); a target must be in the source's namespace; skipped`, { reason: 'cluster_scoped' });
        return undefined;
      }
      return r.resource;
    } catch (err) {
      this.o.log.warn(`rollout-restart ${label}: ${RESTART_ANNOTATION}: ${oneLine(err)}; skipped`, { reason: 'unknown_resource' });
      return undefined;
    }
  }

  /** One named workload, or undefined when it is not there or has no pod template (warned). Throws on other failures. */
  private async get(resource: ApiResource, ns: string, name: string, label: string, signal: AbortSignal): Promise<Workload | undefined> {
    let object: K8sObject;
    try {
      object = await this.o.client.json<K8sObject>('GET', objectPath({ group: resource.group, version: resource.version, resource: resource.resource, namespace: ns, name }), {
        signal, verb: 'get', resource: resource.canonical,
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        this.o.log.warn(`rollout-restart ${label}: ${resource.kind.toLowerCase()} ${ns}/${name} named in ${RESTART_ANNOTATION} does not exist; skipped`, { reason: 'target_not_found' });
        return undefined;
      }
      throw err;
    }
    const w = { resource, namespace: ns, name, object };
    if (!templateOf(object)) {
      this.o.log.warn(`rollout-restart ${label}: ${workloadLabel(w)} has no pod template (spec.template); skipped`, { reason: 'no_pod_template' });
      return undefined;
    }
    return w;
  }

  private async auto(src: SourceRef, signal: AbortSignal): Promise<Workload[]> {
    const out: Workload[] = [];
    for (const name of AUTO_RESOURCES) {
      let resource: ApiResource;
      try {
        const r = await this.o.discovery.resolve(name);
        if (r.status !== 'resolved') continue;
        resource = r.resource;
      } catch {
        continue; // not served (e.g. no Argo Rollouts)
      }
      const objects = await this.listOrSkip(resource, src, signal);
      for (const object of objects) {
        const meta = object.metadata ?? {};
        if (typeof meta.name !== 'string' || meta.namespace !== src.namespace) continue;
        if (!referencesSource(object, src.kindWord, src.name)) continue;
        const w = { resource, namespace: src.namespace, name: meta.name, object };
        if (this.o.auto === 'opt-in' && meta.annotations?.[AUTO_ANNOTATION] !== 'true') {
          this.o.log.debug(`rollout-restart ${src.label}: ${workloadLabel(w)} references it but has no ${AUTO_ANNOTATION}: "true"; not restarted`);
          continue;
        }
        out.push(w);
      }
    }
    return out;
  }

  /** The workloads of one --auto resource; none when the identity may not list them (403) or they are gone (404), warned once per resource. */
  private async listOrSkip(resource: ApiResource, src: SourceRef, signal: AbortSignal): Promise<K8sObject[]> {
    try {
      return await this.list(resource, src.namespace, signal);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 404)) throw err;
      const warned = `${resource.canonical}/${src.namespace}`;
      if (!this.skipped.has(warned)) {
        this.skipped.add(warned);
        this.o.log.warn(`rollout-restart: --auto skips ${resource.canonical} in ${src.namespace}: ${oneLine(err)}`, { reason: err.status === 403 ? 'forbidden' : 'not_found' });
      }
      return [];
    }
  }

  /**
   * Lists are shared for LIST_CACHE_MS: at start every source of a namespace
   * asks for the same lists at once. A stale answer costs nothing: the
   * restart reads the workload again and writes only what differs.
   */
  private list(resource: ApiResource, ns: string, signal: AbortSignal): Promise<K8sObject[]> {
    const key = `${resource.canonical}/${ns}`;
    const now = Date.now();
    const hit = this.lists.get(key);
    if (hit && now - hit.at < LIST_CACHE_MS) return hit.items;
    const items = this.fetchList(resource, ns, signal);
    this.lists.set(key, { at: now, items });
    items.catch(() => this.lists.delete(key));
    return items;
  }

  private async fetchList(resource: ApiResource, ns: string, signal: AbortSignal): Promise<K8sObject[]> {
    const body = await this.o.client.json<unknown>('GET', collectionPath({ group: resource.group, version: resource.version, resource: resource.resource, namespace: ns }), {
      signal, verb: 'list', resource: resource.canonical, maxBytes: MAX_LIST_BYTES,
    });
    const items = isRecord(body) ? body.items : undefined;
    return Array.isArray(items) ? (items.filter(isRecord) as K8sObject[]) : [];
  }
}
