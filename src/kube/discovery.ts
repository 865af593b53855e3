/**
 * Discovery through the KubeClient: which groups, versions and resources the
 * server serves, cached for the run.
 *
 * - Aggregated discovery first: `GET /api` and `GET /apis` with the
 *   `apidiscovery.k8s.io` v2 (then v2beta1) Accept header answer every group,
 *   version and resource in one document each.
 * - A server that answers the plain form instead (APIVersions, APIGroupList)
 *   is read through the per-group documents: `/api/v1`, and
 *   `/apis/<group>/<version>` for every version of every group, a few at a
 *   time. A group version that fails (an aggregated API that is down) is
 *   recorded in `failed` and the rest is used, as kubectl does.
 * - `resolve(name)` resolves a RESOURCE (src/api/resource-name.ts); when the
 *   name does not resolve (unknown, or not served yet) it re-discovers once
 *   before answering, as kubectl's shortcut expander does after a NoMatch.
 */
import type { KubeClient } from './client.js';
import { apiVersionOf, findByKind, type ApiGroup, type ApiResource, type DiscoveredResources } from '../api/resource.js';
import { resolveResourceName, ResourceUnknownError, type Resolution } from '../api/resource-name.js';
import { CmwatchError } from '../base/errors.js';
import {
  isAggregatedDiscovery, mergeDiscovered, parseAggregatedDiscovery, parseCoreVersions, parseGroupList, parseResourceList,
} from './discovery-documents.js';

/** The aggregated forms, newest first, then the plain form. */
export const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,' +
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,' +
  'application/json';

/** The most bytes one discovery document may have (a server with thousands of CRDs stays well under). */
export const DISCOVERY_MAX_BYTES = 64 * 1024 * 1024;

/** How many per-group documents are fetched at once. */
const LEGACY_CONCURRENCY = 6;

export type DiscoveryForm = 'aggregated' | 'legacy';

export interface DiscoverySnapshot extends DiscoveredResources {
  /** How each half was read: `/api` (core) and `/apis` (the groups). */
  readonly form: { readonly core: DiscoveryForm; readonly groups: DiscoveryForm };
}

export interface DiscoveryOptions {
  /** false: ask for the plain form only (the per-group documents). Default true. */
  aggregated?: boolean;
  signal?: AbortSignal;
}

interface Half {
  readonly form: DiscoveryForm;
  readonly found: DiscoveredResources;
}

/** One discovery of the whole server. */
export async function discover(client: KubeClient, opts: DiscoveryOptions = {}): Promise<DiscoverySnapshot> {
  const accept = opts.aggregated === false ? 'application/json' : DISCOVERY_ACCEPT;
  const [core, groups] = await Promise.all([
    half(client, '/api', accept, opts.signal),
    half(client, '/apis', accept, opts.signal),
  ]);
  return { ...mergeDiscovered([core.found, groups.found]), form: { core: core.form, groups: groups.form } };
}

async function half(client: KubeClient, root: '/api' | '/apis', accept: string, signal: AbortSignal | undefined): Promise<Half> {
  const doc = await client.json<unknown>('GET', root, { accept, signal, verb: 'get', resource: 'the discovery documents', maxBytes: DISCOVERY_MAX_BYTES });
  if (isAggregatedDiscovery(doc)) return { form: 'aggregated', found: parseAggregatedDiscovery(doc, root) };
  const groups = root === '/api' ? [parseCoreVersions(doc, root)] : parseGroupList(doc, root);
  return { form: 'legacy', found: await perGroup(client, root, groups, signal) };
}

/** Every version of every group through its APIResourceList, LEGACY_CONCURRENCY at a time, in the groups' order. */
async function perGroup(client: KubeClient, root: '/api' | '/apis', groups: ApiGroup[], signal: AbortSignal | undefined): Promise<DiscoveredResources> {
  const jobs = groups.flatMap((g) => g.versions.map((version) => ({ group: g.name, version })));
  const results: Array<DiscoveredResources | undefined> = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { group, version } = jobs[i]!;
      const groupVersion = apiVersionOf({ group, version });
      // The core group is only ever under /api: root + version; any other, root + group/version.
      const path = `${root}/${groupVersion}`;
      try {
        const doc = await client.json<unknown>('GET', path, { signal, verb: 'get', resource: 'the discovery documents', maxBytes: DISCOVERY_MAX_BYTES });
        results[i] = { groups: [], resources: parseResourceList(doc, group, version, path), failed: [] };
      } catch (err) {
        if (signal?.aborted || !(err instanceof CmwatchError)) throw err;
        results[i] = { groups: [], resources: [], failed: [{ groupVersion, message: err.message }] };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LEGACY_CONCURRENCY, jobs.length) }, worker));
  const failedGv = new Set(results.flatMap((r) => r!.failed.map((f) => f.groupVersion)));
  // A group keeps only the versions that answered; one with none left is not served.
  const served = groups
    .map((g) => ({ ...g, versions: g.versions.filter((v) => !failedGv.has(apiVersionOf({ group: g.name, version: v }))) }))
    .filter((g) => g.versions.length > 0)
    .map((g) => ({ ...g, preferredVersion: g.versions.includes(g.preferredVersion) ? g.preferredVersion : g.versions[0]! }));
  return { ...mergeDiscovered(results.map((r) => r!)), groups: served };
}

/** Discovery cached for the run: one fetch shared by every caller, `refresh()` to read it again. */
export class Discovery {
  private current: DiscoverySnapshot | undefined;
  private inFlight: Promise<DiscoverySnapshot> | undefined;
  /** How many discoveries completed; resolve() uses it to refresh at most once per stale snapshot. */
  private generation = 0;

  constructor(private readonly client: KubeClient, private readonly opts: DiscoveryOptions = {}) {}

  /** The cached discovery, fetched on first use. */
  async snapshot(): Promise<DiscoverySnapshot> {
    return this.current ?? this.refresh();
  }

  /** Discovers again (callers at the same time share one fetch). */
  refresh(): Promise<DiscoverySnapshot> {
    this.inFlight ??= discover(this.client, this.opts)
      .then((s) => {
        this.current = s;
        this.generation++;
        return s;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /**
   * Resolves a RESOURCE as kubectl would. A name that does not resolve
   * (E_RESOURCE_UNKNOWN, or not served yet) is tried again on a fresh
   * discovery, unless the snapshot was fetched for this very call or another
   * caller refreshed since; then the answer stands (it may throw).
   */
  async resolve(name: string): Promise<Resolution> {
    const hadOne = this.current !== undefined;
    const seen = this.generation;
    const first = await this.snapshot();
    try {
      const r = resolveResourceName(first, name);
      if (r.status === 'resolved' || !hadOne) return r;
    } catch (err) {
      if (!(err instanceof ResourceUnknownError) || !hadOne) throw err;
    }
    const fresh = this.generation !== seen ? this.current! : await this.refresh();
    return resolveResourceName(fresh, name);
  }

  /**
   * The resource of objects with this apiVersion and kind (write-back's
   * targets), or undefined. A miss is tried again on a fresh discovery under
   * the same rule as resolve() (a CRD created since the last one).
   */
  async byKind(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const hadOne = this.current !== undefined;
    const seen = this.generation;
    const found = findByKind(await this.snapshot(), apiVersion, kind);
    if (found || !hadOne) return found;
    const fresh = this.generation !== seen ? this.current! : await this.refresh();
    return findByKind(fresh, apiVersion, kind);
  }
}
