/**
 * --handler-proxy request bodies over real HTTP: a small body is forwarded,
 * a body over 16 MiB (declared or streamed) is a 413 the client receives, and
 * a body the client does not finish is reported as a read failure, not as
 * "too large".
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until } from '../helpers/cli.js';
import { proxyConnection, type Connection } from '../../src/kube/connection.js';
import { startHandlerProxy, type HandlerProxy } from '../../src/kube/handler-proxy.js';
import { MAX_BODY } from '../../src/kube/request-body.js';
import { Logger } from '../../src/ops/log.js';

let api: FakeApiServer | undefined;
let proxy: HandlerProxy | undefined;
let conn: Connection | undefined;
const logLines: string[] = [];
const log = new Logger({ level: 'debug', write: (l) => logLines.push(l), color: false });

const fx = fakeFixture({ lazy: true });
afterEach(() => {
  logLines.length = 0;
});

/** The proxy and its connection are closed after the test, before the fake server stops. */
function closeProxyAfter(): void {
  fx.cleanup(async () => {
    await proxy?.close();
    await conn?.close();
    api = proxy = conn = undefined;
  });
}

async function setup(): Promise<string> {
  closeProxyAfter();
  api = await fx.start();
  conn = proxyConnection(api.url);
  proxy = await startHandlerProxy(conn, log);
  return proxy.url;
}

interface Reply { status: number; body: string }

/** POSTs; `write` sends the body and may leave the request unfinished. */
function post(url: string, headers: Record<string, string>, write: (req: ReturnType<typeof httpRequest>) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    write(req);
  });
}

const PATH = '/api/v1/namespaces/default/configmaps';

test('handler proxy: a small body is forwarded; over 16 MiB, declared or streamed, is a 413', async () => {
  const url = await setup();
  const small = await post(url + PATH, { 'content-type': 'application/json' }, (req) => req.end('{"kind":"ConfigMap"}'));
  assert.notEqual(small.status, 413);
  assert.notEqual(small.status, 400);
  assert.ok(api!.requests.some((r) => r.method === 'POST' && (r.body as { kind?: string } | undefined)?.kind === 'ConfigMap'), 'the body went upstream');

  const declared = await post(url + PATH, { 'content-length': String(MAX_BODY + 1) }, (req) => req.flushHeaders());
  assert.equal(declared.status, 413);
  assert.equal(declared.body, 'Request body too large for cmwatch handler proxy\n');

  // Chunked, no length: the proxy counts; the client stops sending just past the cap and waits.
  const streamed = await post(url + PATH, {}, (req) => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 16; i++) req.write(chunk);
    req.write('x');
  });
  assert.equal(streamed.status, 413);
  assert.ok(!logLines.some((l) => /cannot read the request body/.test(l)), logLines.join('\n'));
});

test('handler proxy: a body the client does not finish is a read failure, not "too large"', async () => {
  const url = new URL(await setup());
  const sock = netConnect(Number(url.port), '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(`POST ${PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789`);
  await new Promise((r) => setTimeout(r, 50));
  sock.destroy();
  await until(() => logLines.some((l) => /cannot read the request body/.test(l)), 5000);
  const line = logLines.find((l) => /cannot read the request body/.test(l))!;
  assert.match(line, new RegExp(`handler proxy: POST ${PATH.replace(/\//g, '\\/')}: cannot read the request body: `));
  assert.ok(!logLines.some((l) => /too large/.test(l)), logLines.join('\n'));
});
