/**
 * --handler-proxy (issue #6): cmwatch's own authenticating proxy for
 * handlers. Against the fake API server over HTTPS with a required token:
 * it authenticates with cmwatch's credential whatever the client sends,
 * refuses foreign Host headers, absolute-form targets, pods/exec and
 * upgrades, streams a watch as it happens, refreshes a rotated token after a
 * 401, answers 502 when the API is gone; and the book's curl handler deletes
 * pods through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { FakeApiServer } from '../fake/api-server.js';
import { until, ROOT } from '../helpers/cli.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { testPki } from '../helpers/pki.js';
import { isolatedEnv, kubeconfig, tmp, writeFile } from '../helpers/direct.js';
import { resolveConnection } from '../../src/kube/resolve.js';
import { startHandlerProxy, type HandlerProxy } from '../../src/kube/handler-proxy.js';
import type { Connection } from '../../src/kube/connection.js';
import { Logger } from '../../src/ops/log.js';

let proxy: HandlerProxy | undefined;
let conn: Connection | undefined;
const logLines: string[] = [];
const log = new Logger({ level: 'debug', write: (l) => logLines.push(l), color: false });

const fx = fakeFixture({ lazy: true });
/** The proxy and its connection are closed after each test (after its cmwatch, before the fake server stops). */
function closeProxyAfter(): void {
  fx.cleanup(async () => {
    await proxy?.close();
    await conn?.close();
    proxy = undefined;
    conn = undefined;
  });
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The fake over HTTPS requiring token `secret-1`, cmwatch's connection to it by --token-file, and the proxy. */
async function setup(): Promise<{ a: FakeApiServer; tokenFile: string }> {
  const pki = await testPki();
  closeProxyAfter();
  const a = await fx.start({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['secret-1'] });
  a.upsertConfigMap('default', 'cfg', { v: '1' });
  const tokenFile = writeFile(join(tmp(), 'token'), 'secret-1');
  const r = await resolveConnection({ server: a.url, serverSource: '--server', tokenFile, certificateAuthority: pki.caFile }, { log, env: isolatedEnv(), stdinIsTTY: false });
  conn = r.conn;
  proxy = await startHandlerProxy(conn, log);
  return { a, tokenFile };
}

test('forwards with cmwatch\'s credential: the client\'s Authorization is dropped; loopback Host names only', async () => {
  const { a } = await setup();
  assert.match(proxy!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await get(`${proxy!.url}/api/v1/namespaces/default/configmaps`, { authorization: 'Bearer stolen', cookie: 'x=y' });
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).items[0].metadata.name, 'cfg');
  assert.deepEqual(a.requests.map((q) => q.user), ['token:secret-1'], 'authenticated as cmwatch, not as the client');
  assert.equal(a.unauthorized.length, 0);
  const port = new URL(proxy!.url).port;
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
    assert.equal((await get(`${proxy!.url}/api/v1/namespaces/default/configmaps/cfg`, { host })).status, 200, host);
  }
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '10.0.0.1']) {
    const denied = await get(`${proxy!.url}/api/v1/namespaces/default/configmaps`, { host });
    assert.equal(denied.status, 403, host);
    assert.match(String(denied.headers['content-type']), /^text\/plain/);
    assert.match(denied.body, /accepts Host localhost, 127\.0\.0\.1 or \[::1\] only/);
  }
  assert.equal(a.requests.length, 5, 'the refused requests never reached the API');
});

test('refuses absolute-form targets (not an open proxy), pods/exec and upgrades', async () => {
  const { a } = await setup();
  const port = Number(new URL(proxy!.url).port);
  const raw = (text: string) => new Promise<string>((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.setEncoding('utf8').on('data', (d: string) => (out += d)).on('end', () => resolve(out)).on('error', reject);
  });
  assert.match(await raw('GET http://example.com/api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 403 [\s\S]*forwards only to its API server/);
  assert.equal((await get(`${proxy!.url}/api/v1/namespaces/default/pods/web-1/exec?command=sh`, {}, 'POST')).status, 403);
  assert.equal((await get(`${proxy!.url}/api/v1/namespaces/default/pods/web-1/attach`)).status, 403);
  assert.match(await raw('GET /api/v1/namespaces/default/pods/web-1/portforward HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n'), /^HTTP\/1\.1 403 Forbidden[\s\S]*does not proxy upgrades/);
  assert.equal(a.requests.length, 0);
});

test('streams a watch as it happens', async () => {
  const { a } = await setup();
  const port = Number(new URL(proxy!.url).port);
  const events: string[] = [];
  const req = httpRequest({ host: '127.0.0.1', port, path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${a.rv}` });
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.on('response', resolve).end());
  assert.equal(res.statusCode, 200);
  let buf = '';
  res.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  await until(() => a.watchCount === 1, 5_000, 'the watch reached the API');
  a.upsertConfigMap('default', 'cfg', { v: '2' });
  await until(() => events.length === 1, 5_000, 'the first event through the proxy');
  a.upsertConfigMap('default', 'other', { v: '1' });
  await until(() => events.length === 2, 5_000, 'the second event');
  assert.deepEqual(events.map((e) => `${JSON.parse(e).type} ${JSON.parse(e).object.metadata.name}`), ['MODIFIED cfg', 'ADDED other']);
  req.destroy();
  await until(() => a.watchCount === 0, 5_000, 'closing the client closes the upstream watch');
});

test('a rotated token file is picked up after one 401; an unreachable API is a 502 in plain text', async () => {
  const { a, tokenFile } = await setup();
  writeFileSync(tokenFile, 'secret-2');
  a.validTokens = new Set(['secret-2']);
  const r = await get(`${proxy!.url}/api/v1/namespaces/default/configmaps`);
  assert.equal(r.status, 200);
  assert.equal(a.unauthorized.length, 1);
  assert.deepEqual(a.requests.map((q) => q.user), ['token:secret-2']);
  await a.stop();
  const gone = await get(`${proxy!.url}/api/v1/namespaces/default/configmaps`);
  assert.equal(gone.status, 502);
  assert.match(gone.body, /^cmwatch handler proxy: cannot reach the API server: get https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/configmaps: .*ECONNREFUSED/);
  assert.ok(!logLines.join('\n').includes('secret-'), 'no token in the logs');
});

test('cmwatch --handler-proxy: the book\'s curl handler (examples/handlers/restart-pods.sh) deletes the pods with no credentials of its own', async () => {
  const pki = await testPki();
  const a = await fx.start({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['cm-token'] });
  const SEL = 'k8spatterns.io/podDeleteSelector';
  a.upsertConfigMap('default', 'webapp-config', { message: 'hello' }, { [SEL]: 'app=webapp' });
  a.addPod('default', 'webapp-1', { app: 'webapp' });
  a.addPod('default', 'webapp-2', { app: 'webapp' });
  a.addPod('default', 'db-1', { app: 'db' });
  const kc = kubeconfig(join(tmp(), 'config'), { server: a.url, cluster: { 'certificate-authority-data': pki.ca.toString('base64') }, user: { token: 'cm-token' } });
  const c = fx.run(['--kubeconfig', kc, '-n', 'default', '--handler-proxy', '--exec', join(ROOT, 'examples/handlers/restart-pods.sh')], { env: isolatedEnv() });
  const line = await c.waitFor(/^handler proxy on /);
  assert.match(line, new RegExp(`^handler proxy on http://127\\.0\\.0\\.1:\\d+ \\(handlers get it as CMWATCH_SERVER\\) → ${a.url.replace(/\./g, '\\.')}$`));
  await c.waitFor(/synced 1 object/);
  a.upsertConfigMap('default', 'webapp-config', { message: 'hello again' }, { [SEL]: 'app=webapp' });
  await c.waitFor(/\[restart-pods\.sh default\/webapp-config\] deleted pod default\/webapp-2/);
  await c.waitFor(/\[restart-pods\.sh default\/webapp-config\] deleted pod default\/webapp-1/);
  assert.deepEqual(a.podNames(), ['db-1']);
  const deletes = a.mutations.filter((m) => m.method === 'DELETE');
  assert.equal(deletes.length, 2);
  assert.ok(deletes.every((m) => m.user === 'token:cm-token'), 'the handler\'s calls carried cmwatch\'s credential');
  assert.equal(await c.stop('SIGTERM'), 0);
});
