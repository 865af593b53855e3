/**
 * Direct API access (issue #6) against the real control plane, with no
 * kubectl proxy: the book's scenario with the admin kubeconfig; a
 * ServiceAccount token from `kubectl create token` with least-privilege RBAC,
 * as cmwatch would run in a pod (in-cluster layout via CMWATCH_SA_DIR); a
 * client-certificate user signed by the cluster CA; and --handler-proxy with
 * the book's curl handler deleting pods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { planeFixture, deployWebapp, pods, setData, replaced, eventually, sleep } from '../helpers/plane.js';
import { isolatedEnv, kubeconfig, tmp, writeFile } from '../helpers/direct.js';
import { testPki } from '../helpers/pki.js';

const plane = planeFixture({}, isolatedEnv);
const cmwatch = plane.cmwatch;

/** A ServiceAccount with the least privilege cmwatch needs, bound in its namespace; returns a fresh token. */
async function leastPrivilegeToken(ns: string): Promise<string> {
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: cmwatch, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cmwatch, namespace: ${ns}}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [pods], verbs: [list, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cmwatch, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cmwatch}
subjects: [{kind: ServiceAccount, name: cmwatch, namespace: ${ns}}]
`);
  return (await plane.c.kubectl(['create', 'token', 'cmwatch', '-n', ns, '--duration=1h'])).stdout.trim();
}

test('1. the book\'s scenario with the admin kubeconfig, no proxy; kubectl in a handler talks to the same cluster', async () => {
  const p0 = await deployWebapp(plane.c, 'direct');
  const out = tmp();
  const handler = writeFile(join(out, 'kubectl.sh'), `#!/usr/bin/env bash
cat >/dev/null
kubectl get configmap "$CMWATCH_NAME" -n "$CMWATCH_NAMESPACE" -o jsonpath='{.data.message}' > "${out}/seen"
`, 0o755);
  const w = cmwatch(['--kubeconfig', plane.c.kubeconfig, '-n', 'direct', '--action', 'delete-pods', '--exec', handler]);
  const start = await w.waitFor(/^using /, 30_000);
  assert.equal(start, `using ${plane.c.server} as cmwatch-admin (kubeconfig context cmwatch-test); watching configmaps in namespace direct`);
  await w.waitFor(/synced \d+ object/, 30_000);
  await setData(plane.c, 'direct', 'webapp-config', 'direct v2');
  await w.waitFor(/MODIFIED direct\/webapp-config selector=app=webapp/, 30_000);
  await replaced(plane.c, 'direct', 'app=webapp', p0);
  assert.equal(w.stderr.filter((l) => /deleted pod direct\//.test(l)).length, 2);
  await eventually('the kubectl handler ran', async () => existsSync(join(out, 'seen')) && readFileSync(join(out, 'seen'), 'utf8') === 'direct v2');
  assert.ok(!w.stderr.some((l) => /^(warn|error) /.test(l)), w.stderr.join('\n'));
  assert.equal(await w.stop('SIGTERM'), 0);
});

test('2. a ServiceAccount token from kubectl create token, least-privilege RBAC, in-cluster layout: namespace from the namespace file', async () => {
  const p0 = await deployWebapp(plane.c, 'sa');
  const token = await leastPrivilegeToken('sa');
  const dir = tmp('cmwatch-sa-');
  writeFile(join(dir, 'token'), token);
  writeFile(join(dir, 'ca.crt'), readFileSync(plane.c.caFile));
  writeFile(join(dir, 'namespace'), 'sa');
  const w = cmwatch(['--action', 'delete-pods'], {
    KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(plane.c.ports.apiserver), CMWATCH_SA_DIR: dir,
  });
  assert.equal(await w.waitFor(/^using /, 30_000),
    `using ${plane.c.server} as system:serviceaccount:sa:cmwatch (in-cluster service account); watching configmaps in namespace sa (from the in-cluster namespace file)`);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/namespaces\/sa\/configmaps/, 30_000);
  await sleep(500);
  await setData(plane.c, 'sa', 'webapp-config', 'least privilege, no proxy');
  await replaced(plane.c, 'sa', 'app=webapp', p0);
  assert.equal(w.stderr.filter((l) => /deleted pod sa\//.test(l)).length, 2);
  assert.ok(!w.stderr.some((l) => /^(warn|error) /.test(l)), w.stderr.join('\n'));
  assert.ok(!w.stderr.join('\n').includes(token), 'the token is never logged');
  assert.equal(await w.stop('SIGTERM'), 0);

  // The same token given by --server --token-file with the CA; a wrong CA is a clear TLS error.
  const tf = writeFile(join(tmp(), 'token'), token);
  const f = cmwatch(['--server', plane.c.server, '--certificate-authority', plane.c.caFile, '--token-file', tf, '-n', 'sa']);
  await f.waitFor(/synced \d+ object/, 30_000);
  assert.equal(await f.stop('SIGTERM'), 0);
  const pki = await testPki();
  const bad = cmwatch(['--server', plane.c.server, '--certificate-authority', pki.wrongCaFile, '--token-file', tf, '-n', 'sa']);
  const line = await bad.waitFor(/TLS/, 30_000);
  console.log(`# wrong CA: ${line}`);
  assert.match(line, new RegExp(`TLS: the certificate of 127\\.0\\.0\\.1:${plane.c.ports.apiserver} is not signed by a trusted CA`));
  assert.match(line, /hint: check --certificate-authority .*wrong-ca\.crt: it must be the CA that signed the API server's certificate/);
});

test('3. a client-certificate user (signed by the cluster CA) from a kubeconfig', async () => {
  await deployWebapp(plane.c, 'certs', 'webapp', 1);
  const dir = tmp('cmwatch-cert-');
  const pki = join(plane.c.dir, 'pki');
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'me.key')]);
  openssl(['req', '-new', '-key', join(dir, 'me.key'), '-subj', '/O=system:masters/CN=cert-admin', '-out', join(dir, 'me.csr')]);
  writeFile(join(dir, 'me.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', join(dir, 'me.csr'), '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial',
    '-CAserial', join(dir, 'ca.srl'), '-days', '1', '-sha256', '-extfile', join(dir, 'me.ext'), '-out', join(dir, 'me.crt')]);
  const kc = kubeconfig(join(dir, 'config'), {
    server: plane.c.server, context: 'certs', userName: 'cert-admin', namespace: 'certs',
    cluster: { 'certificate-authority-data': readFileSync(plane.c.caFile).toString('base64') },
    user: { 'client-certificate': 'me.crt', 'client-key': 'me.key' },
  });
  const w = cmwatch([], { KUBECONFIG: kc });
  assert.equal(await w.waitFor(/^using /, 30_000), `using ${plane.c.server} as cert-admin (kubeconfig context certs); watching configmaps in namespace certs (from kubeconfig context "certs")`);
  await w.waitFor(/synced \d+ object\(s\) from \/api\/v1\/namespaces\/certs\/configmaps/, 30_000);
  await setData(plane.c, 'certs', 'webapp-config', 'seen by a certificate');
  await w.waitFor(/MODIFIED certs\/webapp-config/, 30_000);
  assert.equal(await w.stop('SIGTERM'), 0);
});

test('4. --handler-proxy: the book\'s curl handler deletes the pods with the ServiceAccount\'s least privilege', async () => {
  const p0 = await deployWebapp(plane.c, 'hproxy');
  const token = await leastPrivilegeToken('hproxy');
  const tf = writeFile(join(tmp(), 'token'), token);
  const w = cmwatch(['--server', plane.c.server, '--certificate-authority', plane.c.caFile, '--token-file', tf, '-n', 'hproxy',
    '--handler-proxy', '--exec', join(ROOT, 'examples', 'handlers', 'restart-pods.sh')]);
  const line = await w.waitFor(/^handler proxy on /, 30_000);
  assert.match(line, new RegExp(`^handler proxy on http://127\\.0\\.0\\.1:\\d+ \\(handlers get it as CMWATCH_SERVER\\) → ${plane.c.server.replace(/\./g, '\\.')}$`));
  await w.waitFor(/synced \d+ object/, 30_000);
  await sleep(500);
  await setData(plane.c, 'hproxy', 'webapp-config', 'through the handler proxy');
  const after1 = await replaced(plane.c, 'hproxy', 'app=webapp', p0);
  await eventually('both deletions logged', async () => w.stderr.filter((l) => /^\[restart-pods\.sh hproxy\/webapp-config\] deleted pod hproxy\//.test(l)).length === 2);
  console.log(`# replaced ${p0.map((p) => p.name).join(',')} → ${after1.map((p) => p.name).join(',')}`);
  assert.deepEqual((await pods(plane.c, 'hproxy', 'app=webapp')).length, 2);
  assert.ok(!w.stderr.some((l) => /^(warn|error) /.test(l)), w.stderr.join('\n'));
  assert.equal(await w.stop('SIGTERM'), 0);
});
