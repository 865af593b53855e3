/**
 * --state and --resync (issue #15) through the real CLI against the real
 * control plane: catch-up after a stop (one MODIFIED, one DELETED, one
 * ADDED, nothing else), a restart with nothing changed runs nothing, the
 * store's own ConfigMaps are never delivered, kill -9 right after a
 * success repeats at most once (counted), a new leader handles what the
 * killed one had not, a 20,000-key store shards and reloads, a store edited
 * into invalid content warns once and falls back to the baseline, and
 * --resync spreads SYNCs over the period without delaying a MODIFIED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { ROOT } from '../helpers/cli.js';
import { join } from 'node:path';
import { planeFixture, ensureNamespace, eventually, sleep, setData } from '../helpers/plane.js';
import { tmp, writeFile } from '../helpers/direct.js';
import type { CliRun } from '../helpers/cli.js';
import { decodeState, emptyContent, encodeState, SHARD_LIMIT_BYTES } from '../../src/ops/state-codec.js';

const plane = planeFixture();
const kc = () => ['--kubeconfig', plane.c.kubeconfig];

/** A handler appending "TYPE NAME VIA HASH ID" to OUT/runs; it sleeps $DELAY seconds first if set. */
function recorder(): { dir: string; script: string; runs(): string[] } {
  const dir = tmp();
  const script = writeFile(join(dir, 'h.sh'), `#!/usr/bin/env bash
cat >/dev/null
echo "$$" > "${dir}/pid-$ID"
if [ -n "$DELAY" ]; then echo "start $CMWATCH_EVENT_TYPE $CMWATCH_NAME $ID" >> "${dir}/starts"; sleep "$DELAY"; fi
echo "$CMWATCH_EVENT_TYPE $CMWATCH_NAME $CMWATCH_VIA $CMWATCH_CONTENT_HASH $ID $(date +%s%3N)" >> "${dir}/runs"
`, 0o755);
  return { dir, script, runs: () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean) : []) };
}

const cm = (ns: string, name: string, message: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\ndata: {message: "${message}"}\n`;

async function storeData(ns: string, name: string): Promise<Array<{ name: string; data: Record<string, string>; labels: Record<string, string> }>> {
  const out = await plane.c.kubectl(['get', 'cm', '-n', ns, '-l', `cmwatch.io/state=${name}`, '-o', 'json']);
  const list = JSON.parse(out.stdout) as { items: Array<{ metadata: { name: string; labels: Record<string, string> }; data: Record<string, string> }> };
  return list.items.map((i) => ({ name: i.metadata.name, data: i.data, labels: i.metadata.labels })).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

async function metric(w: CliRun, name: string): Promise<number> {
  const base = /metrics on (http:\/\/\S+?)\/metrics/.exec(await w.waitFor(/metrics on http/, 10_000))![1];
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const storeWritten = (w: CliRun) => eventually('the store was written', async () => w.stderr.length > 0 && (await plane.c.kubectl(['get', 'cm', '-A', '-l', 'cmwatch.io/state', '-o', 'name'])).stdout.trim() !== '', 30_000);

test('--state: stopped, one ConfigMap modified, one deleted, one created → exactly one MODIFIED (via=catch-up), one DELETED, one ADDED; a restart with nothing changed runs nothing; the store is never delivered', async () => {
  const NS = 'st-catch';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(cm(NS, 'a', '1') + '---\n' + cm(NS, 'b', '1'));
  const h = recorder();
  const args = ['-n', NS, '--state', 'st', '--on', 'SYNC,ADDED,MODIFIED,DELETED', '--exec', h.script, ...kc()];
  // --on SYNC would run the baseline: the first run is without SYNC, so it runs nothing.
  const first = plane.cmwatch(['-n', NS, '--state', 'st', '--on', 'ADDED,MODIFIED,DELETED', '--exec', h.script, ...kc()], { ID: 'first' });
  await first.waitFor(/state store st-catch\/st: not found; this is the first run/, 30_000);
  // Every namespace has kube-root-ca.crt: three ConfigMaps.
  await first.waitFor(/synced \d+ object/, 30_000);
  await eventually('the store holds all three', async () => (await storeData(NS, 'st'))[0]?.data.entries?.split('\n').filter(Boolean).length === 3, 30_000);
  assert.equal(await first.stop(), 0);
  assert.deepEqual(h.runs(), [], 'the first start takes the baseline as handled');
  const store = await storeData(NS, 'st');
  assert.equal(store.length, 1);
  assert.equal(store[0]!.labels['app.kubernetes.io/managed-by'], 'cmwatch');
  assert.equal(store[0]!.data.clean, 'true');

  await setData(plane.c, NS, 'a', '2');
  await plane.c.kubectl(['delete', 'cm', 'b', '-n', NS]);
  await plane.c.apply(cm(NS, 'c', '1'));
  const second = plane.cmwatch(['--metrics-addr', '127.0.0.1:0', '-n', NS, '--state', 'st', '--on', 'ADDED,MODIFIED,DELETED', '--exec', h.script, ...kc()], { ID: 'second' });
  await eventually('three runs', async () => h.runs().length >= 3, 30_000);
  await second.waitFor(/MODIFIED st-catch\/a via=catch-up/, 10_000);
  await sleep(4000);
  const runs = h.runs().map((l) => l.split(' ').slice(0, 3).join(' ')).sort();
  assert.deepEqual(runs, ['ADDED c catch-up', 'DELETED b catch-up', 'MODIFIED a catch-up']);
  const deleted = h.runs().find((l) => l.startsWith('DELETED'))!;
  assert.match(deleted.split(' ')[3]!, /^\S{22}$/, 'the DELETED carries the last fingerprint');
  assert.equal(await metric(second, 'cmwatch_catch_up_events_total{type="MODIFIED"}'), 1);
  assert.equal(await second.stop(), 0);

  const third = plane.cmwatch(args, { ID: 'third' });
  await third.waitFor(/state store st-catch\/st: 3 key\(s\) in 1 ConfigMap/, 30_000);
  await third.waitFor(/synced \d+ object/, 30_000);
  await sleep(3000);
  assert.equal(await third.stop(), 0);
  // --on SYNC: the same fingerprint is a SYNC, the baseline; it runs (as without --state), and nothing else does.
  assert.deepEqual(h.runs().slice(3).map((l) => l.split(' ').slice(0, 3).join(' ')).sort(), ['SYNC a list', 'SYNC c list', 'SYNC kube-root-ca.crt list']);
  const fourth = plane.cmwatch(['-n', NS, '--state', 'st', '--on', 'ADDED,MODIFIED,DELETED', '--exec', h.script, ...kc()], { ID: 'fourth' });
  await fourth.waitFor(/synced \d+ object/, 30_000);
  await sleep(3000);
  assert.equal(await fourth.stop(), 0);
  assert.equal(h.runs().length, 6, 'a restart with nothing changed runs no handler');
  for (const w of [second, third, fourth]) assert.doesNotMatch(w.stderr.join('\n'), /(ADDED|MODIFIED|DELETED|SYNC) st-catch\/st\b/);
});

test('--state: kill -9 right after a handler succeeded → at most one repeat, counted in cmwatch_state_repeats_total', async () => {
  const NS = 'st-kill';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(cm(NS, 'a', '1'));
  const h = recorder();
  const args = ['-n', NS, '--state', 'st', '--exec', h.script, '--metrics-addr', '127.0.0.1:0', ...kc()];
  const w = plane.cmwatch(args, { ID: 'w', DELAY: '3' });
  await w.waitFor(/synced \d+ object/, 30_000);
  await storeWritten(w);
  await setData(plane.c, NS, 'a', '2');
  await w.waitFor(/\] exit 0 in/, 30_000);
  await w.stop('SIGKILL');
  assert.equal(h.runs().length, 1);
  const again = plane.cmwatch(args, { ID: 'again' });
  await again.waitFor(/synced \d+ object/, 30_000);
  await sleep(6000);
  const repeats = h.runs().length - 1;
  assert.ok(repeats <= 1, `at most one repeat: ${h.runs().join('\n')}`);
  assert.equal(await metric(again, 'cmwatch_state_repeats_total'), repeats, 'the repeat is counted');
  console.log(`# kill -9 right after a success: ${repeats} repeat(s)`);
  assert.equal(await again.stop(), 0);
});

test('--state with --leader-elect: the leader is killed with a change it had not handled; the new leader reads the store when it takes over and handles it once', async () => {
  const NS = 'st-le';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(cm(NS, 'a', '1'));
  const h = recorder();
  const args = (id: string) => ['-n', NS, '--state', 'st', '--exec', h.script, '--leader-elect', '--leader-identity', id,
    '--lease-duration', '4s', '--renew-deadline', '3s', '--retry-period', '500ms', ...kc()];
  const a = plane.cmwatch(args('a'), { ID: 'a', DELAY: '60' });
  await a.waitFor(/acquired lease st-le\/cmwatch as a/, 60_000);
  await a.waitFor(/synced \d+ object/, 30_000);
  await storeWritten(a);
  const b = plane.cmwatch(args('b'), { ID: 'b' });
  await b.waitFor(/standing by/, 30_000);
  await b.waitFor(/synced \d+ object/, 30_000);
  assert.doesNotMatch(b.stderr.join('\n'), /state store st-le\/st: \d+ key/, 'a standby does not read the store');
  await setData(plane.c, NS, 'a', '2');
  await eventually('a started the handler', async () => existsSync(join(h.dir, 'starts')), 30_000);
  await b.waitFor(/MODIFIED st-le\/a role=standby/, 30_000);
  await a.stop('SIGKILL');
  // The handler a started is still sleeping: end it (it is this test's process).
  process.kill(Number(readFileSync(join(h.dir, 'pid-a'), 'utf8').trim()), 'SIGKILL');
  await b.waitFor(/acquired lease st-le\/cmwatch as b/, 60_000);
  await b.waitFor(/state store st-le\/st: 2 key/, 30_000);
  await eventually('b handled it', async () => h.runs().length >= 1, 30_000);
  await sleep(4000);
  assert.deepEqual(h.runs().map((l) => l.split(' ').slice(0, 3).join(' ') + ' ' + l.split(' ')[4]), ['MODIFIED a catch-up b']);
  assert.equal(await b.stop(), 0);
});

test('--state: a store of 20,000 keys shards into NAME, NAME-1… under the object limit and reloads correctly', async () => {
  const NS = 'st-big';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(cm(NS, 'a', '1'));
  const c = emptyContent();
  const fp = (i: number) => Buffer.from(`fingerprint-${i}`.padEnd(17, '.')).toString('base64').slice(0, 22);
  for (let i = 0; i < 20_000; i++) c.handled.set(`secrets/elsewhere/secret-with-a-longer-name-${i}`, fp(i));
  c.resources.add('secrets');
  const datas = encodeState(c);
  assert.ok(datas.length >= 2);
  const docs = datas.map((data, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: i === 0 ? 'big' : `big-${i}`, namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'cmwatch', 'cmwatch.io/state': 'big' } }, data }));
  await plane.c.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }) });
  const h = recorder();
  const args = ['-n', NS, '--state', 'big', '--exec', h.script, ...kc()];
  const w = plane.cmwatch(args, { ID: 'w' });
  await w.waitFor(new RegExp(`state store st-big/big: 20000 key\\(s\\) in ${datas.length} ConfigMap`), 30_000);
  await w.waitFor(/synced \d+ object/, 30_000);
  await eventually('the watched keys are added to the store', async () => {
    const s = await storeData(NS, 'big');
    return s.length === datas.length && decodeState('big', s.map((x) => x.data)).handled.size === 20_002;
  }, 30_000);
  await setData(plane.c, NS, 'a', '2');
  await eventually('the change ran', async () => h.runs().length === 1, 30_000);
  assert.equal(await w.stop(), 0);
  const s = await storeData(NS, 'big');
  for (const x of s) assert.ok(Buffer.byteLength(JSON.stringify(x.data)) < SHARD_LIMIT_BYTES + 4096, `${x.name} under the limit`);
  const back = decodeState('big', s.map((x) => x.data));
  assert.equal(back.handled.size, 20_002);
  for (const [k, v] of c.handled) assert.equal(back.handled.get(k), v);
  assert.equal(back.handled.get('configmaps/st-big/a'), h.runs()[0]!.split(' ')[3]);
  const again = plane.cmwatch(args, { ID: 'again' });
  await again.waitFor(/state store st-big\/big: 20002 key\(s\)/, 30_000);
  await again.waitFor(/synced \d+ object/, 30_000);
  await sleep(2000);
  assert.equal(await again.stop(), 0);
  assert.equal(h.runs().length, 1, 'nothing ran again');
});

test('--state: a store edited by hand into invalid content → one clear warning, catch-up falls back to the baseline: no crash, no storm; the store is rewritten valid', async () => {
  const NS = 'st-bad';
  await ensureNamespace(plane.c, NS);
  for (let i = 0; i < 10; i++) await plane.c.apply(cm(NS, `c${i}`, '1'));
  const h = recorder();
  const args = ['-n', NS, '--state', 'st', '--on', 'ADDED,MODIFIED,DELETED', '--exec', h.script, ...kc()];
  const first = plane.cmwatch(args, { ID: 'first' });
  await first.waitFor(/synced \d+ object/, 30_000);
  await eventually('the store holds all', async () => (await storeData(NS, 'st'))[0]?.data.entries?.split('\n').filter(Boolean).length === 11, 30_000);
  assert.equal(await first.stop(), 0);
  await plane.c.kubectl(['patch', 'cm', 'st', '-n', NS, '--type=merge', '-p', JSON.stringify({ data: { entries: 'this is not a store\n' } })]);
  await setData(plane.c, NS, 'c1', '2');
  const second = plane.cmwatch(args, { ID: 'second' });
  await second.waitFor(/synced \d+ object/, 30_000);
  await eventually('the store is rewritten valid', async () => {
    const s = await storeData(NS, 'st');
    try {
      return decodeState('st', s.map((x) => x.data)).handled.size === 11;
    } catch {
      return false;
    }
  }, 30_000);
  await sleep(2000);
  assert.equal(second.child.exitCode, null, 'still running');
  const warnings = second.stderr.filter((l) => /state store st-bad\/st/.test(l) && /warn/.test(l));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /entries line 1 is not .*; ignoring it and catching up from the baseline/);
  assert.deepEqual(h.runs(), [], 'the baseline: nothing runs, no storm');
  assert.equal(await second.stop(), 0);
  // Valid again: the next change is caught up as usual.
  await setData(plane.c, NS, 'c2', '2');
  const third = plane.cmwatch(args, { ID: 'third' });
  await eventually('the change while stopped ran', async () => h.runs().length === 1, 30_000);
  assert.match(h.runs()[0]!, /^MODIFIED c2 catch-up/);
  assert.equal(await third.stop(), 0);
});

test('--resync 10s over 100 ConfigMaps: about 10 SYNC runs a second, evenly spread, and a MODIFIED is not delayed behind them', async () => {
  const NS = 'st-resync';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(Array.from({ length: 100 }, (_, i) => cm(NS, `r${i}`, '1')).join('---\n'));
  const h = recorder();
  const w = plane.cmwatch(['-n', NS, '--on', 'SYNC,MODIFIED', '--resync', '10s', '--concurrency', '4', '--exec', h.script, ...kc()], { ID: 'w' });
  await w.waitFor(/synced \d+ object/, 30_000);
  const resyncs = () => h.runs().filter((l) => l.split(' ')[2] === 'resync');
  await eventually('resync runs', async () => resyncs().length >= 5, 30_000);
  await sleep(1500);
  const changedAt = Date.now();
  await setData(plane.c, NS, 'r50', '2');
  await eventually('the MODIFIED ran', async () => h.runs().some((l) => l.startsWith('MODIFIED r50')), 30_000);
  const modifiedAt = Number(h.runs().find((l) => l.startsWith('MODIFIED r50'))!.split(' ')[5]);
  await eventually('a full period of resyncs', async () => resyncs().length >= 110, 60_000);
  assert.equal(await w.stop(), 0);
  const times = resyncs().map((l) => Number(l.split(' ')[5]));
  const first = times[0]!;
  const window = times.filter((t) => t < first + 10_000).length;
  // Loose bounds: the machine is shared, runs take time; what matters is ~100 per 10 s and no burst.
  assert.ok(window >= 60 && window <= 130, `${window} resync runs in the first 10 s`);
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor((t - first) / 1000), (perSecond.get(Math.floor((t - first) / 1000)) ?? 0) + 1);
  const peak = Math.max(...perSecond.values());
  assert.ok(peak <= 30, `no burst: at most ${peak} in one second`);
  console.log(`# --resync 10s over 100 ConfigMaps: ${window} runs in the first 10 s, peak ${peak}/s; MODIFIED ran ${modifiedAt - changedAt} ms after the change`);
  assert.ok(modifiedAt - changedAt < 10_000, 'the MODIFIED did not wait for the resync period');
});

test('RBAC: deploy/components/state grants create on configmaps, get and update on the store\'s names only; the ServiceAccount\'s token alone runs --state with leader election', async () => {
  const NS = 'st-rbac';
  await ensureNamespace(plane.c, NS);
  await plane.c.apply(cm(NS, 'a', '1'));
  const docs = parseAllDocuments((await plane.c.kubectl(['kustomize', join(ROOT, 'deploy/examples/ha-state')])).stdout).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  assert.ok(deployment.spec.template.spec.containers[0].args.includes('--state=cmwatch-state'));
  const rbac = docs.filter((d) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(d.kind));
  await plane.c.kubectl(['apply', '-n', NS, '-f', '-'], { input: rbac.map((d) => stringify(d)).join('---\n') });
  const canI = async (verb: string, what: string) => (await plane.c.kubectl(['auth', 'can-i', verb, what, '-n', NS, `--as=system:serviceaccount:${NS}:cmwatch`], { allowFail: true })).stdout.trim() === 'yes';
  for (const [verb, what] of [['create', 'configmaps'], ['get', 'configmaps/cmwatch-state'], ['update', 'configmaps/cmwatch-state'], ['update', 'configmaps/cmwatch-state-1']]) {
    assert.equal(await canI(verb!, what!), true, `may ${verb} ${what}`);
  }
  for (const [verb, what] of [['update', 'configmaps/other'], ['patch', 'configmaps/cmwatch-state'], ['delete', 'configmaps/cmwatch-state'], ['update', 'configmaps/cmwatch-state-9']]) {
    assert.equal(await canI(verb!, what!), false, `may NOT ${verb} ${what}`);
  }
  const token = (await plane.c.kubectl(['create', 'token', 'cmwatch', '-n', NS, '--duration=1h'])).stdout.trim();
  const dir = tmp();
  writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
  const h = recorder();
  const args = ['--server', plane.c.server, '--certificate-authority', plane.c.caFile, '--token-file', join(dir, 'token'), '-n', NS, '--state', 'cmwatch-state',
    '--exec', h.script, '--leader-elect', '--leader-identity', 'sa', '--lease-duration', '4s', '--renew-deadline', '3s', '--retry-period', '500ms'];
  const w = plane.cmwatch(args, { ID: 'w' });
  await w.waitFor(/acquired lease st-rbac\/cmwatch as sa/, 60_000);
  await eventually('the store is created', async () => (await storeData(NS, 'cmwatch-state')).length === 1, 30_000);
  assert.equal(await w.stop(), 0);
  await setData(plane.c, NS, 'a', '2');
  const again = plane.cmwatch(args, { ID: 'again' });
  await eventually('caught up', async () => h.runs().length === 1, 60_000);
  assert.equal(await again.stop(), 0);
  assert.match(h.runs()[0]!, /^MODIFIED a catch-up/);
  for (const x of [w, again]) assert.doesNotMatch(x.stderr.join('\n'), /HTTP 403|forbidden/i);
});

test('--state: two writers of one store (two namespaces, one --state-namespace) never overwrite each other: conflicts are re-read and merged', async () => {
  const [A, B, S] = ['st-two-a', 'st-two-b', 'st-two-store'];
  for (const ns of [A, B, S]) await ensureNamespace(plane.c, ns);
  for (let i = 0; i < 5; i++) await plane.c.apply(cm(A, `a${i}`, '1') + '---\n' + cm(B, `b${i}`, '1'));
  const h = recorder();
  const args = (ns: string) => ['-n', ns, '--state', 'shared', '--state-namespace', S, '--exec', h.script, ...kc()];
  const a = plane.cmwatch(args(A), { ID: 'a' });
  const b = plane.cmwatch(args(B), { ID: 'b' });
  await a.waitFor(/synced \d+ object/, 30_000);
  await b.waitFor(/synced \d+ object/, 30_000);
  // Both write at about the same time, again and again.
  for (let round = 2; round < 5; round++) {
    await Promise.all([0, 1, 2, 3, 4].map((i) => Promise.all([setData(plane.c, A, `a${i}`, String(round)), setData(plane.c, B, `b${i}`, String(round))])));
    await sleep(1500);
  }
  // Coalescing may merge two quick changes of a key: wait until the runs stop.
  let seen = -1;
  await eventually('the runs settle', async () => {
    const n = h.runs().length;
    const settled = n === seen && n >= 10;
    seen = n;
    if (!settled) await sleep(3000);
    return settled;
  }, 90_000);
  const expected = new Map(h.runs().map((l) => l.split(' ')).map((f) => [f[1]!, f[3]!]));
  await Promise.all([a.stop(), b.stop()]);
  const store = decodeState('shared', (await storeData(S, 'shared')).map((x) => x.data));
  for (const [name, hash] of expected) {
    const ns = name.startsWith('a') ? A : B;
    assert.equal(store.handled.get(`configmaps/${ns}/${name}`), hash, `${ns}/${name}: the last version handled is kept`);
  }
  assert.ok(store.resources.has('configmaps'));
  const merged = [...a.stderr, ...b.stderr].filter((l) => /another writer changed it; re-reading and merging/.test(l)).length;
  console.log(`# two writers: ${merged} conflict(s) re-read and merged`);
});
