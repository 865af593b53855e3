/**
 * The resource model discovery yields: an API group with its versions, and
 * an APIResource (one resource in one group version). Pure data, no I/O:
 * src/kube/discovery.ts fills it from the server, src/api/resource-name.ts
 * resolves a user's RESOURCE against it.
 */

export interface GroupVersionResource {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural, e.g. `configmaps`. */
  readonly resource: string;
}

export interface ApiResource extends GroupVersionResource {
  readonly singular: string;
  readonly kind: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** `plural` for the core group, else `plural.group`: `configmaps`, `deployments.apps`. */
  readonly canonical: string;
  /** Its subresources (`status`, `scale`, ...), when discovery lists any; absent: none. */
  readonly subresources?: readonly string[];
}

/** A served API group: its versions in the server's order of preference. */
export interface ApiGroup {
  /** "" for the core group. */
  readonly name: string;
  readonly preferredVersion: string;
  readonly versions: readonly string[];
}

/** A group version discovery could not read (an aggregated API that is down, a stale entry). */
export interface FailedGroupVersion {
  readonly groupVersion: string;
  readonly message: string;
}

/** What discovery found: groups in the server's priority order (core first), and every resource of every version. */
export interface DiscoveredResources {
  readonly groups: readonly ApiGroup[];
  readonly resources: readonly ApiResource[];
  readonly failed: readonly FailedGroupVersion[];
}

/** `plural` for the core group, else `plural.group`. */
export function canonicalName(r: { group: string; resource: string }): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/** The apiVersion of objects of this group version: `v1`, `apps/v1`. */
export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** cmwatch lists then watches: a resource needs both verbs. */
export const WATCH_VERBS = ['list', 'watch'] as const;

/** The verbs among list and watch that a resource lacks (empty: watchable). */
export function missingWatchVerbs(r: { verbs: readonly string[] }): string[] {
  return WATCH_VERBS.filter((v) => !r.verbs.includes(v));
}

/**
 * An ApiResource from its parts. A server that lists no singular (an old
 * one) gets the lower-case Kind, as kubectl's RESTMapper guesses it.
 */
export function apiResource(p: {
  group: string; version: string; resource: string; kind: string;
  singular?: string; shortNames?: readonly string[]; namespaced: boolean; verbs?: readonly string[];
  subresources?: readonly string[];
}): ApiResource {
  const r: ApiResource = {
    group: p.group,
    version: p.version,
    resource: p.resource,
    singular: p.singular ? p.singular : p.kind.toLowerCase(),
    kind: p.kind,
    shortNames: [...(p.shortNames ?? [])],
    namespaced: p.namespaced,
    verbs: [...(p.verbs ?? [])],
    canonical: canonicalName(p),
  };
  return p.subresources?.length ? { ...r, subresources: [...p.subresources] } : r;
}

/** True when discovery lists the subresource (e.g. `status`) for the resource. */
export function hasSubresource(r: ApiResource, sub: string): boolean {
  return r.subresources?.includes(sub) ?? false;
}

/**
 * The resource serving objects of this apiVersion and kind (kubectl's
 * RESTMapper, from the kind's side), or undefined.
 */
export function findByKind(d: DiscoveredResources, apiVersion: string, kind: string): ApiResource | undefined {
  return d.resources.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
}
