/**
 * Resolving a RESOURCE as kubectl does, on a discovered set written by hand:
 * every form, the version rules, ambiguity, and each failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiResource, type ApiGroup, type ApiResource, type DiscoveredResources } from '../../../src/api/resource.js';
import { resolveResourceName, readingsOf, type Resolution } from '../../../src/api/resource-name.js';
import { oneLine } from '../../../src/base/errors.js';

const RW = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const r = (group: string, version: string, resource: string, kind: string, more: Partial<Parameters<typeof apiResource>[0]> = {}): ApiResource =>
  apiResource({ group, version, resource, kind, namespaced: true, verbs: RW, ...more });

const groups: ApiGroup[] = [
  { name: '', preferredVersion: 'v1', versions: ['v1'] },
  { name: 'apps', preferredVersion: 'v1', versions: ['v1'] },
  { name: 'events.k8s.io', preferredVersion: 'v1', versions: ['v1'] },
  { name: 'autoscaling', preferredVersion: 'v2', versions: ['v2', 'v1'] },
  { name: 'k8spatterns.com', preferredVersion: 'v1', versions: ['v1', 'v1beta1'] },
  { name: 'example.org', preferredVersion: 'v1', versions: ['v1'] },
  { name: 'a.example', preferredVersion: 'v1', versions: ['v1'] },
  { name: 'b.example', preferredVersion: 'v1', versions: ['v1'] },
];
const resources: ApiResource[] = [
  r('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  r('', 'v1', 'services', 'Service', { shortNames: ['svc'] }),
  r('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  r('', 'v1', 'namespaces', 'Namespace', { shortNames: ['ns'], namespaced: false }),
  r('', 'v1', 'componentstatuses', 'ComponentStatus', { shortNames: ['cs'], namespaced: false, verbs: ['get', 'list'] }),
  r('', 'v1', 'bindings', 'Binding', { verbs: ['create'] }),
  r('apps', 'v1', 'deployments', 'Deployment', { shortNames: ['deploy'] }),
  r('events.k8s.io', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  r('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { shortNames: ['hpa'] }),
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { shortNames: ['hpa'] }),
  // The older version listed first: the preferred version comes from the group, not the order of resources.
  r('k8spatterns.com', 'v1beta1', 'configwatchers', 'ConfigWatcher', { shortNames: ['cw'] }),
  r('k8spatterns.com', 'v1', 'configwatchers', 'ConfigWatcher', { shortNames: ['cw'] }),
  r('k8spatterns.com', 'v1beta1', 'oldwatchers', 'OldWatcher'),
  r('example.org', 'v1', 'clusterwatchers', 'ClusterWatcher', { shortNames: ['cw'], namespaced: false }),
  r('example.org', 'v1', 'foos', 'FooThing', { singular: 'foo' }),
  r('a.example', 'v1', 'widgets', 'Widget'),
  r('b.example', 'v1', 'widgets', 'Widget'),
];
const set: DiscoveredResources = { groups, resources, failed: [] };

function resolved(res: Resolution) {
  assert.equal(res.status, 'resolved', JSON.stringify(res));
  if (res.status !== 'resolved') throw new Error('unreachable');
  return { canonical: res.resource.canonical, version: res.resource.version, form: res.form };
}

const forms: Array<[string, string, string, string]> = [
  ['configmaps', 'configmaps', 'v1', 'plural'],
  ['configmap', 'configmaps', 'v1', 'singular'],
  ['cm', 'configmaps', 'v1', 'short name'],
  ['ConfigMap', 'configmaps', 'v1', 'singular'],
  ['CONFIGMAPS', 'configmaps', 'v1', 'plural'],
  ['svc', 'services', 'v1', 'short name'],
  ['deploy', 'deployments.apps', 'v1', 'short name'],
  ['deployments.apps', 'deployments.apps', 'v1', 'plural'],
  ['deploy.apps', 'deployments.apps', 'v1', 'short name'],
  ['deployments.v1.apps', 'deployments.apps', 'v1', 'plural'],
  ['Deployment.v1.apps', 'deployments.apps', 'v1', 'singular'],
  ['Deployment.apps', 'deployments.apps', 'v1', 'singular'],
  ['cw.k8spatterns.com', 'configwatchers.k8spatterns.com', 'v1', 'short name'],
  ['configwatchers.k8spatterns.com', 'configwatchers.k8spatterns.com', 'v1', 'plural'],
  ['configwatcher', 'configwatchers.k8spatterns.com', 'v1', 'singular'],
  ['ConfigWatcher', 'configwatchers.k8spatterns.com', 'v1', 'singular'],
  ['configwatchers.v1beta1.k8spatterns.com', 'configwatchers.k8spatterns.com', 'v1beta1', 'plural'],
  ['ConfigWatcher.v1beta1.k8spatterns.com', 'configwatchers.k8spatterns.com', 'v1beta1', 'singular'],
  // A Kind that is not the singular: matched as a Kind, case-insensitive, bare or kind.version.group.
  ['FooThing', 'foos.example.org', 'v1', 'kind'],
  ['foothing', 'foos.example.org', 'v1', 'kind'],
  ['FooThing.v1.example.org', 'foos.example.org', 'v1', 'kind'],
  ['FooThing.example.org', 'foos.example.org', 'v1', 'kind'],
  ['foo', 'foos.example.org', 'v1', 'singular'],
  // kubectl's group prefixing, when nothing matches the written group exactly.
  ['hpa.autoscal', 'horizontalpodautoscalers.autoscaling', 'v2', 'short name'],
  ['deployments.app', 'deployments.apps', 'v1', 'plural'],
  ['foo.example', 'foos.example.org', 'v1', 'singular'],
  ['FooThing.example', 'foos.example.org', 'v1', 'kind'],
  ['namespaces', 'namespaces', 'v1', 'plural'],
];
for (const [name, canonical, version, form] of forms) {
  test(`resolves ${name} → ${canonical} ${version} (${form})`, () => {
    assert.deepEqual(resolved(resolveResourceName(set, name)), { canonical, version, form });
  });
}

test('the preferred version unless one is given; a resource only in another version gets that version', () => {
  assert.equal(resolved(resolveResourceName(set, 'hpa')).version, 'v2');
  assert.equal(resolved(resolveResourceName(set, 'horizontalpodautoscalers.v1.autoscaling')).version, 'v1');
  assert.equal(resolved(resolveResourceName(set, 'oldwatchers')).version, 'v1beta1');
});

test('a core match wins over another group (events is the core Event); the other is reached by plural.group', () => {
  assert.equal(resolved(resolveResourceName(set, 'events')).canonical, 'events');
  assert.equal(resolved(resolveResourceName(set, 'ev')).canonical, 'events');
  assert.equal(resolved(resolveResourceName(set, 'Event')).canonical, 'events');
  assert.equal(resolved(resolveResourceName(set, 'events.events.k8s.io')).canonical, 'events.events.k8s.io');
});

test('a short name in two groups is ambiguous: both candidates as plural.group, in the server\'s group order', () => {
  assert.throws(() => resolveResourceName(set, 'cw'), (err: any) => {
    assert.equal(err.code, 'E_RESOURCE_AMBIGUOUS');
    assert.deepEqual(err.candidates, ['configwatchers.k8spatterns.com', 'clusterwatchers.example.org']);
    assert.equal(oneLine(err), 'resource name cw is ambiguous on this server: it names configwatchers.k8spatterns.com, clusterwatchers.example.org (hint: name one of them as plural.group, e.g. configwatchers.k8spatterns.com)');
    return true;
  });
  assert.equal(resolved(resolveResourceName(set, 'clusterwatchers.example.org')).canonical, 'clusterwatchers.example.org');
  assert.equal(resolved(resolveResourceName(set, 'cw.example.org')).canonical, 'clusterwatchers.example.org');
});

test('a plural in two non-core groups is ambiguous; each plural.group resolves', () => {
  assert.throws(() => resolveResourceName(set, 'widgets'), (err: any) => err.code === 'E_RESOURCE_AMBIGUOUS' && err.candidates.join() === 'widgets.a.example,widgets.b.example');
  assert.throws(() => resolveResourceName(set, 'Widget'), { code: 'E_RESOURCE_AMBIGUOUS' });
  assert.equal(resolved(resolveResourceName(set, 'widgets.a.example')).canonical, 'widgets.a.example');
  assert.equal(resolved(resolveResourceName(set, 'widgets.b.example')).canonical, 'widgets.b.example');
});

test('one group serving a resource in two versions is not ambiguous', () => {
  assert.equal(resolved(resolveResourceName(set, 'horizontalpodautoscalers')).canonical, 'horizontalpodautoscalers.autoscaling');
});

test('an exact plural or singular is never expanded as a short name (kubectl\'s shortcut expander); an exact group beats a prefix', () => {
  const withDeploy: DiscoveredResources = {
    groups: [...groups, { name: 'odd.example', preferredVersion: 'v1', versions: ['v1'] }],
    resources: [...resources, r('odd.example', 'v1', 'deploy', 'Deploy')],
    failed: [],
  };
  assert.deepEqual(resolved(resolveResourceName(withDeploy, 'deploy')), { canonical: 'deploy.odd.example', version: 'v1', form: 'plural' });
  const prefixes: DiscoveredResources = {
    groups: [...groups, { name: 'a', preferredVersion: 'v1', versions: ['v1'] }],
    resources: [...resources, r('a', 'v1', 'widgets', 'Widget')],
    failed: [],
  };
  assert.equal(resolved(resolveResourceName(prefixes, 'widgets.a')).canonical, 'widgets.a');
  assert.equal(resolved(resolveResourceName(set, 'widgets.a')).canonical, 'widgets.a.example', 'without group a, the prefix');
});

test('a resource without list or watch is not watchable', () => {
  assert.throws(() => resolveResourceName(set, 'cs'), (err: any) => {
    assert.equal(err.code, 'E_RESOURCE_NOT_WATCHABLE');
    assert.deepEqual(err.missingVerbs, ['watch']);
    assert.match(err.message, /^resource componentstatuses \(named cs\) cannot be watched: it does not support watch$/);
    return true;
  });
  assert.throws(() => resolveResourceName(set, 'bindings'), (err: any) => err.code === 'E_RESOURCE_NOT_WATCHABLE' && /does not support list or watch/.test(err.message));
});

test('an unknown name: "no resource X on this server" with the api-resources hint', () => {
  for (const name of ['nosuch', 'cmx', 'Foo_Bar.example.org', 'UPPER.Example.ORG']) {
    assert.throws(() => resolveResourceName(set, name), (err: any) => {
      assert.equal(err.code, 'E_RESOURCE_UNKNOWN');
      assert.equal(oneLine(err), `no resource ${name} on this server (hint: \`kubectl api-resources\` lists them)`);
      return true;
    });
  }
});

test('a fully-qualified name nothing serves yet is "not yet served", not an error', () => {
  const empty: DiscoveredResources = { groups: groups.slice(0, 1), resources: resources.slice(0, 3), failed: [] };
  assert.deepEqual(resolveResourceName(empty, 'configwatchers.k8spatterns.com'),
    { status: 'not-served', name: 'configwatchers.k8spatterns.com', resource: 'configwatchers', group: 'k8spatterns.com' });
  assert.deepEqual(resolveResourceName(empty, 'deployments.v1.apps'),
    { status: 'not-served', name: 'deployments.v1.apps', resource: 'deployments', group: 'v1.apps' });
  // A version nothing serves, and a group nothing starts with, are waited for too.
  assert.equal(resolveResourceName(set, 'deployments.v2.apps').status, 'not-served');
  assert.equal(resolveResourceName(set, 'deployments.appz').status, 'not-served');
  // Unqualified names are never waited for.
  assert.throws(() => resolveResourceName(empty, 'cw'), { code: 'E_RESOURCE_UNKNOWN' });
});

test('an empty name, or one with a slash or a space, is bad input', () => {
  for (const name of ['', ' ', 'configmaps/x', 'config maps']) {
    assert.throws(() => resolveResourceName(set, name), { code: 'E_USAGE' });
  }
});

test('readings follow kubectl\'s ParseResourceArg: resource.version.group first, then resource.group at the first dot', () => {
  assert.deepEqual(readingsOf('cm'), [{ resource: 'cm' }]);
  assert.deepEqual(readingsOf('deployments.apps'), [{ resource: 'deployments', group: 'apps' }]);
  assert.deepEqual(readingsOf('configwatchers.k8spatterns.com'), [
    { resource: 'configwatchers', version: 'k8spatterns', group: 'com' },
    { resource: 'configwatchers', group: 'k8spatterns.com' },
  ]);
});
