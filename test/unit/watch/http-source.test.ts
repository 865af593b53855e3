import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../../src/kube/client.js';
import { proxyConnection } from '../../../src/kube/connection.js';
import { HttpSource } from '../../../src/watch/source.js';

test('HttpSource.list: items get the kind and apiVersion the API leaves out of lists', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '7' },
      items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' }, data: { k: 'v' } }],
    }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const conn = proxyConnection(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const src = new HttpSource(new KubeClient(conn), { resource: 'configmaps', namespace: 'ns' });
    const page = await src.list({ limit: 500, signal: new AbortController().signal, onBytes: () => {} } as Parameters<HttpSource['list']>[0]);
    assert.equal(page.resourceVersion, '7');
    assert.deepEqual(page.items, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' }, data: { k: 'v' } }]);
  } finally {
    await conn.close();
    server.close();
  }
});
