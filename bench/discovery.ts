/**
 * The bench server's discovery documents for the kinds it serves
 * (bench/kinds.ts), in the API's shapes:
 *
 * - aggregated (`apidiscovery.k8s.io/v2` APIGroupDiscoveryList) for `/api`
 *   and `/apis` when the Accept header asks for it, with that media type as
 *   the response's Content-Type (client-go, so kubectl, decides by it);
 * - otherwise the per-group form: APIVersions (`/api`), APIGroupList
 *   (`/apis`), and an APIResourceList for `/api/v1` and `/apis/<g>/<v>`.
 */
import { KINDS, type BenchKind } from './kinds.js';

export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const kinds = (): BenchKind[] => Object.values(KINDS);
const inGroup = (group: string) => kinds().filter((k) => k.group === group);
const groupNames = () => [...new Set(kinds().map((k) => k.group).filter((g) => g !== ''))];

/** True when the Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /(^|,)\s*application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/.test(accept);
}

function aggregatedGroup(group: string): unknown {
  return {
    metadata: { ...(group ? { name: group } : {}), creationTimestamp: null },
    versions: [{
      version: 'v1',
      resources: inGroup(group).map((k) => ({
        resource: k.resource,
        responseKind: { group: k.group, version: k.version, kind: k.kind },
        scope: 'Namespaced',
        singularResource: k.singular,
        verbs: VERBS,
        ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      })),
      freshness: 'Current',
    }],
  };
}

/** `GET /api` or `GET /apis` in the aggregated form. */
export function aggregated(root: '/api' | '/apis'): string {
  const items = root === '/api' ? [aggregatedGroup('')] : groupNames().map(aggregatedGroup);
  return JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items });
}

export function coreVersions(host: string): string {
  return JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] });
}

export function groupList(): string {
  const groups = groupNames().map((name) => {
    const gv = { groupVersion: `${name}/v1`, version: 'v1' };
    return { name, versions: [gv], preferredVersion: gv };
  });
  return JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups });
}

/** The APIResourceList at `path` (`/api/v1`, `/apis/<g>/v1`), or undefined when there is none. */
export function resourceList(path: string): string | undefined {
  const group = path === '/api/v1' ? '' : /^\/apis\/([^/]+)\/v1$/.exec(path)?.[1];
  if (group === undefined || !inGroup(group).length) return undefined;
  return JSON.stringify({
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1',
    resources: inGroup(group).map((k) => ({
      name: k.resource, singularName: k.singular, namespaced: true, kind: k.kind, verbs: VERBS,
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
    })),
  });
}
