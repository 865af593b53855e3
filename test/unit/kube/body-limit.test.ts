/**
 * KubeClient.json()'s maxBytes: a body past the cap is not read to its end
 * (announced by Content-Length or streamed without end), and an error
 * response's body is read only up to 1 MiB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../../src/kube/client.js';
import { proxyConnection } from '../../../src/kube/connection.js';
import { BodyTooLargeError } from '../../../src/kube/body-limit.js';
import { ApiError } from '../../../src/api/api-error.js';

/** Writes `chunk` for ever, as fast as the client reads, until the connection closes. */
function endless(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    res.on('close', () => resolve());
    const pump = () => {
      while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
    };
    pump();
  });
}

async function serve(handler: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const conn = proxyConnection(url);
  return {
    url, client: new KubeClient(conn),
    async close() {
      await conn.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

test('json maxBytes: a body under the cap is parsed; an endless body is cut at the cap with E_BODY_TOO_LARGE naming URL and cap', async () => {
  let closed: Promise<void> | undefined;
  const s = await serve((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    closed = endless(res, '{"items":[' + '1,'.repeat(4096));
  });
  try {
    await assert.rejects(s.client.json('GET', '/api/v1/configmaps', { query: { limit: 5 }, verb: 'list', maxBytes: 64 * 1024 }), (err: unknown) => {
      assert.ok(err instanceof BodyTooLargeError);
      assert.equal(err.code, 'E_BODY_TOO_LARGE');
      assert.equal(err.message, `list ${s.url}/api/v1/configmaps?limit=5: the response body exceeds 64 KiB; the read was aborted`);
      assert.match(err.hint ?? '', /endless or oversized body/);
      return true;
    });
    await closed; // the client closed the connection: nothing more is read
  } finally {
    await s.close();
  }
});

test('json maxBytes: a Content-Length over the cap fails before the body is read; under it, the body is parsed', async () => {
  const big = JSON.stringify({ v: 'x'.repeat(2000) });
  const s = await serve((res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) });
    res.end(big);
  });
  try {
    await assert.rejects(s.client.json('GET', '/x', { maxBytes: 1000 }), BodyTooLargeError);
    const ok = await s.client.json<{ v: string }>('GET', '/x', { maxBytes: 4096, onBytes: () => {} });
    assert.equal(ok.v.length, 2000);
  } finally {
    await s.close();
  }
});

test('an error response whose body never ends is still an ApiError: only its first MiB is read', async () => {
  const s = await serve((res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    void endless(res, 'proxy error; '.repeat(1000));
  });
  try {
    await assert.rejects(s.client.json('GET', '/api/v1/configmaps', { verb: 'list' }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 500);
      assert.match(err.message, /^list http:.*: HTTP 500: proxy error; /);
      return true;
    });
  } finally {
    await s.close();
  }
});
