/**
 * Discovery documents in the shapes kube-apiserver serves (apidiscovery.k8s.io
 * v2 aggregated lists, and the per-group APIVersions / APIGroupList /
 * APIResourceList), trimmed to a few resources, written for the tests.
 */

export const aggregatedCore = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  metadata: {},
  items: [{
    metadata: { creationTimestamp: null },
    versions: [{
      version: 'v1',
      freshness: 'Current',
      resources: [
        {
          resource: 'configmaps', responseKind: { group: '', version: 'v1', kind: 'ConfigMap' }, scope: 'Namespaced',
          singularResource: 'configmap', shortNames: ['cm'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        },
        {
          resource: 'pods', responseKind: { group: '', version: 'v1', kind: 'Pod' }, scope: 'Namespaced', singularResource: 'pod',
          shortNames: ['po'], categories: ['all'], verbs: ['get', 'list', 'watch'],
          subresources: [{ subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] }],
        },
        {
          resource: 'namespaces', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, scope: 'Cluster',
          singularResource: 'namespace', shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        },
      ],
    }],
  }],
};

export const aggregatedGroups = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  metadata: {},
  items: [
    {
      metadata: { name: 'apps', creationTimestamp: null },
      versions: [{
        version: 'v1', freshness: 'Current',
        resources: [{
          resource: 'deployments', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, scope: 'Namespaced',
          singularResource: 'deployment', shortNames: ['deploy'], categories: ['all'], verbs: ['get', 'list', 'watch'],
          subresources: [{ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] }],
        }],
      }],
    },
    {
      metadata: { name: 'autoscaling', creationTimestamp: null },
      versions: [
        { version: 'v2', freshness: 'Current', resources: [{ resource: 'horizontalpodautoscalers', responseKind: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }, scope: 'Namespaced', singularResource: 'horizontalpodautoscaler', shortNames: ['hpa'], verbs: ['list', 'watch'] }] },
        { version: 'v1', freshness: 'Current', resources: [{ resource: 'horizontalpodautoscalers', responseKind: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }, scope: 'Namespaced', singularResource: 'horizontalpodautoscaler', shortNames: ['hpa'], verbs: ['list', 'watch'] }] },
      ],
    },
    {
      metadata: { name: 'metrics.k8s.io', creationTimestamp: null },
      versions: [{ version: 'v1beta1', freshness: 'Stale' }],
    },
    {
      metadata: { name: 'k8spatterns.com', creationTimestamp: null },
      versions: [{
        version: 'v1', freshness: 'Current',
        resources: [{
          resource: 'configwatchers', responseKind: { group: 'k8spatterns.com', version: 'v1', kind: 'ConfigWatcher' }, scope: 'Namespaced',
          singularResource: 'configwatcher', shortNames: ['cw'], categories: ['all'], verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
          subresources: [{ subresource: 'status', responseKind: { group: 'k8spatterns.com', version: 'v1', kind: 'ConfigWatcher' }, verbs: ['get', 'patch', 'update'] }],
        }],
      }],
    },
  ],
};

export const legacyApi = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] };

export const legacyCoreV1 = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['cm'], storageVersionHash: 'qFsyl6wFWjQ=' },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'] },
  ],
};

export const legacyApis = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
    {
      name: 'autoscaling',
      versions: [{ groupVersion: 'autoscaling/v2', version: 'v2' }, { groupVersion: 'autoscaling/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
    },
    { name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } },
    { name: 'k8spatterns.com', versions: [{ groupVersion: 'k8spatterns.com/v1', version: 'v1' }], preferredVersion: { groupVersion: 'k8spatterns.com/v1', version: 'v1' } },
  ],
};

const hpa = (v: string) => ({
  kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `autoscaling/${v}`,
  resources: [{ name: 'horizontalpodautoscalers', singularName: 'horizontalpodautoscaler', namespaced: true, kind: 'HorizontalPodAutoscaler', verbs: ['list', 'watch'], shortNames: ['hpa'] }],
});

/** The per-group documents by path; metrics.k8s.io is absent (its aggregated API is down: 503). */
export const legacyGroupVersions: Record<string, unknown> = {
  '/apis/apps/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1',
    resources: [
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'watch'], shortNames: ['deploy'], categories: ['all'] },
      { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    ],
  },
  '/apis/autoscaling/v2': hpa('v2'),
  '/apis/autoscaling/v1': hpa('v1'),
  '/apis/k8spatterns.com/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'k8spatterns.com/v1',
    resources: [
      { name: 'configwatchers', singularName: 'configwatcher', namespaced: true, kind: 'ConfigWatcher', verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'], shortNames: ['cw'], categories: ['all'] },
      { name: 'configwatchers/status', singularName: '', namespaced: true, kind: 'ConfigWatcher', verbs: ['get', 'patch', 'update'] },
    ],
  },
};
