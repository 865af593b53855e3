import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector } from '../../../src/api/label-selector.js';

const valid: Array<[string, string]> = [
  ['app=webapp', 'equality'],
  ['app==webapp', 'double equals'],
  ['app!=webapp', 'inequality'],
  ['tier in (web,api)', 'set in'],
  ['tier notin (web, api)', 'set notin with space'],
  ['app', 'exists'],
  ['!app', 'not exists'],
  ['app=webapp,tier in (web),!canary', 'combined'],
  ['k8spatterns.io/app=web-app_1.x', 'prefixed key'],
  ['app=', 'empty value'],
  [' app = webapp ', 'spaces around'],
  ['replicas>2', 'greater than'],
  ['tier in (a,)', 'trailing comma inside a set means an empty value'],
];
for (const [sel, what] of valid) {
  test(`selector valid: ${what}: "${sel}"`, () => {
    const r = parseSelector(sel);
    assert.equal(r.ok, true, r.ok ? '' : r.error);
  });
}

const invalid: Array<[string, RegExp]> = [
  ['', /empty selector/],
  ['   ', /empty selector/],
  ['app=web app', /unexpected|expected ","/],
  ['app=web,', /trailing ","/],
  [',app', /expected a label key/],
  ['app in web', /must be followed by/],
  ['app in (web', /missing "\)"/],
  ['app in ()', /at least one value/],
  ['-app=x', /alphanumeric/],
  ['app=-x', /alphanumeric/],
  ['a'.repeat(64) + '=x', /longer than 63/],
  ['app=' + 'v'.repeat(64), /longer than 63/],
  ['Bad_Prefix/app=x', /not a DNS subdomain/],
  ['/app=x', /empty prefix/],
  ['app=$(rm -rf /)', /unexpected|alphanumeric/],
  ['app>x', /integer/],
  ['app=a=b', /unexpected|expected ","/],
  ['!app=x', /expected ","/],
];
for (const [sel, re] of invalid) {
  test(`selector invalid: "${sel.slice(0, 30)}"`, () => {
    const r = parseSelector(sel);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, re);
  });
}

test('selector: requirements are parsed', () => {
  const r = parseSelector('app=web, tier notin (a,b), !x');
  assert.ok(r.ok);
  assert.deepEqual(r.requirements, [
    { key: 'app', op: '=', values: ['web'] },
    { key: 'tier', op: 'notin', values: ['a', 'b'] },
    { key: 'x', op: '!', values: [] },
  ]);
});
