/**
 * `cmwatch --version` and `cmwatch version` (issue 17): cmwatch's version,
 * Node's, and the API server's from GET /version; an unreachable server is
 * said on that line, with exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('--version and -V print the version', async () => {
  for (const flag of ['--version', '-V']) {
    const c = runCli([flag]);
    assert.equal(await c.exited, 0);
    assert.deepEqual(c.stdout.filter((l) => l !== ''), [VERSION]);
  }
});

test('cmwatch version: cmwatch, node and the server (GET /version)', async (t) => {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ major: '1', minor: '35', gitVersion: 'v1.35.0', platform: 'linux/amd64' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = runCli(['version', '--server', url]);
  assert.equal(await c.exited, 0, c.stderr.join('\n'));
  assert.deepEqual(c.stdout.filter((l) => l !== ''), [`cmwatch ${VERSION}`, `node ${process.version}`, `server v1.35.0 at ${url} (kubectl proxy (no credentials of its own))`]);
  assert.deepEqual(paths, ['/version']);
});

test('cmwatch version: an unreachable server is said on its line, exit 1; --client does not connect', async () => {
  const c = runCli(['version', '--server', 'http://127.0.0.1:9']);
  assert.equal(await c.exited, 1);
  const out = c.stdout.filter((l) => l !== '');
  assert.equal(out.length, 3);
  assert.equal(out[0], `cmwatch ${VERSION}`);
  assert.match(out[2]!, /^server: unreachable at http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED.*\(hint: .*\)$/);
  const client = runCli(['version', '--client', '--server', 'http://127.0.0.1:9']);
  assert.equal(await client.exited, 0);
  assert.deepEqual(client.stdout.filter((l) => l !== ''), [`cmwatch ${VERSION}`, `node ${process.version}`]);
});
