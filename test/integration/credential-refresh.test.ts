/**
 * Rotating credentials during a watch, with the real CLI against the fake
 * API server over HTTPS. After the rotation the fake rejects the old
 * credential; the next request (the re-watch after the server ends the
 * stream) gets one 401, cmwatch re-reads the token file or re-runs the exec
 * plugin once, retries, and carries on: no reconnect storm, no relist, no
 * missed change. Nothing here depends on timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until, type CliRun } from '../helpers/cli.js';
import { testPki } from '../helpers/pki.js';
import { fakeJwt, isolatedEnv, kubeconfig, saDir, tmp, writeFile } from '../helpers/direct.js';

const fx = fakeFixture({ lazy: true });

function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  return fx.run(args, { env: isolatedEnv(env) });
}

const watches = (a: FakeApiServer) => a.requests.filter((r) => r.query.watch === 'true');
const lists = (a: FakeApiServer) => a.requests.filter((r) => r.query.watch === undefined && r.path.endsWith('/configmaps'));

/**
 * Rotates with `rotate()`, ends the open watches as a server timeout would,
 * and checks that the next change arrives and what it cost.
 */
async function rotateAndCheck(a: FakeApiServer, c: CliRun, rotate: () => void, newUser: string, namespaces: string[]): Promise<void> {
  // Each watch first delivers a change, so that its end below is an ordinary one.
  await until(() => watches(a).length >= namespaces.length, 10_000, 'the watches open');
  for (const ns of namespaces) a.upsertConfigMap(ns, 'cfg', { v: 'before rotation' });
  for (const ns of namespaces) await c.waitFor(new RegExp(`^MODIFIED ${ns}/cfg`), 15_000);
  const seen = c.stderr.length;
  const watchesBefore = watches(a).length;
  const listsBefore = lists(a).length;
  rotate();
  a.closeWatches();
  for (const ns of namespaces) a.upsertConfigMap(ns, 'cfg', { v: 'after rotation' });
  for (const ns of namespaces) {
    await until(() => c.stderr.slice(seen).some((l) => l.startsWith(`MODIFIED ${ns}/cfg`)), 15_000, `the change in ${ns} after the rotation`);
  }
  const after = a.requests.slice(a.requests.findIndex((r) => r.user === newUser));
  assert.ok(after.length > 0 && after.every((r) => r.user === newUser), 'every request after the rotation used the new credential');
  assert.ok(a.unauthorized.length >= 1 && a.unauthorized.length <= namespaces.length, `one 401 per watch at most, got ${a.unauthorized.length}`);
  assert.equal(watches(a).length - watchesBefore, namespaces.length, 'one accepted re-watch per namespace: no reconnect storm');
  assert.equal(lists(a).length, listsBefore, 'no relist');
  assert.deepEqual(c.stderr.filter((l) => /^(warn|error) /.test(l)), [], 'the rotation is invisible: no warning, no error');
}

test('--token-file replaced during a watch: picked up after the first 401, one re-watch, no relist', async () => {
  const pki = await testPki();
  const a = await fx.start({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['token-1'] });
  a.upsertConfigMap('default', 'cfg', { v: '1' });
  const dir = tmp();
  const tf = writeFile(join(dir, 'token'), 'token-1\n');
  const c = cli(['--server', a.url, '--certificate-authority', pki.caFile, '--token-file', tf, '-n', 'default']);
  await c.waitFor(/synced 1 object/);
  await rotateAndCheck(a, c, () => {
    // As kubelet does: write the new token beside the old, then rename over it.
    writeFileSync(join(dir, 'token.new'), 'token-2\n');
    renameSync(join(dir, 'token.new'), tf);
    a.validTokens = new Set(['token-2']);
  }, 'token:token-2', ['default']);
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('in-cluster token rotated during watches of two namespaces: one re-read serves both', async () => {
  const pki = await testPki();
  const t1 = fakeJwt('system:serviceaccount:ops:cmwatch', '1');
  const t2 = fakeJwt('system:serviceaccount:ops:cmwatch', '2');
  const a = await fx.start({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: [t1] });
  a.upsertConfigMap('ops', 'cfg', { v: '1' });
  a.upsertConfigMap('web', 'cfg', { v: '1' });
  const sa = saDir(t1, pki.ca, 'ops');
  const c = cli(['-n', 'ops', '-n', 'web'], { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(a.url).port, CMWATCH_SA_DIR: sa });
  await c.waitFor(/synced 1 object\(s\) from \/api\/v1\/namespaces\/ops/);
  await c.waitFor(/synced 1 object\(s\) from \/api\/v1\/namespaces\/web/);
  await rotateAndCheck(a, c, () => {
    writeFileSync(join(sa, 'token'), t2);
    a.validTokens = new Set([t2]);
  }, `token:${t2}`, ['ops', 'web']);
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('exec plugin: run once and cached across lists and watches; after a rotation one 401 re-runs it once for two watches', async () => {
  const pki = await testPki();
  const a = await fx.start({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['tok-1'] });
  a.upsertConfigMap('ops', 'cfg', { v: '1' });
  a.upsertConfigMap('web', 'cfg', { v: '1' });
  const dir = tmp();
  // Counts its runs; prints tok-N for the Nth run, with no expiry (valid until a 401).
  const plugin = writeFile(join(dir, 'bin', 'plugin.sh'), `#!/usr/bin/env bash
set -eu
here=$(dirname "$0")
echo run >> "$here/runs"
n=$(wc -l < "$here/runs" | tr -d ' ')
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s"}}\\n' "$n"
`, 0o755);
  chmodSync(plugin, 0o755);
  const runs = () => readFileSync(join(dir, 'bin', 'runs'), 'utf8').trim().split('\n').length;
  const kc = kubeconfig(join(dir, 'config'), {
    server: a.url, cluster: { 'certificate-authority-data': pki.ca.toString('base64') },
    user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin.sh', interactiveMode: 'Never' } },
  });
  const c = cli(['--kubeconfig', kc, '-n', 'ops', '-n', 'web']);
  await c.waitFor(/synced 1 object\(s\) from \/api\/v1\/namespaces\/ops/);
  await c.waitFor(/synced 1 object\(s\) from \/api\/v1\/namespaces\/web/);
  await until(() => watches(a).length === 2, 10_000, 'both watches open');
  assert.equal(runs(), 1, 'the credential is cached');
  await rotateAndCheck(a, c, () => (a.validTokens = new Set(['tok-2'])), 'token:tok-2', ['ops', 'web']);
  assert.equal(runs(), 2, 'one re-run for the 401s of both watches');
  assert.equal(await c.stop('SIGTERM'), 0);
});
