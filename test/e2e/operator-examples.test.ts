/**
 * The two operator examples of issue #14 on the real control plane, each run
 * with the exact command in its script's header (read from the file, so the
 * documented command is the tested one):
 *
 * - examples/operator/config-watcher.sh, the book's ConfigWatcher: a first
 *   start records the ConfigMap's hash and restarts nothing; a ConfigMap
 *   change restarts the selected pods once, writes the status (lastRestart,
 *   restartedPods, observedConfigHash = the CMWATCH_CONTENT_HASH cmwatch
 *   gave) and a Normal Event; a restart with nothing changed deletes no pod;
 *   a change made while cmwatch was down restarts the pods once at the next
 *   start; an invalid selector gets a Warning Event and Ready=False and
 *   deletes nothing; `kubectl get cw` shows the columns and the status.
 * - examples/operator-children/static-site.sh: a StaticSite's Deployment and
 *   Service applied with ownerReferences, its status mirroring the
 *   Deployment's replica counts, its FINALIZE line written while it still
 *   exists, and its children deleted by the garbage collector after it.
 *
 * Each runs as its example's ServiceAccount, with the example's rbac.yaml.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliRun } from '../helpers/cli.js';
import { planeFixture, ensureNamespace, eventually, deployWebapp, replaced, pods, setData, type PodRef } from '../helpers/plane.js';
import { tmp } from '../helpers/direct.js';

const plane = planeFixture();

/**
 * The example's rbac.yaml applied in NS, and the flags that run cmwatch as
 * its ServiceAccount alone (its token, no kubeconfig): the documented RBAC
 * is the tested one.
 */
async function asServiceAccount(ns: string, rbac: string): Promise<string[]> {
  await plane.c.kubectl(['apply', '-n', ns, '-f', join(ROOT, rbac)]);
  const token = (await plane.c.kubectl(['create', 'token', 'cmwatch', '-n', ns, '--duration=1h'])).stdout.trim();
  const file = join(tmp('cmwatch-sa-'), 'token');
  writeFileSync(file, token, { mode: 0o600 });
  return ['--server', plane.c.server, '--certificate-authority', plane.c.caFile, '--token-file', file];
}

const noForbidden = (w: CliRun) => assert.doesNotMatch(w.stderr.join('\n'), /HTTP 403|forbidden/i);

/** The `cmwatch …` command in a script's header, as argument words (without "cmwatch"). */
function headerCommand(script: string): string[] {
  const m = /^#\s+cmwatch (.+)$/m.exec(readFileSync(join(ROOT, script), 'utf8'));
  assert.ok(m, `${script} has a "cmwatch …" command in its header`);
  return m[1]!.trim().split(/\s+/);
}

/** The documented command also appears, verbatim, in the example's README and the main README. */
function assertDocumented(script: string, readme: string): void {
  const cmd = `cmwatch ${headerCommand(script).join(' ')}`;
  for (const f of [readme, 'README.md']) assert.ok(readFileSync(join(ROOT, f), 'utf8').includes(cmd), `${f} shows the command: ${cmd}`);
}

async function getJson(args: string[]): Promise<any> {
  return JSON.parse((await plane.c.kubectl([...args, '-o', 'json'])).stdout);
}

async function applyCrd(file: string, name: string): Promise<void> {
  await plane.c.kubectl(['apply', '-f', join(ROOT, file)]);
  await plane.c.kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
}

interface Ev { type: string; reason: string; note: string; reportingController: string; regarding: { kind: string; name: string } }
async function eventsOn(ns: string, name: string): Promise<Ev[]> {
  return (await getJson(['get', 'events.events.k8s.io', '-n', ns, '--field-selector', `regarding.name=${name}`])).items as Ev[];
}

const uids = (p: PodRef[]) => p.map((x) => x.uid).sort();

test('config-watcher.sh: a change restarts the selected pods once with status and a Normal Event; a restart with nothing changed deletes nothing; a change while down is caught at start; an invalid selector deletes nothing', async () => {
  const SCRIPT = 'examples/operator/config-watcher.sh';
  assertDocumented(SCRIPT, 'examples/operator/README.md');
  const ns = 'cw-op';
  const c = plane.c;
  await applyCrd('examples/operator/crd.yaml', 'configwatchers.k8spatterns.com');
  let web = await deployWebapp(c, ns, 'webapp', 2);
  const other = await deployWebapp(c, ns, 'other', 1);
  await c.kubectl(['apply', '-n', ns, '-f', join(ROOT, 'examples/operator/configwatcher.yaml')]);
  await c.apply(JSON.stringify({
    apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', metadata: { name: 'broken', namespace: ns },
    spec: { configMap: 'other-config', podSelector: { app: 'other', 'bad key!': 'x' } },
  }));
  const cw = async (name: string) => getJson(['get', 'cw', name, '-n', ns]);
  const args = [...headerCommand(SCRIPT), '-n', ns, ...await asServiceAccount(ns, 'examples/operator/rbac.yaml')];

  // First start: the hash is recorded, nothing restarted.
  let w = plane.cmwatch(args);
  const first = await w.waitFor(/webapp-config\] configmap SYNC hash=(\S{22}):/, 90_000);
  const h1 = /hash=(\S{22})/.exec(first)![1]!;
  await eventually('observedConfigHash recorded at the first start', async () => (await cw('webapp')).status?.observedConfigHash === h1, 60_000);
  assert.equal((await cw('webapp')).status.restartedPods, undefined, 'nothing restarted at the first start');
  const broken = await eventually('Ready=False on the ConfigWatcher with an invalid selector', async () => {
    const s = await cw('broken');
    return s.status?.conditions?.find((x: any) => x.type === 'Ready' && x.status === 'False') as any;
  }, 60_000);
  assert.equal(broken.reason, 'InvalidSelector');
  assert.match(broken.message, /bad key!/);
  assert.deepEqual(uids(await pods(c, ns, 'app=webapp')), uids(web), 'no pod deleted at the first start');

  // A change restarts the selected pods once.
  await setData(c, ns, 'webapp-config', 'v2');
  const mod = await w.waitFor(/webapp-config\] configmap MODIFIED hash=(\S{22}):/, 60_000);
  const h2 = /hash=(\S{22})/.exec(mod)![1]!;
  assert.notEqual(h2, h1);
  web = await replaced(c, ns, 'app=webapp', web);
  const st = await eventually('status after the restart', async () => {
    const s = (await cw('webapp')).status;
    return s?.observedConfigHash === h2 ? s : undefined;
  }, 60_000);
  assert.equal(st.restartedPods, 2);
  assert.match(st.lastRestart, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.parse(st.lastRestart) > 0);
  assert.equal(st.conditions.find((x: any) => x.type === 'Ready').status, 'True');
  const normal = await eventually('a Normal Event on the ConfigWatcher', async () => (await eventsOn(ns, 'webapp')).find((e) => e.type === 'Normal' && e.reason === 'PodsRestarted'), 60_000);
  assert.equal(normal.regarding.kind, 'ConfigWatcher');
  assert.equal(normal.reportingController, 'cmwatch');
  assert.match(normal.note, /deleted 2 pod\(s\) matching app=webapp/);
  assert.deepEqual(uids(await pods(c, ns, 'app=webapp')), uids(web), 'restarted once: the replacements stay');

  // An invalid selector: Warning Event, nothing deleted.
  await setData(c, ns, 'other-config', 'v2');
  await w.waitFor(/other-config\] configmap MODIFIED hash=\S{22}: 0 pod\(s\) to delete/, 60_000);
  const warning = await eventually('a Warning Event on the broken ConfigWatcher', async () => (await eventsOn(ns, 'broken')).find((e) => e.type === 'Warning' && /for the change of ConfigMap other-config/.test(e.note)), 60_000);
  assert.equal(warning.reason, 'InvalidSelector');
  assert.deepEqual(uids(await pods(c, ns, 'app=other')), uids(other), 'nothing deleted for an invalid selector');

  // kubectl get cw: the printer columns and the status.
  const table = (await c.kubectl(['get', 'cw', '-n', ns])).stdout;
  assert.match(table.split('\n')[0]!, /^NAME\s+CONFIGMAP\s+PODSELECTOR\s+RESTARTED\s+LAST-RESTART\s+READY$/);
  assert.match(table, /^webapp\s+webapp-config\s+\{"app":"webapp"\}\s+2\s+\S+\s+True$/m);
  assert.match(table, /^broken\s+other-config\s+.*\s+False$/m);
  assert.match((await c.kubectl(['get', 'cw', 'webapp', '-n', ns, '-o', 'wide'])).stdout, new RegExp(`CONFIG-HASH[\\s\\S]*${h2.replace(/[+/]/g, '\\$&')}`));
  assert.equal(await w.stop(), 0);
  noForbidden(w);

  // A restart with nothing changed deletes no pod and writes nothing.
  w = plane.cmwatch(args);
  await w.waitFor(new RegExp(`webapp-config\\] configmap SYNC hash=${h2.replace(/[+/]/g, '\\$&')}: 0 pod\\(s\\) to delete, 0 status update\\(s\\)`), 90_000);
  assert.equal(await w.stop(), 0);
  noForbidden(w);
  assert.deepEqual(uids(await pods(c, ns, 'app=webapp')), uids(web), 'no pod deleted on a restart with nothing changed');
  assert.equal((await cw('webapp')).status.lastRestart, st.lastRestart);

  // Downtime: a change while cmwatch is stopped is caught at its next start, once.
  await setData(c, ns, 'webapp-config', 'v3');
  w = plane.cmwatch(args);
  const sync = await w.waitFor(/webapp-config\] configmap SYNC hash=(\S{22}): 2 pod\(s\) to delete/, 90_000);
  const h3 = /hash=(\S{22})/.exec(sync)![1]!;
  assert.ok(h3 !== h2 && h3 !== h1);
  web = await replaced(c, ns, 'app=webapp', web);
  const st3 = await eventually('status after the catch-up', async () => {
    const s = (await cw('webapp')).status;
    return s?.observedConfigHash === h3 ? s : undefined;
  }, 60_000);
  assert.equal(st3.restartedPods, 2);
  await eventually('two PodsRestarted Events in all', async () => (await eventsOn(ns, 'webapp')).filter((e) => e.reason === 'PodsRestarted').length === 2, 60_000);
  assert.equal(await w.stop(), 0);
  noForbidden(w);
  assert.deepEqual(uids(await pods(c, ns, 'app=webapp')), uids(web), 'restarted once after the downtime');
  assert.equal(w.stderr.filter((l) => /webapp-config\] configmap \w+ hash=\S+: [1-9]\d* pod\(s\) to delete/.test(l)).length, 1, w.stderr.join('\n'));
});

test('static-site.sh: children applied with ownerReferences, status mirrors the Deployment, FINALIZE writes its line while the StaticSite exists, the garbage collector removes the children', async () => {
  const SCRIPT = 'examples/operator-children/static-site.sh';
  assertDocumented(SCRIPT, 'examples/operator-children/README.md');
  const ns = 'sites';
  const c = plane.c;
  await ensureNamespace(c, ns);
  await applyCrd('examples/operator-children/crd.yaml', 'staticsites.examples.cmwatch.io');
  const log = join(tmp('cmwatch-sites-'), 'unpublished.log');
  const w = plane.cmwatch([...headerCommand(SCRIPT), '-n', ns, ...await asServiceAccount(ns, 'examples/operator-children/rbac.yaml')], { STATIC_SITE_LOG: log });
  await c.kubectl(['apply', '-n', ns, '-f', join(ROOT, 'examples/operator-children/staticsite.yaml')]);
  const site = await eventually('the finalizer on the StaticSite', async () => {
    const s = await getJson(['get', 'site', 'docs', '-n', ns]);
    return s.metadata.finalizers?.includes('examples.cmwatch.io/unpublish') ? s : undefined;
  }, 90_000);

  for (const kind of ['deployment', 'service']) {
    const child = await eventually(`${kind} docs`, async () => {
      const r = await c.kubectl(['get', kind, 'docs', '-n', ns, '-o', 'json'], { allowFail: true });
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    }, 90_000);
    assert.deepEqual(child.metadata.ownerReferences, [{ apiVersion: 'examples.cmwatch.io/v1', kind: 'StaticSite', name: 'docs', uid: site.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(child.metadata.labels['app.kubernetes.io/instance'], 'docs');
  }
  const deploy = await getJson(['get', 'deployment', 'docs', '-n', ns]);
  assert.equal(deploy.spec.replicas, 2);
  assert.equal(deploy.spec.template.spec.containers[0].image, 'nginx:1.27');

  // The mirror: the Deployment's status.replicas (2 once its pods exist; no kubelet, so none ready).
  const mirrored = await eventually('status mirrors the Deployment', async () => {
    const [s, d] = [await getJson(['get', 'site', 'docs', '-n', ns]), await getJson(['get', 'deployment', 'docs', '-n', ns])];
    const dr = d.status?.replicas ?? 0;
    return dr === 2 && s.status?.replicas === dr && s.status?.readyReplicas === (d.status?.readyReplicas ?? 0) ? { s, d } : undefined;
  }, 150_000);
  assert.equal(mirrored.s.status.observedGeneration, mirrored.s.metadata.generation);
  assert.equal(typeof mirrored.s.status.readyReplicas, 'number');
  assert.match((await c.kubectl(['get', 'site', '-n', ns])).stdout, /^NAME\s+IMAGE\s+REPLICAS\s+READY\s+AGE\ndocs\s+nginx:1\.27\s+2\s+0\s+/);

  // A resync with nothing changed: its applies and status patch change nothing (no new resourceVersion).
  const statusPatches = () => w.stderr.filter((l) => /static-site\.sh line 3: patch staticsites\.examples\.cmwatch\.io\/status sites\/docs: HTTP 200/.test(l)).length;
  const rvs = async () => Promise.all(['site', 'deployment', 'service'].map(async (k) => (await getJson(['get', k, 'docs', '-n', ns])).metadata.resourceVersion as string));
  const [n, before] = [statusPatches(), await rvs()];
  await eventually('one more resync run', async () => statusPatches() > n, 90_000);
  assert.deepEqual(await rvs(), before, 'StaticSite, Deployment and Service unchanged by a resync');

  // Delete: FINALIZE's line while the object still exists (it carries its deletionTimestamp), then the children go by GC.
  await c.kubectl(['delete', 'site', 'docs', '-n', ns, '--wait=false']);
  const line = await eventually('the FINALIZE line', async () => existsSync(log) && readFileSync(log, 'utf8').trim(), 60_000);
  assert.match(line, new RegExp(`^\\S+Z unpublished ${ns}/docs uid=${site.metadata.uid} deletionTimestamp=\\d{4}-\\S+Z$`));
  await eventually('the StaticSite gone', async () => (await c.kubectl(['get', 'site', 'docs', '-n', ns], { allowFail: true })).code !== 0, 60_000);
  for (const kind of ['deployment', 'service']) {
    await eventually(`${kind} docs deleted by the garbage collector`, async () => {
      const r = await c.kubectl(['get', kind, 'docs', '-n', ns], { allowFail: true });
      return r.code !== 0 && /NotFound/.test(r.stderr);
    }, 150_000);
  }
  assert.equal(await w.stop(), 0);
  noForbidden(w);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'one FINALIZE line');
});
