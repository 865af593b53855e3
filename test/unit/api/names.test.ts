/** DNS-1123 names, the one check behind namespaces, Lease names and label-key prefixes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDns1123Label, isDns1123Subdomain } from '../../../src/api/names.js';

test('names: DNS-1123 labels', () => {
  for (const ok of ['a', 'web', 'kube-system', '0', 'a1', 'x'.repeat(63)]) assert.ok(isDns1123Label(ok), ok);
  for (const bad of ['', 'A', '-a', 'a-', 'a.b', 'a_b', 'x'.repeat(64), 'ä']) assert.ok(!isDns1123Label(bad), bad);
});

test('names: DNS-1123 subdomains', () => {
  for (const ok of ['cmwatch', 'cm.web', 'example.com', 'a-b.c-d', 'x'.repeat(253), `${'x'.repeat(100)}.${'y'.repeat(100)}`]) assert.ok(isDns1123Subdomain(ok), ok);
  for (const bad of ['', '.a', 'a.', 'a..b', 'A.b', '-a.b', 'a-.b', 'x'.repeat(254)]) assert.ok(!isDns1123Subdomain(bad), bad);
});
