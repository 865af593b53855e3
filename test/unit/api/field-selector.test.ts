/** parseFieldSelector: apimachinery's fields.ParseSelector rules (v0.36.3), and the one stricter check (an empty field). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsMatch, parseFieldSelector, type FieldTerm } from '../../../src/api/field-selector.js';

function terms(s: string): FieldTerm[] {
  const r = parseFieldSelector(s);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.terms;
}

test('the empty string, and terms that are all empty, select everything', () => {
  assert.deepEqual(terms(''), []);
  assert.deepEqual(terms(','), []);
  assert.deepEqual(terms(',,'), []);
});

test('=, == and != are the operators; == is not read as = followed by a value "=..."', () => {
  assert.deepEqual(terms('metadata.name=web'), [{ field: 'metadata.name', op: '=', value: 'web' }]);
  assert.deepEqual(terms('metadata.name==web'), [{ field: 'metadata.name', op: '==', value: 'web' }]);
  assert.deepEqual(terms('status.phase!=Running'), [{ field: 'status.phase', op: '!=', value: 'Running' }]);
});

test('several terms, empty ones skipped, empty values allowed', () => {
  assert.deepEqual(terms('metadata.name=web,,metadata.namespace!=kube-system,'), [
    { field: 'metadata.name', op: '=', value: 'web' },
    { field: 'metadata.namespace', op: '!=', value: 'kube-system' },
  ]);
  assert.deepEqual(terms('spec.nodeName='), [{ field: 'spec.nodeName', op: '=', value: '' }]);
});

test('the first operator splits the term: "a=!b" has the value "!b"', () => {
  assert.deepEqual(terms('a=!b'), [{ field: 'a', op: '=', value: '!b' }]);
});

test('escapes: \\, does not end a term; \\\\, \\, and \\= are undone in the value', () => {
  assert.deepEqual(terms('metadata.name=a\\,b'), [{ field: 'metadata.name', op: '=', value: 'a,b' }]);
  assert.deepEqual(terms('metadata.name=a\\=b'), [{ field: 'metadata.name', op: '=', value: 'a=b' }]);
  assert.deepEqual(terms('metadata.name=a\\\\'), [{ field: 'metadata.name', op: '=', value: 'a\\' }]);
  // An escaped backslash does not escape the comma after it.
  assert.deepEqual(terms('a=x\\\\,b=y'), [{ field: 'a', op: '=', value: 'x\\' }, { field: 'b', op: '=', value: 'y' }]);
});

test('whitespace is not trimmed (the server then names the field with its spaces)', () => {
  assert.deepEqual(terms('metadata.name = web'), [{ field: 'metadata.name ', op: '=', value: ' web' }]);
});

const invalid: Array<[string, RegExp]> = [
  ['metadata.name', /term "metadata.name" has no operator \(use field=value, field==value or field!=value\)/],
  ['metadata.name=web,app', /term "app" has no operator/],
  ['metadata.name=a=b', /term "metadata.name=a=b": unescaped "=" in the value \(write "\\="\)/],
  ['metadata.name===b', /unescaped "="/],
  ['metadata.name=\\!x', /invalid escape sequence "\\!" in the value/],
  ['metadata.name=a\\b', /invalid escape sequence "\\b"/],
  ['metadata.name=a\\', /the value ends with a lone "\\"/],
  ['=web', /term "=web" has no field before "="/],
  ['!=web', /has no field before "!="/],
];
for (const [sel, want] of invalid) {
  test(`invalid field selector ${JSON.stringify(sel)}`, () => {
    const r = parseFieldSelector(sel);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, want);
  });
}

test('fieldsMatch: every term holds; an absent field is ""', () => {
  const f = { 'metadata.name': 'web', 'metadata.namespace': 'default' };
  assert.equal(fieldsMatch(terms('metadata.name=web'), f), true);
  assert.equal(fieldsMatch(terms('metadata.name=web,metadata.namespace!=default'), f), false);
  assert.equal(fieldsMatch(terms('metadata.name!=db'), f), true);
  assert.equal(fieldsMatch(terms('spec.nodeName='), f), true);
  assert.equal(fieldsMatch(terms(''), f), true);
});
