/**
 * The content rules (what counts as a change), through the ChangeDetector
 * the reflector and replay use: the default for each kind of resource, the
 * bookkeeping that never counts, and content by field paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeDetector } from '../../../src/watch/change-detector.js';
import { configMapContent, contentFor, type ContentFunction } from '../../../src/watch/content.js';
import { contentPaths } from '../../../src/watch/content-paths.js';
import { generationContent, objectContent, IGNORED_ANNOTATIONS } from '../../../src/watch/content-object.js';
import { canonicalText } from '../../../src/watch/canonical.js';
import type { K8sObject } from '../../../src/api/types.js';

const CW = { group: 'k8spatterns.com', resource: 'configwatchers', kind: 'ConfigWatcher' };
const SVC = { group: '', resource: 'services', kind: 'Service' };
const SEL = 'k8spatterns.io/podDeleteSelector';

let rv = 100;
/** The object with a new resource version, changed by `edit` (a deep copy; the original stays). */
function next(obj: K8sObject, edit: (o: any) => void = () => {}): K8sObject {
  const o = structuredClone(obj) as any;
  o.metadata.resourceVersion = String(++rv);
  edit(o);
  return o;
}

/** Whether `after` is delivered after `before`, under `content`. */
function changed(content: ContentFunction, before: K8sObject, after: K8sObject): boolean {
  const d = new ChangeDetector({ content });
  d.remember('k', before);
  const r = d.event('MODIFIED', 'k', after);
  if ('deliver' in r) return true;
  assert.equal(r.skip, 'unchanged');
  return false;
}

const cr: K8sObject = {
  apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher',
  metadata: { name: 'w', namespace: 'default', uid: 'u1', resourceVersion: '1', generation: 1, labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { configMap: 'web-config', podSelector: { app: 'web' } },
};
const svc: K8sObject = {
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 's', namespace: 'default', uid: 'u2', resourceVersion: '1', managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
};

test('generation object: a status-only update (as an operator writes it through /status) is not a change', () => {
  const c = contentFor(CW);
  assert.equal(changed(c, cr, next(cr, (o) => { o.status = { observedGeneration: 1, ok: true }; })), false);
  const withStatus = next(cr, (o) => { o.status = { ok: true }; });
  assert.equal(changed(c, withStatus, next(withStatus, (o) => { o.status.ok = false; o.metadata.managedFields = [{ manager: 'op' }]; })), false);
});

test('generation object: a spec change (the server bumps the generation) is a change', () => {
  assert.equal(changed(contentFor(CW), cr, next(cr, (o) => { o.spec.configMap = 'other'; o.metadata.generation = 2; })), true);
});

test('generation object: a label or an annotation change is a change; a finalizer is not', () => {
  const c = contentFor(CW);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.labels.tier = 'web'; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { delete o.metadata.labels; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.annotations.team = 'b'; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.annotations[SEL] = 'app=web'; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.finalizers = ['k8spatterns.com/cleanup']; })), false);
});

test('generation object: bookkeeping annotations (last-applied-configuration, deployment revision) do not count', () => {
  const c = contentFor(CW);
  for (const a of IGNORED_ANNOTATIONS) {
    assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.annotations[a] = '{"x":1}'; })), false, a);
    assert.equal(changed(contentFor(SVC), svc, next(svc, (o) => { o.metadata.annotations = { [a]: '2' }; })), false, a);
  }
});

test('generation object: no labels and an empty label map are the same content', () => {
  const bare = next(cr, (o) => { delete o.metadata.labels; delete o.metadata.annotations; });
  assert.equal(changed(contentFor(CW), bare, next(bare, (o) => { o.metadata.labels = {}; o.metadata.annotations = {}; })), false);
});

test('generic object: resourceVersion, managedFields and status changes are not changes', () => {
  const c = contentFor(SVC);
  assert.equal(changed(c, svc, next(svc)), false);
  assert.equal(changed(c, svc, next(svc, (o) => { o.metadata.managedFields.push({ manager: 'other' }); })), false);
  assert.equal(changed(c, svc, next(svc, (o) => { o.status = { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } }; })), false);
});

test('generic object: any other field is a change (spec, metadata, a field of its own)', () => {
  const c = contentFor(SVC);
  assert.equal(changed(c, svc, next(svc, (o) => { o.spec.ports[0].port = 81; })), true);
  assert.equal(changed(c, svc, next(svc, (o) => { o.spec.ports.push({ port: 443 }); })), true);
  assert.equal(changed(c, svc, next(svc, (o) => { o.metadata.labels = { a: 'b' }; })), true);
  assert.equal(changed(c, svc, next(svc, (o) => { o.metadata.ownerReferences = [{ uid: 'x' }]; })), true);
  assert.equal(changed(c, svc, next(svc, (o) => { o.subsets = []; })), true);
  assert.equal(changed(c, svc, next(svc, (o) => { o.spec.selector.app = null; })), true);
});

test('generic object: key order, as another process or machine would send it, does not matter', () => {
  const reordered: K8sObject = {
    spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
    metadata: { resourceVersion: '9', uid: 'u2', namespace: 'default', name: 's' },
    kind: 'Service', apiVersion: 'v1',
  };
  assert.equal(objectContent(reordered), objectContent(svc));
  // Array order is content.
  const two = next(svc, (o) => { o.spec.ports = [{ port: 80 }, { port: 443 }]; });
  assert.equal(changed(contentFor(SVC), two, next(two, (o) => { o.spec.ports.reverse(); })), true);
});

test('contentFor: core ConfigMaps and Secrets use the data content; the choice of the rest is per object', () => {
  const sel = [SEL];
  const cm: K8sObject = { kind: 'ConfigMap', metadata: { name: 'c', annotations: { [SEL]: 'app=web' } }, data: { a: '1' } };
  for (const resource of ['configmaps', 'secrets']) {
    const kind = resource === 'configmaps' ? 'ConfigMap' : 'Secret';
    assert.equal(contentFor({ group: '', resource, kind }, { selectorAnnotations: sel })(cm), configMapContent(sel)(cm));
  }
  // A grouped resource named configmaps is not the core one.
  assert.equal(contentFor({ group: 'example.com', resource: 'configmaps', kind: 'ConfigMap' })(cm), objectContent(cm));
  const c = contentFor(CW);
  assert.equal(c(cr), generationContent(cr));
  const noGen = next(cr, (o) => { delete o.metadata.generation; });
  assert.equal(c(noGen), objectContent(noGen));
  assert.equal(contentFor(SVC)(cr), generationContent(cr));
});

test('Secrets: data and binaryData count, as for ConfigMaps; a label does not', () => {
  const c = contentFor({ group: '', resource: 'secrets', kind: 'Secret' });
  const s: K8sObject = { kind: 'Secret', metadata: { name: 'db', resourceVersion: '1' }, data: { password: 'czNjcmV0' }, type: 'Opaque' };
  assert.equal(changed(c, s, next(s, (o) => { o.data.password = 'b3RoZXI='; })), true);
  assert.equal(changed(c, s, next(s, (o) => { o.binaryData = { k: 'AA==' }; })), true);
  assert.equal(changed(c, s, next(s, (o) => { o.metadata.labels = { a: 'b' }; })), false);
});

test('content paths: only the fields named count', () => {
  const c = contentPaths('.spec.configMap, .metadata.labels');
  assert.equal(changed(c, cr, next(cr, (o) => { o.spec.configMap = 'x'; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.labels.tier = 'x'; })), true);
  assert.equal(changed(c, cr, next(cr, (o) => { o.spec.podSelector = { app: 'x' }; o.metadata.generation = 2; })), false);
  assert.equal(changed(c, cr, next(cr, (o) => { o.metadata.annotations.team = 'b'; o.status = { ok: 1 }; })), false);
});

test('content paths: .data.key and a quoted key select one key of a ConfigMap', () => {
  const cm: K8sObject = { kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '1' }, data: { key: 'v', 'app.properties': 'p=1', other: 'o' } };
  const c = contentPaths('.data.key,.data["app.properties"]');
  assert.equal(changed(c, cm, next(cm, (o) => { o.data.other = 'changed'; })), false);
  assert.equal(changed(c, cm, next(cm, (o) => { o.data.key = 'w'; })), true);
  assert.equal(changed(c, cm, next(cm, (o) => { o.data['app.properties'] = 'p=2'; })), true);
});

test('content paths: a missing field is absent, which is not null; an index reads an array', () => {
  const c = contentPaths('.spec.missing');
  assert.notEqual(c(cr), c(next(cr, (o) => { o.spec.missing = null; })));
  assert.equal(c(cr), c(next(cr, (o) => { delete o.spec.missing; })));
  const idx = contentPaths('.spec.ports[0].port');
  assert.equal(changed(idx, svc, next(svc, (o) => { o.spec.ports.push({ port: 443 }); })), false);
  assert.equal(changed(idx, svc, next(svc, (o) => { o.spec.ports[0].port = 8080; })), true);
  assert.equal(changed(idx, svc, next(svc, (o) => { o.spec.ports = []; })), true);
  // A step into a string or past the end is absent too.
  assert.ok(contentPaths('.spec.configMap.x')(cr).endsWith('=1:x-'));
  assert.ok(contentPaths('.spec.podSelector[0]')(cr).endsWith('~1:0-'));
  assert.ok(contentPaths('.spec.configMap')(cr).endsWith('=10:web-config'));
});

test('content paths: the same paths written two ways are the same content; . is the whole object', () => {
  assert.equal(contentPaths('.data.key')(cr), contentPaths('.data["key"]')(cr));
  assert.equal(contentPaths('.data."key", .data.key')(cr), contentPaths('.data.key')(cr));
  const whole = contentPaths('.');
  assert.equal(changed(whole, svc, next(svc)), true);
  assert.ok(whole(svc).endsWith(canonicalText(svc)));
});

test('the content texts of different rules never coincide (each has its own tag)', () => {
  const empty: K8sObject = {};
  const texts = [configMapContent([])(empty), generationContent(empty), objectContent(empty), contentPaths('.')(empty)];
  assert.equal(new Set(texts.map((t) => t[0])).size, texts.length);
});

test('memory: the detector keeps no reference to the object (a later mutation changes nothing)', () => {
  const d = new ChangeDetector({ content: contentFor(SVC) });
  const o = structuredClone(svc) as any;
  d.remember('k', o);
  o.spec.ports[0].port = 9999;
  assert.deepEqual(d.event('MODIFIED', 'k', next(svc)), { skip: 'unchanged' });
});
