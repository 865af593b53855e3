/** selectorRejection: which 400s blame a selector, in kube-apiserver's (v1.36.3) words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/api/api-error.js';
import { oneLine } from '../../../src/base/errors.js';
import { classifyFailure } from '../../../src/watch/failure.js';
import { selectorRejection, unsupportedField } from '../../../src/watch/selector-rejection.js';

const bad = (message: string, status = 400) => new ApiError({
  status, verb: 'list', url: 'http://x/api/v1/configmaps', resource: 'configmaps',
  statusObject: { kind: 'Status', status: 'Failure', reason: 'BadRequest', code: status, message },
});

test('unsupportedField: the four wordings of the API server', () => {
  assert.deepEqual(unsupportedField('"foo" is not a known field selector: only "metadata.name", "metadata.namespace"'), { field: 'foo', supported: '"metadata.name", "metadata.namespace"' });
  assert.deepEqual(unsupportedField('field label not supported: spec.x'), { field: 'spec.x' });
  assert.deepEqual(unsupportedField('field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: foo'), { field: 'foo' });
  assert.deepEqual(unsupportedField('field label "foo" not supported for "Job"'), { field: 'foo' });
  assert.equal(unsupportedField('something else'), undefined);
});

test('a 400 blames the field selector only when one was sent, the label selector likewise; other errors are not a rejection', () => {
  const fieldErr = bad('field label not supported: foo');
  assert.equal(selectorRejection(fieldErr, { resource: 'pods' }), undefined, 'no field selector sent');
  const r = selectorRejection(fieldErr, { resource: 'pods', fieldSelector: 'foo=bar' })!;
  assert.match(oneLine(r), /^--field-selector: the server does not support field "foo" on pods \(hint: /);
  assert.equal(r.cause, fieldErr);
  assert.equal(classifyFailure(r).kind, 'rejected');
  assert.equal(selectorRejection(bad('unable to parse requirement: x'), { resource: 'configmaps' }), undefined);
  assert.match(oneLine(selectorRejection(bad("found '', expected: identifier"), { resource: 'configmaps', labelSelector: '!' })!), /^--selector: the server rejected the label selector "!"/);
  assert.equal(selectorRejection(bad('field label not supported: foo', 500), { resource: 'pods', fieldSelector: 'foo=bar' }), undefined, 'only a 400');
  assert.equal(selectorRejection(bad('invalid continue token'), { resource: 'pods', fieldSelector: 'foo=bar' }), undefined);
  assert.equal(selectorRejection(new Error('x'), { resource: 'pods', fieldSelector: 'foo=bar' }), undefined);
});
