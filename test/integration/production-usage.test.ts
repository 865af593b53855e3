/** Bad values of the issue #7 flags: one line with a hint on stderr, exit 2, nothing started. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli } from '../helpers/cli.js';

const fx = fakeFixture({ lazy: true });

const cases: Array<[string[], RegExp]> = [
  [['--health-addr', '8080'], /--health-addr: "8080" is not HOST:PORT/],
  [['--health-addr', ':70000'], /--health-addr: port 70000 in ":70000" is out of range/],
  [['--metrics-addr', 'bad host:9090'], /--metrics-addr: "bad host" in "bad host:9090" is not a host name or IP address/],
  [['--metrics-addr', '[nope]:9090'], /--metrics-addr: "nope" in "\[nope\]:9090" is not an IPv6 address/],
  [['--lease-name', 'x'], /--lease-name only applies with --leader-elect/],
  [['--leader-elect', '--lease-duration', 'forever'], /--lease-duration: invalid duration "forever"/],
  [['--leader-elect', '--lease-duration', '2500ms'], /--lease-duration: "2500ms" is not a whole number of seconds/],
  [['--leader-elect', '--lease-duration', '10s', '--renew-deadline', '10s'], /--renew-deadline \(10s\) must be shorter than --lease-duration \(10s\)/],
  [['--leader-elect', '--renew-deadline', '2s'], /--renew-deadline \(2\.0s\) must be longer than 1\.2 × --retry-period \(2\.0s\)/],
  [['--leader-elect', '--lease-name', 'Not_A_Name'], /--lease-name: "Not_A_Name" is not a valid object name/],
  [['--leader-elect', '--lease-namespace', 'UPPER'], /--lease-namespace: "UPPER" is not a valid namespace/],
  [['--leader-elect', '--leader-identity', ''], /--leader-identity: empty identity/],
];

for (const [args, re] of cases) {
  test(`usage error: cmwatch ${args.join(' ')}`, async () => {
    const api = await fx.start();
    const c = runCli(['--server', api.url, ...args]);
    const code = await c.exited;
    assert.equal(code, 2, c.stderr.join('\n'));
    assert.equal(c.stderr.length, 1, `one line, got:\n${c.stderr.join('\n')}`);
    assert.match(c.stderr[0]!, re);
    assert.match(c.stderr[0]!, /\(hint: .+\)$/);
    assert.equal(api.requests.length, 0, 'nothing was started');
  });
}

test('usage error: --health-addr on a port in use is one line naming it, exit 2, before any API request', async () => {
  const api = await fx.start();
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const c = runCli(['--server', api.url, '--health-addr', `127.0.0.1:${port}`]);
    assert.equal(await c.exited, 2, c.stderr.join('\n'));
    assert.equal(c.stderr.length, 1, c.stderr.join('\n'));
    assert.match(c.stderr[0]!, new RegExp(`^cmwatch: --health-addr: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\(hint: another process listens there: pick another port\\)$`));
    assert.equal(api.requests.length, 0);
  } finally {
    busy.close();
  }
});
