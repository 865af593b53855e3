/**
 * Golden content hashes: fixed objects, their content texts and their
 * fingerprints (the value handlers get as CMWATCH_CONTENT_HASH and may
 * store). These must never change: a change here breaks every stored hash.
 * The ConfigMap value is the one cmwatch computed before content functions
 * existed (checked against that build); all hashes were checked with an
 * independent SHA-256 (Python's hashlib) over the texts below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapContent, contentFor } from '../../../src/watch/content.js';
import { contentPaths } from '../../../src/watch/content-paths.js';
import { objectContent } from '../../../src/watch/content-object.js';
import { fingerprint } from '../../../src/watch/fingerprint.js';
import type { ContentFunction } from '../../../src/watch/content.js';
import type { K8sObject } from '../../../src/api/types.js';

const configMap: K8sObject = {
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '42', annotations: { 'k8spatterns.io/podDeleteSelector': 'app=web' } },
  data: { 'b.txt': 'two', 'a.txt': 'one' }, binaryData: { 'logo.png': 'iVBORw0K' },
};
const configWatcher: K8sObject = {
  apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher',
  metadata: { name: 'cw', namespace: 'default', generation: 3, resourceVersion: '7', labels: { app: 'web' }, annotations: { note: 'é' } },
  spec: { configMap: 'web', podSelector: { app: 'web' } }, status: { ok: true },
};
const service: K8sObject = {
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '9', managedFields: [{ manager: 'kubectl' }] },
  spec: { ports: [{ port: 80, name: 'http' }], selector: { app: 'web' } }, status: { loadBalancer: {} },
};
const thing: K8sObject = {
  kind: 'Thing',
  metadata: { name: 'x', resourceVersion: '5', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  b: [1.5, true, null, -0, 1e21], a: '😀', status: { x: 1 },
};

const golden: Array<[string, ContentFunction, K8sObject, string, string]> = [
  ['ConfigMap with a selector annotation', configMapContent(['k8spatterns.io/podDeleteSelector']), configMap,
    'd5:a.txt=3:one5:b.txt=3:two|b8:logo.png=8:iVBORw0K|a32:k8spatterns.io/podDeleteSelector=7:app=web', 'ISAEHbJTZNHSqN9Tjpn/Mm'],
  ['empty ConfigMap', configMapContent([]), { kind: 'ConfigMap', metadata: { name: 'e' } }, 'd|b', 'ihhMQ3QGnqNc4s1G0XHUqA'],
  ['CR with a generation', contentFor({ group: 'k8spatterns.com', resource: 'configwatchers', kind: 'ConfigWatcher' }), configWatcher,
    'g~1:3|l{1:3:app=3:web|a{1:4:note=1:é', 'FfnaRuDmkQW2SoGbNgH6Yz'],
  ['Service (whole object)', contentFor({ group: '', resource: 'services', kind: 'Service' }), service,
    'o{4:10:apiVersion=2:v14:kind=7:Service8:metadata{3:4:name=3:web9:namespace=7:default3:uid=3:u-14:spec{2:5:ports[1:{2:4:name=4:http4:port~2:808:selector{1:3:app=3:web',
    'ViZozrn8RzXnt2Gfc3sFU9'],
  ['whole object: numbers, booleans, null, a surrogate pair', objectContent, thing,
    'o{4:1:a=2:😀1:b[5:~3:1.5~4:true~4:null~1:0~5:1e+214:kind=5:Thing8:metadata{1:4:name=1:x', '0L7myPt2kP1x4H+ebeikYE'],
  ['content paths', contentPaths('.spec.configMap,.metadata.labels,.spec.missing,.status.ok'), configWatcher,
    'p4:[2:=4:spec=9:configMap=3:web[2:=8:metadata=6:labels{1:3:app=3:web[2:=4:spec=7:missing-[2:=6:status=2:ok~4:true', 'wE9jLX2Z6faUz3zDGiDPxA'],
];

for (const [what, content, obj, text, hash] of golden) {
  test(`golden content hash: ${what}`, () => {
    assert.equal(content(obj), text);
    assert.equal(fingerprint(text), hash);
    assert.match(hash, /^[A-Za-z0-9+/]{22}$/);
  });
}

test('golden content hash: the object as JSON from another process (other key order, reparsed) hashes the same', () => {
  const reparsed = JSON.parse(JSON.stringify({ status: service['status'], spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] }, metadata: service.metadata, kind: 'Service', apiVersion: 'v1' })) as K8sObject;
  assert.equal(fingerprint(objectContent(reparsed)), 'ViZozrn8RzXnt2Gfc3sFU9');
});
