/**
 * What kubectl users expect (issue 17), against the real control plane: the
 * kubectl plugin installed by `npm install -g` into a temporary prefix,
 * with kubectl's global flags before the subcommand, and `cmwatch version`
 * reading the real server's GET /version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { planeFixture } from '../helpers/plane.js';
import { completeBash } from '../helpers/complete-bash.js';

const run = promisify(execFile);
const plane = planeFixture();

test('npm install -g . provides kubectl-cmwatch: kubectl cmwatch --help, and kubectl\'s global flags before the subcommand', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-plugin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // dist/ is built by the test run; pack it as published, then install the tarball globally into the prefix.
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const prefix = join(dir, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, tarball)], { cwd: dir });
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' };

  const help = await run('kubectl', ['cmwatch', '--help'], { env, cwd: dir });
  assert.match(help.stdout, /^Usage: kubectl cmwatch /);
  assert.match(help.stdout, /^  events \[options\]/m);

  const events = await run('kubectl', ['cmwatch', 'events', '--help'], { env, cwd: dir });
  assert.match(events.stdout, /^Usage: kubectl cmwatch events /);
  assert.match(events.stdout, /^Connection:$/m);

  // As kubectl passes them: the global flags first, then the subcommand.
  const v = await run('kubectl', ['cmwatch', '--kubeconfig', plane.c.kubeconfig, 'version'], { env, cwd: dir });
  const lines = v.stdout.trim().split('\n');
  assert.match(lines[0]!, /^cmwatch \d+\.\d+\.\d+/);
  assert.match(lines[2]!, /^server v1\.\d+\.\d+\S* at https:\/\/127\.0\.0\.1:\d+ \(kubeconfig context /);

  // A bad flag through the plugin is the same one line and exit 2.
  await assert.rejects(run('kubectl', ['cmwatch', 'events', '--nope'], { env, cwd: dir }), (err: { code?: number; stderr?: string }) =>
    err.code === 2 && /unknown option '--nope' \(hint: see cmwatch events --help\)/.test(err.stderr ?? ''));
});

test('cmwatch version against the real server; events with --kubeconfig and -n before the subcommand prints JSON', async () => {
  const v = plane.cmwatch(['version', '--kubeconfig', plane.c.kubeconfig]);
  assert.equal(await v.exited, 0, v.stderr.join('\n'));
  assert.match(v.stdout[2] ?? '', /^server v1\.\d+\.\d+/);

  await plane.c.kubectl(['create', 'configmap', 'plugin-flags', '-n', 'default', '--from-literal=k=v']);
  const e = plane.cmwatch(['--kubeconfig', plane.c.kubeconfig, '-n', 'default', 'events', '--on', 'SYNC', '-o', 'jsonpath={.metadata.namespace}/{.metadata.name}{"\\n"}']);
  await e.waitFor(/^default\/plugin-flags$/, 60_000, 'stdout');
  assert.equal(await e.stop('SIGTERM'), 0);
});

test('bash completion offers resource and namespace names from discovery (the --kubeconfig typed, or $KUBECONFIG)', async () => {
  const typed = await completeBash(['cmwatch', '--kubeconfig', plane.c.kubeconfig, 'events', 'config']);
  assert.deepEqual(typed.completions, ['configmaps']);
  const fromEnv = await completeBash(['cmwatch', 'deploy'], { KUBECONFIG: plane.c.kubeconfig });
  assert.deepEqual(fromEnv.completions.sort(), ['deploy', 'deployments', 'deployments.apps']);
  const ns = await completeBash(['cmwatch', '-n', 'kube-sy'], { KUBECONFIG: plane.c.kubeconfig });
  assert.deepEqual(ns.completions, ['kube-system']);
});
