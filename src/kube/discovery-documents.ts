/**
 * The discovery documents the API server serves, read into the resource
 * model (src/api/resource.ts). Two shapes:
 *
 * - Aggregated discovery (`apidiscovery.k8s.io/v2`, and `v2beta1` with the
 *   same fields): `GET /api` or `GET /apis` answers one APIGroupDiscoveryList
 *   whose items are groups (`metadata.name`, "" or absent for core), each with
 *   `versions` in order of preference, each with `resources` (`resource`,
 *   `singularResource`, `shortNames`, `verbs`, `scope`, `responseKind`) and a
 *   `freshness`: a `Stale` version (an aggregated API that did not answer)
 *   is recorded as failed, not used.
 * - The per-group documents: `GET /api` (APIVersions), `GET /apis`
 *   (APIGroupList with each group's `versions` and `preferredVersion`), and one
 *   APIResourceList per group version (`/api/v1`, `/apis/G/V`) whose
 *   `resources` have `name`, `singularName`, `namespaced`, `kind`, `verbs`,
 *   `shortNames`. Names with a "/" are subresources, not resources.
 */
import { isRecord as isObject } from '../base/records.js';
import { CmwatchError } from '../base/errors.js';
import { apiResource, apiVersionOf, type ApiGroup, type ApiResource, type DiscoveredResources, type FailedGroupVersion } from '../api/resource.js';

/** A discovery document that is not the shape its path serves. */
export class DiscoveryShapeError extends CmwatchError {
  constructor(readonly path: string, what: string) {
    super('E_DISCOVERY_SHAPE', `discovery document ${path} is not ${what}`, {
      hint: 'check that the server URL points at a Kubernetes API server',
    });
    this.name = 'DiscoveryShapeError';
  }
}

type Doc = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** True for an aggregated answer (APIGroupDiscoveryList), false for the per-group form. */
export function isAggregatedDiscovery(doc: unknown): boolean {
  return isObject(doc) && doc.kind === 'APIGroupDiscoveryList';
}

/** An APIGroupDiscoveryList: every group, version and resource it lists. */
export function parseAggregatedDiscovery(doc: unknown, path: string): DiscoveredResources {
  if (!isAggregatedDiscovery(doc) || !Array.isArray((doc as Doc).items)) throw new DiscoveryShapeError(path, 'an APIGroupDiscoveryList');
  const groups: ApiGroup[] = [];
  const resources: ApiResource[] = [];
  const failed: FailedGroupVersion[] = [];
  for (const item of arr((doc as Doc).items)) {
    if (!isObject(item)) continue;
    const name = str(isObject(item.metadata) ? item.metadata.name : undefined) ?? '';
    const versions: string[] = [];
    for (const v of arr(item.versions)) {
      const version = isObject(v) ? str(v.version) : undefined;
      if (!isObject(v) || !version) continue;
      const groupVersion = apiVersionOf({ group: name, version });
      if (v.freshness === 'Stale') {
        failed.push({ groupVersion, message: 'the server reports its discovery as stale' });
        continue;
      }
      versions.push(version);
      for (const r of arr(v.resources)) {
        const parsed = isObject(r) ? aggregatedResource(r, name, version) : undefined;
        if (parsed) resources.push(parsed);
      }
    }
    if (versions.length) groups.push({ name, preferredVersion: versions[0]!, versions });
  }
  return { groups, resources, failed };
}

function aggregatedResource(r: Doc, group: string, version: string): ApiResource | undefined {
  const resource = str(r.resource);
  const kind = str(isObject(r.responseKind) ? r.responseKind.kind : undefined);
  if (!resource || !kind || resource.includes('/')) return undefined;
  return apiResource({
    group, version, resource, kind,
    singular: str(r.singularResource),
    shortNames: strings(r.shortNames),
    namespaced: r.scope === 'Namespaced',
    verbs: strings(r.verbs),
    subresources: arr(r.subresources).map((x) => (isObject(x) ? str(x.subresource) : undefined)).filter((x): x is string => !!x),
  });
}

/** `GET /api` in the per-group form (APIVersions): the core group. */
export function parseCoreVersions(doc: unknown, path = '/api'): ApiGroup {
  const versions = isObject(doc) ? strings(doc.versions) : [];
  if (!isObject(doc) || doc.kind !== 'APIVersions' || !versions.length) throw new DiscoveryShapeError(path, 'an APIVersions list');
  return { name: '', preferredVersion: versions[0]!, versions };
}

/** `GET /apis` in the per-group form (APIGroupList): the groups in the server's order. */
export function parseGroupList(doc: unknown, path = '/apis'): ApiGroup[] {
  if (!isObject(doc) || doc.kind !== 'APIGroupList' || !Array.isArray(doc.groups)) throw new DiscoveryShapeError(path, 'an APIGroupList');
  const out: ApiGroup[] = [];
  for (const g of doc.groups) {
    const name = isObject(g) ? str(g.name) : undefined;
    if (!isObject(g) || !name) continue;
    const versions = arr(g.versions).map((v) => (isObject(v) ? str(v.version) : undefined)).filter((v): v is string => !!v);
    if (!versions.length) continue;
    const preferred = str(isObject(g.preferredVersion) ? g.preferredVersion.version : undefined);
    out.push({ name, preferredVersion: preferred && versions.includes(preferred) ? preferred : versions[0]!, versions });
  }
  return out;
}

/** One group version's APIResourceList (`/api/v1`, `/apis/apps/v1`): its resources, subresources left out. */
export function parseResourceList(doc: unknown, group: string, version: string, path: string): ApiResource[] {
  if (!isObject(doc) || doc.kind !== 'APIResourceList' || !Array.isArray(doc.resources)) throw new DiscoveryShapeError(path, 'an APIResourceList');
  const out: ApiResource[] = [];
  // `configwatchers/status` is the status subresource of `configwatchers`.
  const subs = new Map<string, string[]>();
  for (const r of doc.resources) {
    const name = isObject(r) ? str(r.name) : undefined;
    const slash = name?.indexOf('/') ?? -1;
    if (name && slash > 0) subs.set(name.slice(0, slash), [...(subs.get(name.slice(0, slash)) ?? []), name.slice(slash + 1)]);
  }
  for (const r of doc.resources) {
    const name = isObject(r) ? str(r.name) : undefined;
    const kind = isObject(r) ? str(r.kind) : undefined;
    if (!isObject(r) || !name || !kind || name.includes('/')) continue;
    out.push(apiResource({
      subresources: subs.get(name),
      group, version, resource: name, kind,
      singular: str(r.singularName),
      shortNames: strings(r.shortNames),
      namespaced: r.namespaced === true,
      verbs: strings(r.verbs),
    }));
  }
  return out;
}

/** Parts of discovery (core, then the groups) as one set, in order. */
export function mergeDiscovered(parts: readonly DiscoveredResources[]): DiscoveredResources {
  return {
    groups: parts.flatMap((p) => p.groups),
    resources: parts.flatMap((p) => p.resources),
    failed: parts.flatMap((p) => p.failed),
  };
}
