/** kubeconfig: which files, merging with kubectl's rules, resolving a context, and the messages of every mistake. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kubeconfigSources, loadKubeconfigs, mergeKubeconfigs, parseKubeconfig, resolveKubeconfig, displayPath, isEmptyKubeconfig,
  type KubeconfigDoc,
} from '../../../src/kube/kubeconfig.js';
import { KubeconfigError } from '../../../src/kube/errors.js';
import { seenByCli } from '../../helpers/through-cli.js';

const HOME = '/home/alice';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM64 = Buffer.from(PEM).toString('base64');

async function doc(yaml: string, file = `${HOME}/.kube/config`): Promise<KubeconfigDoc> {
  return parseKubeconfig(yaml, file, HOME);
}

async function resolveYaml(yaml: string, context?: string, file?: string) {
  return resolveKubeconfig(mergeKubeconfigs([await doc(yaml, file)]), context, HOME);
}

/** Asserts a KubeconfigError (exit 2) whose message matches, with a hint. */
async function rejects(p: Promise<unknown> | (() => unknown), re: RegExp): Promise<KubeconfigError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = seenByCli(e);
  }
  assert.ok(err instanceof KubeconfigError, `expected a KubeconfigError, got ${String(err)}`);
  assert.match(err.message, re);
  assert.equal(err.code, 'E_KUBECONFIG');
  assert.equal(err.exitCode, 2);
  assert.ok(err.hint && err.hint.length > 0, 'has a hint');
  assert.ok(!err.message.includes('\n'), 'one line');
  return err;
}

const KIND = `
apiVersion: v1
kind: Config
current-context: kind-kind
clusters:
- name: kind-kind
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${PEM64}
- name: staging
  cluster:
    server: https://staging.example.com
    certificate-authority: pki/ca.crt
    tls-server-name: api.staging.internal
users:
- name: kind-admin
  user:
    client-certificate-data: ${PEM64}
    client-key-data: ${Buffer.from('-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n').toString('base64')}
- name: staging-sa
  user:
    tokenFile: tokens/sa
contexts:
- name: kind-kind
  context: {cluster: kind-kind, user: kind-admin}
- name: staging
  context: {cluster: staging, user: staging-sa, namespace: web}
`;

test('sources: --kubeconfig, else KUBECONFIG split on ":" (empties and duplicates dropped), else ~/.kube/config', () => {
  assert.deepEqual(kubeconfigSources('k.yaml', { KUBECONFIG: '/a' }, HOME, '/work'), { paths: ['/work/k.yaml'], origin: '--kubeconfig', explicit: true });
  assert.deepEqual(kubeconfigSources(undefined, { KUBECONFIG: '/a::b:/a' }, HOME, '/work'), { paths: ['/a', '/work/b'], origin: 'KUBECONFIG', explicit: false });
  assert.deepEqual(kubeconfigSources(undefined, { KUBECONFIG: '' }, HOME, '/work'), { paths: [`${HOME}/.kube/config`], origin: 'default', explicit: false });
  assert.deepEqual(kubeconfigSources(undefined, {}, HOME), { paths: [`${HOME}/.kube/config`], origin: 'default', explicit: false });
});

test('displayPath shows the home directory as ~', () => {
  assert.equal(displayPath(`${HOME}/.kube/config`, HOME), '~/.kube/config');
  assert.equal(displayPath('/home/alicex/config', HOME), '/home/alicex/config');
});

test('current-context: cluster with inline CA data, user with inline client certificate and key', async () => {
  const r = await resolveYaml(KIND);
  assert.equal(r.context, 'kind-kind');
  assert.equal(r.userName, 'kind-admin');
  assert.equal(r.clusterName, 'kind-kind');
  assert.equal(r.server, 'https://127.0.0.1:6443');
  assert.equal(r.namespace, undefined);
  assert.equal(r.ca?.field, 'certificate-authority-data');
  assert.equal(r.ca?.data?.toString(), PEM);
  assert.equal(r.clientCertificate?.data?.toString(), PEM);
  assert.match(r.clientKey!.data!.toString(), /BEGIN EC PRIVATE KEY/);
  assert.deepEqual(r.auth, { kind: 'none' });
});

test('--context: file fields resolve against the kubeconfig\'s own folder; tls-server-name, tokenFile, namespace', async () => {
  const r = await resolveYaml(KIND, 'staging');
  assert.equal(r.context, 'staging');
  assert.equal(r.namespace, 'web');
  assert.deepEqual({ field: r.ca?.field, file: r.ca?.file }, { field: 'certificate-authority', file: `${HOME}/.kube/pki/ca.crt` });
  assert.equal(r.tlsServerName, 'api.staging.internal');
  assert.deepEqual(r.auth, { kind: 'token-file', file: `${HOME}/.kube/tokens/sa` });
});

test('merge: the first occurrence of a name wins; current-context from the first file that sets it; paths from each entry\'s own file', async () => {
  const a = await doc(`
clusters:
- name: shared
  cluster: {server: "https://a.example", certificate-authority: ca-a.crt}
contexts:
- name: dev
  context: {cluster: shared, user: bob}
`, '/etc/kube/a.yaml');
  const b = await doc(`
current-context: dev
clusters:
- name: shared
  cluster: {server: "https://b.example"}
- name: only-b
  cluster: {server: "https://only-b.example"}
users:
- name: bob
  user: {client-certificate: certs/bob.crt, client-key: /abs/bob.key}
contexts:
- name: dev
  context: {cluster: only-b, user: bob}
`, '/srv/b/b.yaml');
  const c = await doc('current-context: other\n', '/srv/c.yaml');
  const m = mergeKubeconfigs([a, b, c]);
  assert.deepEqual(m.files, ['/etc/kube/a.yaml', '/srv/b/b.yaml', '/srv/c.yaml']);
  assert.deepEqual(m.currentContext, { name: 'dev', file: '/srv/b/b.yaml' });
  const r = resolveKubeconfig(m, undefined, HOME);
  assert.equal(r.server, 'https://a.example', 'context dev and cluster shared come from the first file');
  assert.equal(r.ca?.file, '/etc/kube/ca-a.crt', 'relative to a.yaml');
  assert.equal(r.clientCertificate?.file, '/srv/b/certs/bob.crt', 'relative to b.yaml, where user bob is defined');
  assert.equal(r.clientKey?.file, '/abs/bob.key');
});

test('users: token, basic auth, exec (v1 and v1beta1 defaulting), and a relative exec command', async () => {
  const base = (user: string) => `
current-context: c
clusters: [{name: k, cluster: {server: "https://k:6443"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
${user}`;
  assert.deepEqual((await resolveYaml(base('    token: abc'))).auth, { kind: 'token', token: 'abc' });
  assert.deepEqual((await resolveYaml(base('    username: u1\n    password: p1'))).auth, { kind: 'basic', username: 'u1', password: 'p1' });
  const v1 = await resolveYaml(base(`    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      args: [get-token, --cluster, k]
      env: [{name: PROFILE, value: dev}]
      interactiveMode: Never
      provideClusterInfo: true
      installHint: install plugin`), undefined, '/srv/kube/config');
  assert.equal(v1.auth.kind, 'exec');
  if (v1.auth.kind === 'exec') {
    assert.deepEqual(v1.auth.exec, {
      command: '/srv/kube/bin/plugin', args: ['get-token', '--cluster', 'k'], env: [{ name: 'PROFILE', value: 'dev' }],
      apiVersion: 'client.authentication.k8s.io/v1', installHint: 'install plugin', provideClusterInfo: true, interactiveMode: 'Never',
    });
  }
  const beta = await resolveYaml(base(`    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}`));
  assert.ok(beta.auth.kind === 'exec' && beta.auth.exec.interactiveMode === 'IfAvailable' && beta.auth.exec.command === 'aws', 'v1beta1 defaults to IfAvailable; a bare command is looked up on PATH');
});

test('errors name the file, the context and the field', async () => {
  const shown = '~/.kube/config';
  await rejects(resolveYaml(KIND, 'prod'), new RegExp(`^kubeconfig ${shown}: context "prod" not found \\(have: kind-kind, staging\\)$`));
  await rejects(resolveYaml(KIND.replace('current-context: kind-kind', 'current-context: gone')), /^kubeconfig ~\/\.kube\/config: context "gone" \(current-context in ~\/\.kube\/config\) not found \(have: kind-kind, staging\)$/);
  await rejects(resolveYaml(KIND.replace('current-context: kind-kind', '')), /^kubeconfig ~\/\.kube\/config: current-context is not set \(have: kind-kind, staging\)$/);

  const one = (cluster: string, user: string, ctx = 'cluster: k, user: u') => `
current-context: c
clusters: [{name: k, cluster: {${cluster}}}]
users: [{name: u, user: {${user}}}]
contexts: [{name: c, context: {${ctx}}}]
`;
  await rejects(resolveYaml(one('server: "https://k"', '', 'user: u')), /^kubeconfig ~\/\.kube\/config: context "c": cluster is not set$/);
  await rejects(resolveYaml(one('server: "https://k"', '', 'cluster: nope, user: u')), /context "c": cluster "nope" not found \(have: k\)$/);
  await rejects(resolveYaml(one('server: "https://k"', '', 'cluster: k')), /context "c": user is not set$/);
  await rejects(resolveYaml(one('server: "https://k"', '', 'cluster: k, user: nobody')), /context "c": user "nobody" not found \(have: u\)$/);
  await rejects(resolveYaml(one('server: "https://k"', '', 'cluster: k, user: u, namespace: Bad_NS')), /context "c": namespace "Bad_NS" is not a valid name$/);
  await rejects(resolveYaml(one('insecure-skip-tls-verify: true', '')), /^kubeconfig ~\/\.kube\/config: cluster "k" \(context "c"\): server is not set$/);
  await rejects(resolveYaml(one('server: "not a url"', '')), /cluster "k" \(context "c"\): server "not a url" is not a valid URL$/);
  await rejects(resolveYaml(one('server: "ftp://k"', '')), /server "ftp:\/\/k" has unsupported scheme "ftp:"$/);
  await rejects(resolveYaml(one('server: "https://k", certificate-authority-data: "@@not base64@@"', '')), /cluster "k" \(context "c"\): certificate-authority-data is not valid base64$/);
  await rejects(resolveYaml(one(`server: "https://k", certificate-authority-data: ${Buffer.from('hello').toString('base64')}`, '')), /certificate-authority-data does not decode to PEM/);
  await rejects(resolveYaml(one(`server: "https://k", certificate-authority-data: ${PEM64}, insecure-skip-tls-verify: true`, '')), /insecure-skip-tls-verify and certificate-authority-data are both set$/);
  await rejects(resolveYaml(one('server: "https://k", proxy-url: "http://proxy:3128"', '')), /cluster "k" \(context "c"\): proxy-url is not supported/);
  await rejects(resolveYaml(one('server: 6443', '')), /cluster "k": server must be a string, got a number$/);
  await rejects(resolveYaml(one('server: "https://k", insecure-skip-tls-verify: "yes"', '')), /cluster "k": insecure-skip-tls-verify must be true or false, got "yes"$/);

  const u = (user: string) => resolveYaml(one('server: "https://k"', user));
  await rejects(u(`client-certificate-data: ${PEM64}`), /^kubeconfig ~\/\.kube\/config: user "u" \(context "c"\): client-certificate is set but client-key is not$/);
  await rejects(u('client-key: k.pem'), /user "u" \(context "c"\): client-key is set but client-certificate is not$/);
  await rejects(u(`client-certificate: c.pem, client-certificate-data: ${PEM64}, client-key: k.pem`), /client-certificate and client-certificate-data are both set$/);
  await rejects(u(`client-certificate: c.pem, client-key-data: "%%%"`), /user "u" \(context "c"\): client-key-data is not valid base64$/);
  await rejects(u('token: t, username: a, password: b'), /user "u" \(context "c"\): more than one authentication method \(token, username\/password\)$/);
  await rejects(u('username: a'), /user "u" \(context "c"\): password is not set$/);
  await rejects(u('auth-provider: {name: gcp}'), /user "u" \(context "c"\): auth-provider "gcp" is not supported/);
  await rejects(u('exec: {apiVersion: client.authentication.k8s.io/v1}'), /user "u" \(context "c"\): exec\.command is not set$/);
  await rejects(u('exec: {command: x}'), /exec\.apiVersion is not set$/);
  await rejects(u('exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}'), /exec\.apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported$/);
  await rejects(u('exec: {command: x, apiVersion: client.authentication.k8s.io/v1}'), /user "u" \(context "c"\): exec\.interactiveMode is not set \(required with client\.authentication\.k8s\.io\/v1\)$/);
  await rejects(u('exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}'), /exec\.interactiveMode "Sometimes" is not one of Never, IfAvailable, Always$/);
  await rejects(u('exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, env: [{value: v}]}'), /exec\.env\[0\] has no name$/);
  await rejects(u('exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, args: [1]}'), /exec\.args must be a list of strings$/);
});

test('malformed files: not YAML, not a mapping, a list that is not a list, an entry without a name', async () => {
  await rejects(doc('clusters: [unclosed'), /^kubeconfig ~\/\.kube\/config: not valid YAML: /);
  await rejects(doc('- just\n- a list\n'), /^kubeconfig ~\/\.kube\/config: not a kubeconfig \(the document is a list\)$/);
  await rejects(doc('clusters: {name: x}\n'), /^kubeconfig ~\/\.kube\/config: clusters must be a list, got a mapping$/);
  await rejects(doc('users:\n- user: {token: t}\n'), /^kubeconfig ~\/\.kube\/config: users\[0\] has no name$/);
  await rejects(doc('contexts:\n- name: c\n  context: [a]\n'), /context "c": context must be a mapping, got a list$/);
  assert.ok(isEmptyKubeconfig(mergeKubeconfigs([await doc('')])), 'an empty file defines nothing');
  assert.ok(!isEmptyKubeconfig(mergeKubeconfigs([await doc(KIND)])));
});

test('loading: files missing from KUBECONFIG are skipped; a missing --kubeconfig is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-kc-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'one.yaml'), 'current-context: x\n');
  const docs = await loadKubeconfigs(kubeconfigSources(undefined, { KUBECONFIG: `${dir}/absent.yaml:${dir}/sub/one.yaml` }, HOME), HOME);
  assert.deepEqual(docs.map((d) => d.file), [`${dir}/sub/one.yaml`]);
  await rejects(loadKubeconfigs(kubeconfigSources(`${dir}/absent.yaml`, {}, HOME), HOME), new RegExp(`^kubeconfig ${dir}/absent\\.yaml \\(from --kubeconfig\\): cannot read: no such file$`));
  await rejects(loadKubeconfigs(kubeconfigSources(`${dir}/sub`, {}, HOME), HOME), /\(from --kubeconfig\): cannot read: is a directory$/);
});
