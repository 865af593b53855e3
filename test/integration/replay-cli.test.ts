/**
 * `cmwatch replay`: a recording of a live watch replayed against the same
 * handler gives it exactly the stdin and environment it got live; filters,
 * pacing, stdin input, malformed lines and bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli, until } from '../helpers/cli.js';
import { cm, lines, recording, script, tempDir } from '../helpers/handler-fixtures.js';

const fx = fakeFixture({ lazy: true });

const SEL = 'k8spatterns.io/podDeleteSelector';
const ALL = 'SYNC,ADDED,MODIFIED,DELETED';

function dump(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

test('9. replay of a recorded watch calls the handler with the exact stdin and env it got live', async () => {
  const api = await fx.start();
  api.upsertConfigMap('default', 'webapp-config', { message: 'v1' }, { [SEL]: 'app=webapp' });
  const dir = tempDir();
  const liveOut = join(dir, 'live');
  const replayOut = join(dir, 'replay');
  const h = script(dir, 'record.sh', [
    'out="$1/$CMWATCH_NAME.$CMWATCH_RESOURCE_VERSION.$CMWATCH_EVENT_TYPE"',
    'mkdir -p "$1"',
    'cat > "$out.stdin"',
    // CMWATCH_OUTPUT is a fresh private file per run, live and replayed: its path is the one value that differs.
    'env | sed "s|^CMWATCH_OUTPUT=/.*/output.jsonl$|CMWATCH_OUTPUT=(per run)|" | sort > "$out.env"',
  ].join('\n'));
  const live = runCli(['--server', api.url, '-n', 'default', '--on', ALL, '-o', 'json', '--exec', `${h} ${liveOut}`], { env: { SOME_USER_VAR: 'kept' } });
  const runs = (n: number) => until(() => live.stderr.filter((l) => /\[record\.sh .*\] exit 0 in/.test(l)).length >= n, 10_000, `${n} handler runs`);
  await runs(1); // SYNC
  api.upsertConfigMap('default', 'webapp-config', { message: 'v2 $(id) `x`\n"q"' }, { [SEL]: 'app=webapp' });
  await runs(2);
  api.upsertConfigMap('default', 'other', { k: 'v' });
  await runs(3);
  api.deleteConfigMap('default', 'webapp-config');
  await runs(4);
  assert.equal(await live.stop('SIGTERM'), 0, live.stderr.join('\n'));
  const recorded = live.stdout.join('\n') + '\n';
  assert.equal(live.stdout.length, 4);

  // --no-coalesce: live, each event ran before the next came; at full speed they would coalesce.
  const rep = runCli(['replay', '-', '--server', api.url, '--on', ALL, '--no-coalesce', '--exec', `${h} ${replayOut}`], { input: recorded, env: { SOME_USER_VAR: 'kept' } });
  assert.equal(await rep.exited, 0, rep.stderr.join('\n'));
  const a = dump(liveOut);
  const b = dump(replayOut);
  assert.equal(Object.keys(a).length, 8, Object.keys(a).join(' '));
  assert.deepEqual(Object.keys(b), Object.keys(a));
  for (const f of Object.keys(a)) assert.equal(b[f], a[f], `${f} differs`);
  const env = a[Object.keys(a).find((f) => f.endsWith('.MODIFIED.env'))!]!;
  assert.match(env, /^CMWATCH_SELECTOR=app=webapp$/m);
  assert.match(env, /^CMWATCH_ATTEMPT=1$/m);
  assert.match(env, new RegExp(`^CMWATCH_SERVER=${api.url}$`, 'm'));
  assert.match(env, /^SOME_USER_VAR=kept$/m);
  assert.match(env, /^CMWATCH_OUTPUT=\(per run\)$/m);
});

test('replay: filters (-n, -l), change detection against the SYNC baseline, -o json, and stdin', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', `echo "$CMWATCH_EVENT_TYPE $CMWATCH_NAMESPACE/$CMWATCH_NAME $CMWATCH_RESOURCE_VERSION" >> "${dir}/runs"`);
  const text = recording([
    { type: 'SYNC', object: cm('a', 1, { k: '1' }, 'web', { labels: { app: 'x' } }) },
    { type: 'MODIFIED', object: cm('a', 2, { k: '1' }, 'web', { labels: { app: 'x' } }) }, // unchanged content: skipped
    { type: 'MODIFIED', object: cm('a', 3, { k: '2' }, 'web', { labels: { app: 'x' } }) },
    { type: 'MODIFIED', object: cm('b', 4, { k: '2' }, 'web', { labels: { app: 'y' } }) }, // -l filters it
    { type: 'MODIFIED', object: cm('c', 5, { k: '2' }, 'db', { labels: { app: 'x' } }) }, // -n filters it
    { type: 'DELETED', object: cm('a', 6, { k: '2' }, 'web', { labels: { app: 'x' } }) },
  ]);
  const c = runCli(['replay', '-', '-n', 'web', '-l', 'app=x', '--on', 'MODIFIED,DELETED', '-o', 'json', '--exec', h, '--no-coalesce'], { input: text });
  assert.equal(await c.exited, 0, c.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'runs')), ['MODIFIED web/a 3', 'DELETED web/a 6']);
  assert.deepEqual(c.stdout.map((l) => JSON.parse(l).object.metadata.resourceVersion), ['3', '6']);
  assert.match(c.stderr.join('\n'), /replay: 6 event\(s\) read, 3 delivered, 1 unchanged or duplicate, 2 filtered out/);
});

test('replay: malformed lines are reported with their line number and skipped; the rest runs; exit 2', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', `echo "$CMWATCH_NAME" >> "${dir}/runs"`);
  const f = join(dir, 'rec.ndjson');
  writeFileSync(f, [
    JSON.stringify({ type: 'MODIFIED', object: cm('one', 1, { a: '1' }) }),
    '{"type":"MODIFIED","object":{ broken',
    JSON.stringify({ type: 'UPDATED', object: cm('x', 2, {}) }),
    JSON.stringify({ type: 'MODIFIED', object: cm('two', 3, { a: '1' }) }),
  ].join('\n') + '\n');
  const c = runCli(['replay', f, '--exec', h]);
  assert.equal(await c.exited, 2, c.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'runs')).sort(), ['one', 'two']);
  const err = c.stderr.join('\n');
  assert.match(err, /replay: .*rec\.ndjson:2: not JSON .*; line skipped/);
  assert.match(err, /replay: .*rec\.ndjson:3: unknown event type "UPDATED" .*; line skipped/);
  assert.match(err, /2 malformed line\(s\) skipped/);
});

test('replay: a handler failure beats malformed lines in the exit status (5), and --rate paces the events', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', `date +%s%3N >> "${dir}/times"\nexit 1`);
  const text = recording([1, 2, 3].map((i) => ({ type: 'MODIFIED', object: cm(`k${i}`, i, { a: '1' }) }))) + 'garbage\n';
  const t0 = Date.now();
  const c = runCli(['replay', '-', '--exec', h, '--rate', '5', '--max-retries', '0'], { input: text });
  assert.equal(await c.exited, 5, c.stderr.join('\n'));
  assert.equal(lines(join(dir, 'times')).length, 3);
  // Paced at 5/s, the third event cannot be dispatched before 400 ms: a lower bound, which load cannot break.
  assert.ok(Date.now() - t0 >= 400, `paced at 5/s, took ${Date.now() - t0} ms`);
});

test('replay: SIGTERM stops reading and drains the running handler; exit 0', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', `sleep 0.3\necho "$CMWATCH_NAME" >> "${dir}/done"`);
  const f = join(dir, 'rec.ndjson');
  writeFileSync(f, recording(['a', 'b', 'c'].map((n, i) => ({ type: 'MODIFIED', object: cm(n, i + 1, { a: '1' }) }))));
  const c = runCli(['replay', f, '--exec', h, '--rate', '0.5']);
  await c.waitFor(/MODIFIED default\/a/);
  const code = await c.stop('SIGTERM');
  assert.equal(code, 0, c.stderr.join('\n'));
  assert.deepEqual(lines(join(dir, 'done')), ['a'], 'a finished; b and c were never read');
  assert.match(c.stderr.join('\n'), /event\(s\) read, 1 delivered/);
});

test('replay: a recording of several resources is refused line by line (keys are namespace/name of one resource); --resource names it for handlers', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', `echo "$CMWATCH_RESOURCE $CMWATCH_KIND $CMWATCH_NAME" >> "${dir}/seen"`);
  const f = join(dir, 'rec.ndjson');
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a', namespace: 'default', resourceVersion: '9', generation: 1 }, spec: { n: 1 } };
  writeFileSync(f, recording([{ type: 'MODIFIED', object: widget }, { type: 'MODIFIED', object: cm('a', 2, { k: '1' }) }]));
  const c = runCli(['replay', f, '--exec', h, '--resource', 'widgets.example.com']);
  assert.equal(await c.exited, 2, c.stderr.join('\n'));
  assert.match(c.stderr.join('\n'), /rec\.ndjson:2: a ConfigMap \(v1\) in a recording of Widget \(example\.com\/v1\); line skipped \(hint: replay one resource per run/);
  assert.deepEqual(lines(join(dir, 'seen')), ['widgets.example.com Widget a']);
});

const usage: Array<[string, string[], RegExp]> = [
  ['a missing --exec-dir', ['--exec-dir', '/nonexistent/handlers.d'], /--exec-dir: "\/nonexistent\/handlers\.d" does not exist/],
  ['--exec-dir that is a file', ['--exec-dir', '/etc/hostname'], /--exec-dir: "\/etc\/hostname" is not a directory/],
  ['a missing --exec program', ['--exec', '/nonexistent/h.sh'], /--exec: "\/nonexistent\/h\.sh" not found/],
  ['an --exec program not on PATH', ['--exec', 'no-such-handler-xyz --flag'], /--exec: "no-such-handler-xyz" not found on PATH/],
  ['a bad --timeout', ['--timeout', 'forever'], /--timeout: invalid duration "forever"/],
  ['a zero --timeout', ['--timeout', '0s'], /--timeout: "0s" is out of range/],
  ['a huge --timeout', ['--timeout', '1000h'], /--timeout: "1000h" is out of range/],
  ['a bad --kill-grace', ['--kill-grace', '-1s'], /--kill-grace: invalid duration "-1s"/],
  ['a bad --shutdown-grace', ['--shutdown-grace', '5 minutes'], /--shutdown-grace: invalid duration/],
];

for (const [what, args, re] of usage) {
  test(`usage error (watch and replay): ${what}`, async () => {
    const api = await fx.start();
    const dir = tempDir();
    const f = join(dir, 'e.ndjson');
    writeFileSync(f, recording([{ type: 'MODIFIED', object: cm('a', 1, {}) }]));
    for (const argv of [['--server', api.url, ...args], ['replay', f, ...args]]) {
      const c = runCli(argv);
      assert.equal(await c.exited, 2, `${argv.join(' ')}: ${c.stderr.join('\n')}`);
      assert.equal(c.stderr.length, 1, c.stderr.join('\n'));
      assert.match(c.stderr[0]!, re);
      assert.match(c.stderr[0]!, /\(hint: .+\)$/);
      assert.equal(c.stdout.length, 0);
    }
    assert.equal(api.requests.length, 0, 'nothing was started');
  });
}

const replayUsage: Array<[string, (dir: string) => string[], RegExp]> = [
  ['no file', () => ['replay'], /missing required argument 'file'/],
  ['a missing file', (d) => ['replay', join(d, 'nope.ndjson')], /replay: ".*nope\.ndjson" does not exist/],
  ['a directory', (d) => ['replay', d], /replay: ".*" is a directory/],
  ['--rate 0', (d) => ['replay', join(d, 'e.ndjson'), '--rate', '0'], /--rate: expected events per second, a number above 0, got "0"/],
  ['--rate fast', (d) => ['replay', join(d, 'e.ndjson'), '--rate', 'fast'], /--rate: expected events per second/],
  ['--rate -5', (d) => ['replay', join(d, 'e.ndjson'), '--rate', '-5'], /--rate: expected events per second/],
  ['--action (no cluster)', (d) => ['replay', join(d, 'e.ndjson'), '--action', 'delete-pods'], /unknown option '--action'/],
];

for (const [what, argv, re] of replayUsage) {
  test(`usage error: replay with ${what}`, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'e.ndjson'), recording([{ type: 'MODIFIED', object: cm('a', 1, {}) }]));
    const c = runCli(argv(dir));
    assert.equal(await c.exited, 2, c.stderr.join('\n'));
    assert.equal(c.stderr.length, 1, c.stderr.join('\n'));
    assert.match(c.stderr[0]!, re);
    assert.match(c.stderr[0]!, /\(hint: .+\)$/);
  });
}
