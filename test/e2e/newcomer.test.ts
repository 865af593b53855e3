/**
 * Issue #17 (the newcomer's first ten minutes) against the real control plane:
 * examples/handlers/restart-pods.sh run exactly as its header says; a
 * namespace that does not exist gets one warning and the watch goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { startBash } from '../helpers/bash-lines.js';
import { planeFixture, deployWebapp, setData, replaced, eventually } from '../helpers/plane.js';
import { isolatedEnv } from '../helpers/direct.js';

const plane = planeFixture({}, isolatedEnv);

/** Runs a shell command line as a user would, from the clone, with KUBECONFIG naming the plane; collects its lines. */
function shell(line: string) {
  const env = { ...process.env, ...isolatedEnv({ KUBECONFIG: plane.c.kubeconfig, NO_COLOR: '1', CMWATCH_SERVER: undefined }) };
  // `cmwatch` as after `npm link`: a function that runs the clone's bin.
  const script = `cmwatch() { node ${JSON.stringify(join(ROOT, 'bin', 'cmwatch.js'))} "$@"; }\n${line}`;
  return startBash(script, env);
}

test('examples/handlers/restart-pods.sh runs exactly as its header says and deletes the pods, with no curl error', async () => {
  const file = join(ROOT, 'examples', 'handlers', 'restart-pods.sh');
  const header = readFileSync(file, 'utf8').split('\n').find((l) => /^#\s+cmwatch .*restart-pods\.sh/.test(l));
  assert.ok(header, 'the header shows how to run it');
  const line = header.replace(/^#\s+/, '');
  const p0 = await deployWebapp(plane.c, 'default');
  const run = shell(line);
  try {
    await eventually('synced', async () => run.stderr.some((l) => /^synced \d+ object/.test(l)), 60_000);
    await setData(plane.c, 'default', 'webapp-config', 'v2');
    await replaced(plane.c, 'default', 'app=webapp', p0);
    await eventually('both deletions logged', async () => run.stderr.filter((l) => /\[restart-pods\.sh default\/webapp-config\] deleted pod default\//.test(l)).length === 2, 60_000);
    assert.deepEqual(run.stderr.filter((l) => /SSL|curl:|failed to delete/.test(l)), []);
  } finally {
    run.kill();
  }
});

test('a namespace that does not exist: one warning at start, the watch goes on and sees it once created', async () => {
  const w = plane.cmwatch(['-n', 'not-yet', '--on', 'ADDED', '--kubeconfig', plane.c.kubeconfig]);
  const warning = await w.waitFor(/^warn namespace not-yet/, 60_000);
  assert.equal(warning, 'warn namespace not-yet does not exist; watching it anyway, its objects appear once it is created (hint: check -n, or create it: kubectl create namespace not-yet) reason=namespace-missing');
  await w.waitFor(/^synced 0 object/, 60_000);
  await plane.c.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: not-yet}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: not-yet}\ndata: {a: "1"}\n');
  await w.waitFor(/^ADDED not-yet\/late/, 60_000);
  assert.equal(w.stderr.filter((l) => /does not exist/.test(l)).length, 1);
  await w.stop();
});

test('a namespace that does not exist, as a user RBAC does not allow to get namespaces: no warning, no error (403 says nothing)', async () => {
  await plane.c.apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: cm-reader, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cm-reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cm-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-reader}
subjects: [{kind: ServiceAccount, name: cm-reader, namespace: default}]
`);
  const denied = await plane.c.kubectl(['auth', 'can-i', 'get', 'namespaces', '--as=system:serviceaccount:default:cm-reader'], { allowFail: true });
  assert.equal(denied.stdout.trim(), 'no');
  const token = (await plane.c.kubectl(['create', 'token', 'cm-reader', '-n', 'default', '--duration=1h'])).stdout.trim();
  const w = plane.cmwatch(['-n', 'never-there', '--log-level', 'debug', '--kubeconfig', await plane.c.kubeconfigFor(token)]);
  await w.waitFor(/^debug namespace never-there: existence not checked \(no permission to get namespaces\)/, 60_000);
  await w.waitFor(/^synced 0 object/, 60_000);
  assert.deepEqual(w.stderr.filter((l) => /^(warn|error) /.test(l)), []);
  await w.stop();
});
