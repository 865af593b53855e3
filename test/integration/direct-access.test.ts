/**
 * Direct API access (issue #6) with the real CLI against the fake API server
 * over HTTPS, with certificates made in the test: the resolution order and
 * its start line, CA verification, a wrong CA, a client-certificate user,
 * tls-server-name, --insecure-skip-tls-verify, the namespace from the
 * context, KUBECONFIG merging, the handler's environment, in-cluster, and the
 * one-line exit-2 errors of a bad configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeApiServer, FakeApiServerOptions } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { until, type CliRun } from '../helpers/cli.js';
import { testPki } from '../helpers/pki.js';
import { fakeJwt, isolatedEnv, kubeconfig, saDir, tmp, writeFile } from '../helpers/direct.js';

const fx = fakeFixture({
  lazy: true,
  seed: (api) => {
    api.upsertConfigMap('default', 'app-config', { v: '1' });
    api.upsertConfigMap('team', 'team-config', { v: '1' });
  },
});

const fake = (opts: FakeApiServerOptions): Promise<FakeApiServer> => fx.start(opts);

function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  return fx.run(args, { env: isolatedEnv(env) });
}

const port = (a: FakeApiServer) => new URL(a.url).port;

test('--server with --certificate-authority and --token-file: the CA-verified connection works, the token is sent', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['t0ken-A'] });
  const tf = writeFile(join(tmp(), 'token'), 't0ken-A\n');
  const c = cli(['--server', a.url, '--certificate-authority', pki.caFile, '--token-file', tf, '-n', 'default']);
  assert.equal(await c.waitFor(/^using /), `using ${a.url} as the token in ${tf} (--server); watching configmaps in namespace default`);
  await c.waitFor(/synced 1 object/);
  assert.ok(a.requests.length >= 1);
  assert.ok(a.requests.every((r) => r.user === 'token:t0ken-A'));
  assert.ok(!c.stderr.join('\n').includes('t0ken-A'), 'the token is never logged');
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('a wrong CA: a clear one-line TLS error naming the server and the CA it was checked against; nothing reaches the API', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert } });
  const c = cli(['--server', a.url, '--certificate-authority', pki.wrongCaFile, '-n', 'default']);
  const line = await c.waitFor(/TLS/);
  assert.match(line, new RegExp(`^warn list ${a.url.replace(/\./g, '\\.')}/api/v1/namespaces/default/configmaps\\?limit=500: TLS: the certificate of 127\\.0\\.0\\.1:${port(a)} is not signed by a trusted CA: `));
  assert.match(line, /\[?UNABLE_TO_VERIFY_LEAF_SIGNATURE\]?|unable to verify/);
  assert.match(line, new RegExp(`\\(hint: check --certificate-authority ${pki.wrongCaFile.replace(/\./g, '\\.')}: it must be the CA that signed the API server's certificate\\)`));
  assert.equal(a.requests.length, 0);

  // The same through a kubeconfig: the hint names the field, the cluster and the file.
  const dir = tmp();
  const kc = kubeconfig(join(dir, 'config'), { server: a.url, cluster: { 'certificate-authority-data': readFileSync(pki.wrongCaFile).toString('base64') } });
  const k = cli(['--kubeconfig', kc, '-n', 'default']);
  const kline = await k.waitFor(/TLS/);
  assert.match(kline, new RegExp(`hint: check the certificate-authority-data of cluster "fake-cluster" in kubeconfig ${kc.replace(/\./g, '\\.')}: it must be`));
  assert.equal(k.child.exitCode, null, 'retried, like any network failure');
});

test('kubeconfig: a client-certificate user (relative paths from the kubeconfig\'s folder) is accepted', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert, clientCa: pki.ca } });
  const dir = tmp();
  mkdirSync(join(dir, 'certs'));
  copyFileSync(pki.caFile, join(dir, 'certs', 'ca.crt'));
  copyFileSync(pki.clientCertFile, join(dir, 'certs', 'me.crt'));
  copyFileSync(pki.clientKeyFile, join(dir, 'certs', 'me.key'));
  const kc = kubeconfig(join(dir, 'config'), {
    server: a.url, context: 'fake-ctx', userName: 'cert-user',
    cluster: { 'certificate-authority': 'certs/ca.crt' },
    user: { 'client-certificate': 'certs/me.crt', 'client-key': 'certs/me.key' },
  });
  const c = cli(['-n', 'default'], { KUBECONFIG: kc });
  assert.equal(await c.waitFor(/^using /), `using ${a.url} as cert-user (kubeconfig context fake-ctx); watching configmaps in namespace default`);
  await c.waitFor(/synced 1 object/);
  assert.ok(a.requests.every((r) => r.user === 'cert:cmwatch-client'), JSON.stringify(a.requests.map((r) => r.user)));
  assert.equal(a.unauthorized.length, 0);
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('kubeconfig tls-server-name: SNI and verification use that name; without it the name mismatch is explained', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.namedServerKey, cert: pki.namedServerCert } });
  const dir = tmp();
  const ca = readFileSync(pki.caFile).toString('base64');
  const good = kubeconfig(join(dir, 'good'), { server: a.url, cluster: { 'certificate-authority-data': ca, 'tls-server-name': 'api.internal' } });
  const c = cli(['--kubeconfig', good, '-n', 'default']);
  await c.waitFor(/synced 1 object/);
  assert.equal(await c.stop('SIGTERM'), 0);
  const bad = kubeconfig(join(dir, 'bad'), { server: a.url, cluster: { 'certificate-authority-data': ca } });
  const b = cli(['--kubeconfig', bad, '-n', 'default']);
  const line = await b.waitFor(/TLS/);
  assert.match(line, new RegExp(`TLS: the certificate of 127\\.0\\.0\\.1:${port(a)} is not valid for that name: .*\\(hint: use a server name the certificate lists, or set tls-server-name in the kubeconfig cluster\\)`));
});

test('--insecure-skip-tls-verify: a warning, then it works', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert } });
  const c = cli(['--server', a.url, '--insecure-skip-tls-verify', '-n', 'default']);
  assert.match(await c.waitFor(/insecure/), new RegExp(`^warn --insecure-skip-tls-verify: the certificate of ${a.url.replace(/\./g, '\\.')} is not verified`));
  assert.match(await c.waitFor(/^using /), / as anonymous \(--server\)/);
  await c.waitFor(/synced 1 object/);
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('KUBECONFIG lists are merged (first name wins, current-context from the first file that has one); the context\'s namespace applies; handlers get KUBECONFIG and the real API URL', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['from-b'] });
  const dir = tmp();
  // a.yaml: the context (namespace team) and a decoy user of the same name as b's that is never used... first wins, so b's user must have a distinct name.
  const fileA = writeFile(join(dir, 'a.yaml'), JSON.stringify({
    contexts: [{ name: 'work', context: { cluster: 'shared', user: 'bob', namespace: 'team' } }],
    'current-context': 'work',
  }));
  const fileB = writeFile(join(dir, 'b.yaml'), JSON.stringify({
    'current-context': 'ignored',
    clusters: [{ name: 'shared', cluster: { server: a.url, 'certificate-authority-data': pki.ca.toString('base64') } }],
    users: [{ name: 'bob', user: { token: 'from-b' } }],
    contexts: [{ name: 'work', context: { cluster: 'nowhere', user: 'nobody' } }],
  }));
  const out = tmp();
  const handler = writeFile(join(out, 'env.sh'), `#!/usr/bin/env bash\ncat >/dev/null\nprintf '%s\\n%s\\n' "$KUBECONFIG" "$CMWATCH_SERVER" > "${out}/env"\n`, 0o755);
  chmodSync(handler, 0o755);
  const c = cli(['--exec', handler], { KUBECONFIG: `${fileA}:${join(dir, 'missing.yaml')}:${fileB}` });
  assert.equal(await c.waitFor(/^using /), `using ${a.url} as bob (kubeconfig context work); watching configmaps in namespace team (from kubeconfig context "work")`);
  await c.waitFor(/synced 1 object/);
  assert.ok(a.requests.some((r) => r.path === '/api/v1/namespaces/team/configmaps'));
  assert.ok(!a.requests.some((r) => r.path.includes('/namespaces/default/')));
  a.upsertConfigMap('team', 'team-config', { v: '2' });
  await until(() => existsSync(join(out, 'env')), 10_000, 'the handler ran');
  assert.deepEqual(readFileSync(join(out, 'env'), 'utf8').split('\n').slice(0, 2), [`${fileA}:${fileB}`, a.url]);
  assert.equal(await c.stop('SIGTERM'), 0);

  // -n wins over the context's namespace.
  const n = cli(['-n', 'default'], { KUBECONFIG: `${fileA}:${fileB}` });
  assert.match(await n.waitFor(/^using /), /watching configmaps in namespace default$/);
  await n.waitFor(/synced 1 object/);
});

test('in-cluster: the service account token, CA and namespace file; the start line names the service account', async () => {
  const pki = await testPki();
  const token = fakeJwt('system:serviceaccount:team:cmwatch');
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: [token] });
  const sa = saDir(token, pki.ca, 'team');
  const c = cli([], { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port(a), CMWATCH_SA_DIR: sa });
  assert.equal(await c.waitFor(/^using /),
    `using ${a.url} as system:serviceaccount:team:cmwatch (in-cluster service account); watching configmaps in namespace team (from the in-cluster namespace file)`);
  await c.waitFor(/synced 1 object/);
  assert.ok(a.requests.every((r) => r.user === `token:${token}`));
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('nothing configured: the kubectl proxy on localhost:8001, as before; an explicit http --server is the proxy too', async () => {
  const c = cli(['-n', 'default']);
  assert.equal(await c.waitFor(/^using /), 'using http://localhost:8001 via kubectl proxy (no credentials of its own); watching configmaps in namespace default');
  await c.stop('SIGKILL');
  const a = await fake({});
  const p = cli(['-n', 'default'], { CMWATCH_SERVER: a.url });
  assert.equal(await p.waitFor(/^using /), `using ${a.url} via kubectl proxy (no credentials of its own); watching configmaps in namespace default`);
  await p.waitFor(/synced 1 object/);
  assert.equal(await p.stop('SIGTERM'), 0);
});

// ---------------------------------------------------------------------------
// configuration errors: one line with a hint, exit 2, nothing reaches the API

async function configError(args: string[], env: NodeJS.ProcessEnv, re: RegExp, a?: FakeApiServer): Promise<string> {
  const c = cli(args, env);
  const code = await c.exited;
  assert.equal(code, 2, c.stderr.join('\n'));
  assert.equal(c.stderr.length, 1, `one line, got:\n${c.stderr.join('\n')}`);
  assert.match(c.stderr[0]!, re);
  assert.match(c.stderr[0]!, /^cmwatch: .* \(hint: .+\)$/);
  assert.equal(c.stdout.length, 0);
  if (a) assert.equal(a.requests.length + a.unauthorized.length, 0, 'nothing reached the API');
  return c.stderr[0]!;
}

test('configuration errors name the file, the context and the field; exit 2', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['x'] });
  const dir = tmp();
  const ca = pki.ca.toString('base64');
  const good = kubeconfig(join(dir, 'good'), { server: a.url, cluster: { 'certificate-authority-data': ca }, user: { token: 'x' } });

  await configError(['--kubeconfig', good, '--context', 'prod'], {}, new RegExp(`^cmwatch: kubeconfig ${good}: context "prod" not found \\(have: fake\\) \\(hint: pick one with --context NAME`), a);
  await configError(['--kubeconfig', join(dir, 'absent')], {}, /^cmwatch: kubeconfig .*\/absent \(from --kubeconfig\): cannot read: no such file/, a);

  // ~/.kube/config is shown as such.
  const home = tmp('cmwatch-home-');
  kubeconfig(join(home, '.kube', 'config'), { server: a.url, currentContext: null });
  await configError([], { HOME: home }, /^cmwatch: kubeconfig ~\/\.kube\/config: current-context is not set \(have: fake\) \(hint: pass --context NAME/, a);

  const missingTokenFile = kubeconfig(join(dir, 'tf'), { server: a.url, cluster: { 'certificate-authority-data': ca }, user: { tokenFile: 'tokens/none' } });
  await configError(['--kubeconfig', missingTokenFile], {},
    new RegExp(`^cmwatch: kubeconfig ${missingTokenFile}: user "fake-user" \\(context "fake"\\): tokenFile ${dir}/tokens/none: cannot read \\(ENOENT\\)`), a);
  const missingCa = kubeconfig(join(dir, 'ca'), { server: a.url, cluster: { 'certificate-authority': 'nope/ca.crt' }, user: { token: 'x' } });
  await configError(['--kubeconfig', missingCa], {},
    new RegExp(`^cmwatch: kubeconfig ${missingCa}: cluster "fake-cluster" \\(context "fake"\\): certificate-authority ${dir}/nope/ca\\.crt: cannot read \\(ENOENT\\)`), a);
  const noServer = kubeconfig(join(dir, 'ns'), { server: '' });
  await configError(['--kubeconfig', noServer], {}, /: cluster "fake-cluster" \(context "fake"\): server is not set \(hint: kubectl config set-cluster fake-cluster --server=/, a);

  // exec plugins: a failure reports the plugin's stderr; Always without a terminal.
  const plugin = writeFile(join(dir, 'login.sh'), '#!/usr/bin/env bash\necho "error: not logged in; run: login --sso" >&2\nexit 1\n', 0o755);
  chmodSync(plugin, 0o755);
  const failing = kubeconfig(join(dir, 'exec'), {
    server: a.url, cluster: { 'certificate-authority-data': ca },
    user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './login.sh', interactiveMode: 'Never' } },
  });
  await configError(['--kubeconfig', failing], {},
    new RegExp(`^cmwatch: exec plugin "login\\.sh" \\(kubeconfig ${failing}: user "fake-user" \\(context "fake"\\)\\) exited with code 1: error: not logged in; run: login --sso \\(hint:`), a);
  const always = kubeconfig(join(dir, 'always'), {
    server: a.url, cluster: { 'certificate-authority-data': ca },
    user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './login.sh', interactiveMode: 'Always' } },
  });
  await configError(['--kubeconfig', always], {}, /^cmwatch: exec plugin "login\.sh" \(.*\): interactiveMode is Always but standard input is not a terminal \(hint:/, a);

  // Flags.
  await configError(['--server', a.url, '--certificate-authority', join(dir, 'none.crt')], {}, /^cmwatch: --certificate-authority .*\/none\.crt: cannot read \(ENOENT\)/, a);
  await configError(['--server', a.url, '--context', 'fake'], {}, /^cmwatch: --server and --context exclude each other/, a);
  await configError(['--server', a.url, '--token', 'a', '--token-file', 'b'], {}, /^cmwatch: --token and --token-file exclude each other/, a);
  await configError(['--server', a.url, '--client-certificate', 'c.crt'], {}, /^cmwatch: --client-certificate needs --client-key/, a);
  await configError(['--server', a.url, '--insecure-skip-tls-verify', '--certificate-authority', 'ca.crt'], {}, /^cmwatch: --insecure-skip-tls-verify and --certificate-authority exclude each other/, a);
  await configError(['--server', 'http://127.0.0.1:1', '--certificate-authority', 'ca.crt'], {}, /^cmwatch: --certificate-authority applies to an https:\/\/ server, but --server is http:\/\/127\.0\.0\.1:1/, a);
  await configError(['--token-file', 'x'], {}, /^cmwatch: --token-file needs --server \(or CMWATCH_SERVER\)/, a);
  await configError(['--context', 'x'], {}, /^cmwatch: --context x: no kubeconfig to take it from \(looked in ~\/\.kube\/config\)/, a);
});

test('CMWATCH_SERVER gives way to --kubeconfig/--context; an empty ~/.kube/config is no kubeconfig', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert }, tokens: ['k'] });
  const kc = kubeconfig(join(tmp(), 'config'), { server: a.url, cluster: { 'certificate-authority-data': pki.ca.toString('base64') }, user: { token: 'k' } });
  const c = cli(['--kubeconfig', kc, '-n', 'default'], { CMWATCH_SERVER: 'http://127.0.0.1:1' });
  assert.match(await c.waitFor(/^using /), new RegExp(`^using ${a.url.replace(/\./g, '\\.')} as fake-user \\(kubeconfig context fake\\)`));
  await c.waitFor(/synced/);
  await c.stop('SIGTERM');
  const home = tmp('cmwatch-home-');
  writeFile(join(home, '.kube', 'config'), '');
  const e = cli(['-n', 'default'], { HOME: home });
  assert.match(await e.waitFor(/^using /), /^using http:\/\/localhost:8001 via kubectl proxy/);
});

test('an exec plugin that hands out a client certificate: the TLS connection uses it', async () => {
  const pki = await testPki();
  const a = await fake({ tls: { key: pki.serverKey, cert: pki.serverCert, clientCa: pki.ca } });
  const dir = tmp();
  const plugin = writeFile(join(dir, 'cert-plugin.sh'), `#!/usr/bin/env bash
set -eu
echo run >> "${dir}/runs"
jq -n --rawfile c "${pki.clientCertFile}" --rawfile k "${pki.clientKeyFile}" \\
  '{apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: {clientCertificateData: $c, clientKeyData: $k}}'
`, 0o755);
  chmodSync(plugin, 0o755);
  const kc = kubeconfig(join(dir, 'config'), {
    server: a.url, cluster: { 'certificate-authority-data': pki.ca.toString('base64') },
    user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin } },
  });
  const c = cli(['--kubeconfig', kc, '-n', 'default']);
  await c.waitFor(/synced 1 object/);
  await until(() => a.requests.some((r) => r.query.watch === 'true'), 10_000, 'the watch');
  assert.ok(a.requests.every((r) => r.user === 'cert:cmwatch-client'), JSON.stringify(a.requests.map((r) => r.user)));
  assert.equal(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length, 1, 'run once, cached');
  assert.equal(await c.stop('SIGTERM'), 0);
});
