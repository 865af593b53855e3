import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameListener } from '../../../src/ops/listen-address.js';
import { listenAddressValue as parseListenAddress } from '../../../src/cli/flag-values.js';
import { UsageError } from '../../../src/base/errors.js';

test('listen address: HOST:PORT forms', () => {
  assert.deepEqual(parseListenAddress(':8080', '--health-addr'), { host: undefined, port: 8080, text: ':8080' });
  assert.deepEqual(parseListenAddress('127.0.0.1:0', '--health-addr'), { host: '127.0.0.1', port: 0, text: '127.0.0.1:0' });
  assert.deepEqual(parseListenAddress('[::1]:9090', '--metrics-addr'), { host: '::1', port: 9090, text: '[::1]:9090' });
  assert.equal(parseListenAddress('localhost:1', '--health-addr').host, 'localhost');
});

test('listen address: bad values are usage errors naming the flag', () => {
  for (const bad of ['8080', 'localhost', ':', ':99999', 'a b:80', '[zz]:80', '::1:80', 'http://x:80', '']) {
    assert.throws(() => parseListenAddress(bad, '--health-addr'), (e: unknown) => e instanceof UsageError && /^--health-addr: /.test(e.message) && !!e.hint, bad);
  }
});

test('listen address: the same HOST:PORT shares one server; port 0 never does', () => {
  const p = (s: string) => parseListenAddress(s, 'x');
  assert.equal(sameListener(p(':8080'), p(':8080')), true);
  assert.equal(sameListener(p('127.0.0.1:8080'), p('127.0.0.1:8080')), true);
  assert.equal(sameListener(p('127.0.0.1:8080'), p(':8080')), false);
  assert.equal(sameListener(p(':0'), p(':0')), false);
});
