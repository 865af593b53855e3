import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkListedPod, isSkip, podListItems, ListShapeError } from '../../../src/handlers/actions/pod-list-check.js';
import { parseSelector, type Requirement } from '../../../src/api/label-selector.js';

const sel = (s: string): Requirement[] => {
  const r = parseSelector(s);
  assert.ok(r.ok);
  return r.requirements;
};
const item = (meta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ metadata: meta, ...extra });
const good = { name: 'web-1', namespace: 'ns', uid: 'u-1', labels: { app: 'web', tier: 'fe' } };

test('podListItems: the items of a pod list; anything else is a ListShapeError naming the URL', () => {
  assert.deepEqual(podListItems({ kind: 'PodList', items: [] }, 'u'), []);
  assert.deepEqual(podListItems({ items: [{ a: 1 }] }, 'u'), [{ a: 1 }]);
  for (const [body, why] of [
    [null, 'the body is null, not an object'], [[], 'the body is an array, not an object'], ['x', 'the body is string, not an object'],
    [{}, '"items" is undefined, not an array'], [{ items: null }, '"items" is null, not an array'], [{ items: {} }, '"items" is object, not an array'],
    [{ items: [{}, 3] }, 'item 1 is number, not an object'], [{ items: [[]] }, 'item 0 is an array, not an object'],
    [{ kind: 'ConfigMapList', items: [] }, 'its kind is "ConfigMapList", not "PodList"'],
  ] as const) {
    assert.throws(() => podListItems(body, 'http://h/api/v1/namespaces/ns/pods'), (e: unknown) => {
      assert.ok(e instanceof ListShapeError);
      assert.equal(e.code, 'E_LIST_SHAPE');
      assert.equal(e.message, `GET http://h/api/v1/namespaces/ns/pods: the answer is not a pod list: ${why}`);
      return true;
    }, JSON.stringify(body));
  }
});

test('checkListedPod: a pod of the namespace, matching, named and with a UID is acted on', () => {
  const seen = new Set<string>();
  assert.deepEqual(checkListedPod(item(good), 0, 'ns', sel('app=web'), seen), { name: 'web-1', uid: 'u-1' });
  assert.deepEqual(checkListedPod(item(good, { kind: 'Pod' }), 0, 'ns', sel('app in (web,api),tier!=be,!canary'), new Set()), { name: 'web-1', uid: 'u-1' });
  assert.ok(seen.has('web-1'));
});

test('checkListedPod: every lie is a skip with its reason', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [item({ ...good, name: undefined }), 'invalid_object_name', /item 3 has no valid metadata\.name \(no name\)/],
    [item({ ...good, name: 'Web_1' }), 'invalid_object_name', /"Web_1" \(not dot-separated/],
    [{ metadata: 'x' }, 'invalid_object_name', /no name/],
    [item({ ...good, uid: '' }), 'no_uid', /pod ns\/web-1 has no metadata\.uid/],
    [item({ ...good, uid: 7 }), 'no_uid', /no metadata\.uid/],
    [item({ ...good, namespace: 'other' }), 'server_inconsistency', /pod other\/web-1 is in namespace "other", not ns \(server inconsistency\)/],
    [item({ ...good, namespace: undefined }), 'server_inconsistency', /pod \?\/web-1 is in namespace null, not ns/],
    [item({ ...good, labels: { app: 'db' } }), 'server_inconsistency', /has labels \{"app":"db"\} that do not match the selector/],
    [item({ ...good, labels: 'app=web' }), 'server_inconsistency', /labels that are not a map of strings/],
    [item({ ...good, labels: { app: 1 } }), 'server_inconsistency', /labels that are not a map of strings/],
    [item(good, { kind: 'ConfigMap' }), 'server_inconsistency', /is of kind "ConfigMap", not Pod/],
  ];
  for (const [it, reason, why] of cases) {
    const v = checkListedPod(it, 3, 'ns', sel('app=web'), new Set());
    assert.ok(isSkip(v), JSON.stringify(it));
    assert.equal(v.reason, reason, JSON.stringify(it));
    assert.match(v.why, why);
  }
  const seen = new Set<string>(['web-1']);
  const dup = checkListedPod(item({ ...good, uid: 'u-2' }), 1, 'ns', sel('app=web'), seen);
  assert.ok(isSkip(dup) && dup.reason === 'server_inconsistency' && /listed more than once/.test(dup.why));
});
