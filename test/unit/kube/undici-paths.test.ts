/**
 * src/kube/undici.ts loads two of undici's files by path (undici 7 has no
 * `exports` map): they must still load and still be the API used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from '../../../src/kube/undici.js';

test('undici by path: the Agent and request() talk HTTP/1.1 as undici\'s entry point does', async () => {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new Agent({ keepAliveTimeout: 1000 });
  try {
    const { port } = server.address() as AddressInfo;
    const res = await request(`http://127.0.0.1:${port}/api/v1/configmaps?limit=2`, { dispatcher: agent, method: 'POST', body: '{}' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { method: 'POST', url: '/api/v1/configmaps?limit=2' });
    const get = await request(new URL(`http://127.0.0.1:${port}/version`), { dispatcher: agent });
    assert.deepEqual(await get.body.json(), { method: 'GET', url: '/version' });
  } finally {
    await agent.close();
    server.close();
  }
});
