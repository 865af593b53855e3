/**
 * KubeClient's two safety nets (issue #11): a mutation that names no single
 * object is never sent, and a non-watch request that gets no complete
 * answer ends at the deadline; a watch does not.
 */
import { RAISE_REQUEST_TIMEOUT } from '../../../src/cli/connection-hints.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient, UnsafeRequestError } from '../../../src/kube/client.js';
import { proxyConnection } from '../../../src/kube/connection.js';
import { RequestTimeoutError } from '../../../src/kube/request-timeout.js';

async function server(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const s = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const conn = proxyConnection(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  return {
    seen, conn,
    async close() {
      s.closeAllConnections();
      await conn.close().catch(() => {});
      await new Promise((r) => s.close(r));
    },
  };
}

const ok = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"kind":"Status","status":"Success"}');
};
/** Headers, then nothing. */
const stall = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
};

test('DELETE, PATCH and PUT of a collection, or of a path ending in "/", are refused before anything is sent', async () => {
  const s = await server(ok);
  const client = new KubeClient(s.conn);
  try {
    for (const [method, path] of [
      ['DELETE', '/api/v1/namespaces/ns/pods/'], ['DELETE', '/api/v1/namespaces/ns/pods'], ['PATCH', '/api/v1/namespaces/ns/configmaps'],
      ['PUT', '/apis/coordination.k8s.io/v1/namespaces/ns/leases/'], ['DELETE', '/api/v1/pods'], ['delete', '/api/v1/namespaces/ns/pods/..'],
    ] as const) {
      await assert.rejects(client.json(method, path), (e: unknown) => {
        assert.ok(e instanceof UnsafeRequestError, String(e));
        assert.equal(e.code, 'E_UNSAFE_REQUEST');
        assert.ok(e.message.startsWith(`refusing to send ${method} ${s.conn.server}${path}: `), e.message);
        return true;
      });
    }
    assert.deepEqual(s.seen, [], 'nothing reached the server');
    // One object, a POST to a collection (create), and reads are sent.
    await client.json('DELETE', '/api/v1/namespaces/ns/pods/p');
    await client.json('POST', '/apis/coordination.k8s.io/v1/namespaces/ns/leases');
    await client.json('GET', '/api/v1/namespaces/ns/pods');
    assert.deepEqual(s.seen, ['DELETE /api/v1/namespaces/ns/pods/p', 'POST /apis/coordination.k8s.io/v1/namespaces/ns/leases', 'GET /api/v1/namespaces/ns/pods']);
  } finally {
    await s.close();
  }
});

test('a request whose answer stalls after its headers ends at the deadline with a RequestTimeoutError naming verb, URL and deadline', async () => {
  const s = await server(stall);
  const client = new KubeClient(s.conn, { requestTimeoutMs: 200, raiseTimeoutHint: RAISE_REQUEST_TIMEOUT });
  try {
    await assert.rejects(client.json('GET', '/api/v1/namespaces/ns/pods', { verb: 'list', query: { labelSelector: 'app=x' } }), (e: unknown) => {
      assert.ok(e instanceof RequestTimeoutError, String(e));
      assert.equal(e.code, 'E_REQUEST_TIMEOUT');
      assert.equal(e.verb, 'list');
      assert.equal(e.timeoutMs, 200);
      assert.equal(e.url, `${s.conn.server}/api/v1/namespaces/ns/pods?labelSelector=app%3Dx`);
      assert.equal(e.message, `list ${e.url}: no complete answer within 200ms; request aborted`);
      assert.match(e.hint ?? '', /raise --request-timeout \(0: no deadline\)/);
      return true;
    });
    await assert.rejects(client.json('DELETE', '/api/v1/namespaces/ns/pods/p'), { code: 'E_REQUEST_TIMEOUT', verb: 'delete' });
  } finally {
    await s.close();
  }
});

test('the caller\'s abort is not reported as a timeout; requestTimeoutMs 0 sets no deadline', async () => {
  const s = await server(stall);
  try {
    const client = new KubeClient(s.conn, { requestTimeoutMs: 60_000 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('stop')), 100);
    await assert.rejects(client.json('GET', '/api/v1/namespaces/ns/pods', { signal: ctl.signal }), (e: unknown) => !(e instanceof RequestTimeoutError));

    const none = new KubeClient(s.conn, { requestTimeoutMs: 0 });
    const ctl2 = new AbortController();
    let settled = false;
    const p = none.json('GET', '/api/v1/namespaces/ns/pods', { signal: ctl2.signal }).finally(() => { settled = true; });
    p.catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, 'still waiting with no deadline');
    ctl2.abort();
    await assert.rejects(p);
  } finally {
    await s.close();
  }
});

test('a watch (stream) has no deadline: its stall timer ends a silent one', async () => {
  const s = await server(stall);
  try {
    const client = new KubeClient(s.conn, { requestTimeoutMs: 100 });
    const ctl = new AbortController();
    const body = await client.stream('/api/v1/namespaces/ns/configmaps', { query: { watch: 'true' }, signal: ctl.signal });
    let failed: unknown;
    body.on('error', (e) => { failed = e; });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(failed, undefined);
    assert.equal(body.destroyed, false);
    ctl.abort();
  } finally {
    await s.close();
  }
});
