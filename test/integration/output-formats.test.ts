/**
 * -o FORMAT through the real CLI against the fake API server (issue 17,
 * items 9 and 10): `events -o json|jsonpath=…|custom-columns=…|text`, and
 * `watch -o text|jsonpath=…` (with no -o, watch prints nothing on stdout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli, until } from '../helpers/cli.js';

let api: FakeApiServer | undefined;
const fx = fakeFixture({
  lazy: true,
  seed: (a) => {
    api = a;
    a.upsertConfigMap('default', 'a', { v: '1' });
  },
});

async function changes(args: string[], n: number): Promise<string[]> {
  await fx.start();
  const c = runCli([...args, '--server', api!.url]);
  await c.waitFor(/synced 1 object/);
  api!.upsertConfigMap('default', 'a', { v: '2' });
  api!.upsertConfigMap('default', 'longer-name', { v: '1' });
  await until(() => c.stdout.filter((l) => l !== '').length >= n);
  assert.equal(await c.stop('SIGTERM'), 0, c.stderr.join('\n'));
  return c.stdout.filter((l) => l !== '');
}

test('events -o json is accepted and prints what events prints by default', async () => {
  const out = await changes(['events', '-n', 'default', '-o', 'json'], 2);
  assert.deepEqual(out.map((l) => JSON.parse(l).type), ['MODIFIED', 'ADDED']);
});

test('events -o jsonpath=TEMPLATE: the template per event, applied to the object', async () => {
  const out = await changes(['events', '-n', 'default', '-o', 'jsonpath={.metadata.namespace}/{.metadata.name} v={.data.v}{"\\n"}'], 2);
  assert.deepEqual(out, ['default/a v=2', 'default/longer-name v=1']);
});

test('events -o custom-columns=SPEC: a header line, then one row per event', async () => {
  const out = await changes(['events', '-n', 'default', '-o', 'custom-columns=NAME:.metadata.name,V:.data.v,X:.data.nope'], 3);
  assert.deepEqual(out, ['NAME   V   X', 'a      2   <none>', 'longer-name   1   <none>']);
});

test('watch -o text prints one human line per event on stdout', async () => {
  const out = await changes(['-n', 'default', '-o', 'text'], 2);
  assert.deepEqual(out.map((l) => l.replace(/rv=\d+/, 'rv=N')), ['MODIFIED ConfigMap default/a rv=N data: 1 key', 'ADDED ConfigMap default/longer-name rv=N data: 1 key']);
});

test('watch -o jsonpath=TEMPLATE prints the template per event', async () => {
  const out = await changes(['-n', 'default', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'], 2);
  assert.deepEqual(out, ['a', 'longer-name']);
});

test('watch without -o prints nothing on stdout', async () => {
  await fx.start();
  const c = fx.cmwatch(['-n', 'default']);
  await c.waitFor(/synced 1 object/);
  api!.upsertConfigMap('default', 'a', { v: '2' });
  await c.waitFor(/MODIFIED/);
  assert.equal(await c.stop('SIGTERM'), 0);
  assert.deepEqual(c.stdout.filter((l) => l !== ''), []);
});

test('a bad -o is one line with a hint, exit 2, and a usage error names the subcommand\'s help', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['events', '-o', 'jsonpath={.metadata.name'], /^cmwatch: -o jsonpath: "\{" at position 1 is never closed in template "\{\.metadata\.name" \(hint: kubectl's JSONPath syntax, .*\)$/],
    [['events', '-o', 'custom-columns=NAME'], /^cmwatch: -o custom-columns: "NAME" is not HEADER:PATH \(hint: .*\)$/],
    [['watch', '-o', 'jsonpath={.a[?(@.x=)]}'], /^cmwatch: -o jsonpath: path ".*" is not valid JSONPath .*\(hint: .*\)$/],
    [['events', '-o', 'yaml'], /^cmwatch: --output: unknown format "yaml" \(hint: use -o json, -o text, -o jsonpath=TEMPLATE or -o custom-columns=SPEC\)$/],
    [['events', '--nope'], /\(hint: see cmwatch events --help\)$/],
    [['finalizers', 'remove', '--nope'], /\(hint: see cmwatch finalizers remove --help\)$/],
    [['replay', '--nope', 'x'], /\(hint: see cmwatch replay --help\)$/],
  ];
  for (const [args, re] of cases) {
    const c = runCli([...args, '--server', 'http://127.0.0.1:9']);
    assert.equal(await c.exited, 2, `${args.join(' ')}: ${c.stderr.join('\n')}`);
    assert.equal(c.stderr.length, 1, `${args.join(' ')}: ${c.stderr.join('\n')}`);
    assert.match(c.stderr[0]!, re);
    assert.deepEqual(c.stdout, []);
  }
});
