/**
 * `cmwatch doctor` against the real control plane (issue 17): the admin
 * gets every line ✓ and exit 0; a ServiceAccount with no RBAC gets the
 * precise ✗ lines (each verb, each resource, the namespace check) and exit 1;
 * a missing handler and a missing namespace are ✗ lines with hints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { planeFixture, ensureNamespace } from '../helpers/plane.js';
import { tmp, writeFile } from '../helpers/direct.js';

const plane = planeFixture();

const out = (c: { stdout: string[] }) => c.stdout.filter((l) => l !== '');

test('admin: every check is ✓ (connection, server, resource, namespace, RBAC of --action delete-pods, handler, jq and curl), exit 0', async () => {
  await ensureNamespace(plane.c, 'doctor');
  const dir = tmp();
  const handler = writeFile(join(dir, 'h.sh'), '#!/usr/bin/env bash\njq -r .type | curl -s -o /dev/null "$CMWATCH_SERVER" || true\n', 0o755);
  const c = plane.cmwatch(['doctor', '--kubeconfig', plane.c.kubeconfig, '-n', 'doctor', '--action', 'delete-pods', '--exec', handler]);
  assert.equal(await c.exited, 0, c.stdout.join('\n') + c.stderr.join('\n'));
  const lines = out(c);
  assert.ok(lines.every((l) => l.startsWith('✓ ')), lines.join('\n'));
  assert.match(lines[0]!, /^✓ connection: using https:\/\/127\.0\.0\.1:\d+ as cmwatch-admin \(kubeconfig context cmwatch-test\), kubeconfig \S+$/);
  assert.match(lines[1]!, /^✓ API server v1\.\d+\.\d+\S* answers at /);
  assert.ok(lines.includes('✓ resource configmaps: configmaps (v1 ConfigMap, namespaced)'), lines.join('\n'));
  assert.ok(lines.includes('✓ namespace doctor exists'), lines.join('\n'));
  for (const need of ['list configmaps', 'watch configmaps']) assert.ok(lines.includes(`✓ RBAC: may ${need} in namespace doctor (to watch)`), lines.join('\n'));
  for (const need of ['list pods', 'delete pods']) assert.ok(lines.includes(`✓ RBAC: may ${need} in namespace doctor (for --action delete-pods)`), lines.join('\n'));
  assert.ok(lines.includes(`✓ handler ${handler}: ${handler} is executable`), lines.join('\n'));
  assert.ok(lines.some((l) => /^✓ jq on PATH \(.*\), used by /.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^✓ curl on PATH \(.*\), used by /.test(l)), lines.join('\n'));
});

test('a ServiceAccount with no RBAC: precise ✗ lines for every verb and the namespace, exit 1', async () => {
  await ensureNamespace(plane.c, 'doctor');
  await plane.c.kubectl(['create', 'serviceaccount', 'nobody', '-n', 'doctor']);
  const token = (await plane.c.kubectl(['create', 'token', 'nobody', '-n', 'doctor', '--duration=1h'])).stdout.trim();
  const kubeconfig = await plane.c.kubeconfigFor(token, 'nobody');
  const c = plane.cmwatch(['doctor', '--kubeconfig', kubeconfig, '-n', 'doctor', '--action', 'delete-pods', '--exec', '/nonexistent/h.sh']);
  assert.equal(await c.exited, 1, c.stdout.join('\n') + c.stderr.join('\n'));
  const lines = out(c);
  assert.match(lines[0]!, /^✓ connection: using https:\/\/127\.0\.0\.1:\d+ as nobody /);
  assert.ok(lines.includes('✗ namespace doctor: cannot tell whether it exists (may not get namespaces) (hint: check it with kubectl get namespace, or grant get on namespaces)'), lines.join('\n'));
  for (const [need, why] of [['list configmaps', 'to watch'], ['watch configmaps', 'to watch'], ['list pods', 'for --action delete-pods'], ['delete pods', 'for --action delete-pods']]) {
    const verb = need.split(' ')[0];
    const resource = need.split(' ')[1];
    assert.ok(lines.includes(`✗ RBAC: may not ${need} in namespace doctor (${why}) (hint: grant it, e.g. kubectl create role cmwatch -n doctor --verb=${verb} --resource=${resource} and a rolebinding; see README "RBAC, per mode")`), lines.join('\n'));
  }
  assert.ok(lines.includes('✗ handler /nonexistent/h.sh: "/nonexistent/h.sh" not found (hint: give the path of an executable file, e.g. --exec ./handler.sh)'), lines.join('\n'));
  assert.ok(!lines.some((l) => /^✓ RBAC/.test(l)), lines.join('\n'));
});

test('a namespace that does not exist and a resource that is not served are ✗ lines; exit 1', async () => {
  const c = plane.cmwatch(['doctor', 'nosuchthings', '--kubeconfig', plane.c.kubeconfig, '-n', 'no-such-ns']);
  assert.equal(await c.exited, 1);
  const lines = out(c);
  assert.ok(lines.includes('✗ namespace no-such-ns does not exist (hint: create it (kubectl create namespace no-such-ns) or fix -n)'), lines.join('\n'));
  assert.ok(lines.some((l) => /^✗ resource nosuchthings: .*\(hint: /.test(l)), lines.join('\n'));
});
