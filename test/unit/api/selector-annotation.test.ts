import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SELECTOR_ANNOTATIONS, selectorOf } from '../../../src/api/selector-annotation.js';
import { parseSelector } from '../../../src/api/label-selector.js';
import type { K8sObject } from '../../../src/api/types.js';

const withAnnotations = (annotations: unknown): K8sObject => ({ metadata: { name: 'c', annotations: annotations as Record<string, string> } });

test('selectorOf: the first annotation present; none: undefined', () => {
  assert.equal(selectorOf(withAnnotations({ 'k8spatterns.com/podDeleteSelector': 'app=b', 'k8spatterns.io/podDeleteSelector': 'app=a' }), DEFAULT_SELECTOR_ANNOTATIONS), 'app=a');
  assert.equal(selectorOf(withAnnotations({ other: 'x' }), DEFAULT_SELECTOR_ANNOTATIONS), undefined);
  assert.equal(selectorOf({ metadata: { name: 'c' } }, DEFAULT_SELECTOR_ANNOTATIONS), undefined);
});

test('selectorOf: a value that is not a string (a broken proxy) is the empty selector, which parses to nothing and deletes nothing, never a TypeError', () => {
  for (const bad of [5, null, { a: 1 }, ['app=a'], true]) {
    const sel = selectorOf(withAnnotations({ 'k8spatterns.io/podDeleteSelector': bad }), DEFAULT_SELECTOR_ANNOTATIONS);
    assert.equal(sel, '');
    assert.equal(parseSelector(sel!).ok, false);
  }
  assert.equal(selectorOf(withAnnotations('not an object'), DEFAULT_SELECTOR_ANNOTATIONS), undefined);
});
