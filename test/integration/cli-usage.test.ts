/** Bad input: one line with a hint on stderr, exit 2, and nothing started. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli } from '../helpers/cli.js';

const fx = fakeFixture({ lazy: true });

const cases: Array<[string[], RegExp]> = [
  [['--bogus'], /unknown option '--bogus'/],
  [['--on', 'FOO'], /--on: unknown event type "FOO"/],
  [['--on', ','], /--on: no event type/],
  [['--timeout', 'soon'], /--timeout: invalid duration "soon"/],
  [['--stall-timeout', '5 parsecs'], /--stall-timeout: invalid duration/],
  [['--watch-timeout', '500ms'], /--watch-timeout: must be 0 or at least 1s, got "500ms"/],
  [['--request-timeout', '5x'], /^cmwatch: --request-timeout: invalid duration "5x" \(hint: use a number with a unit, e\.g\. 500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds\)$/],
  [['events', '--request-timeout', 'nope'], /--request-timeout: invalid duration "nope"/],
  [['--server', 'not a url'], /--server: invalid URL "not a url"/],
  [['--server', 'ftp://x'], /unsupported scheme "ftp:"/],
  [['-n', 'Bad_NS'], /namespace "Bad_NS" is not a valid name/],
  [['-A', '-n', 'default'], /exclude each other/],
  [['--action', 'nuke'], /--action: unknown action "nuke"/],
  [['--dry-run'], /--dry-run only applies to --action delete-pods/],
  [['--dry-run'], /--dry-run only applies to --action delete-pods, evict-pods or rollout-restart, or to handlers' write-back \(--exec, --exec-dir\)/],
  [['--field-manager', ''], /^cmwatch: --field-manager: "" is not a field manager name \(hint: give 1 to 128 printable characters/],
  [['--field-manager', 'x'.repeat(129)], /--field-manager: "x+" is not a field manager name/],
  [['--exec', "./h.sh 'open"], /--exec: unbalanced '/],
  [['--concurrency', '0'], /--concurrency: expected a whole number >= 1, got "0"/],
  [['--max-retries', '-1'], /--max-retries: expected a whole number >= 0/],
  [['--no-coalesce', '--max-pending-per-key', '0'], /^cmwatch: --max-pending-per-key: expected a whole number >= 1, got "0" \(hint: e\.g\. --max-pending-per-key 1000\)$/],
  [['--max-pending-per-key', 'lots'], /--max-pending-per-key: expected a whole number >= 1, got "lots"/],
  [['watch', '--no-coalesce', '--max-pending-per-key', '2.5'], /--max-pending-per-key: expected a whole number >= 1, got "2\.5"/],
  [['-l', 'app in web'], /--selector: invalid label selector "app in web"/],
  [['--field-selector', 'metadata.name'], /^cmwatch: --field-selector: invalid field selector "metadata\.name": term "metadata\.name" has no operator \(use field=value, field==value or field!=value\) \(hint: e\.g\. --field-selector metadata\.name=web/],
  [['events', '--field-selector', 'metadata.name=a=b'], /--field-selector: invalid field selector "metadata\.name=a=b": term "metadata\.name=a=b": unescaped "=" in the value/],
  [['--field-selector', 'metadata.name=\\!x'], /--field-selector: invalid field selector .*invalid escape sequence "\\!"/],
  [['-o', 'yaml'], /--output: unknown format "yaml"/],
  [['--trigger', 'sometimes'], /--trigger: unknown mode "sometimes"/],
  [['--selector-annotation', 'bad key!'], /--selector-annotation: invalid annotation/],
  [['--log-level', 'loud'], /argument 'loud' is invalid/],
  [['--state', 'Bad_Name'], /^cmwatch: --state: "Bad_Name" is not a valid ConfigMap name \(hint: lower-case letters/],
  [['--state-namespace', 'web'], /^cmwatch: --state-namespace only applies with --state \(hint: add --state NAME/],
  [['--state', 'st', '--state-namespace', 'Bad_NS'], /--state-namespace: "Bad_NS" is not a valid namespace/],
  [['--resync', '10s', '--exec', 'true'], /^cmwatch: --resync delivers SYNC events, but nothing runs on SYNC \(hint: add SYNC to --on/],
  [['--resync', '500ms', '--on', 'SYNC', '--exec', 'true'], /^cmwatch: --resync: must be at least 1s, got "500ms" \(hint: each object is delivered again once per period, e.g. --resync 10m\)$/],
  [['--resync', 'often', '--on', 'SYNC', '--exec', 'true'], /--resync: invalid duration "often"/],
  [['watch', '--on', 'NOPE'], /--on: unknown event type "NOPE"/],
  // Positional arguments are RESOURCEs now; one that no kubectl name could be is refused before anything starts.
  [['bad_resource!'], /^cmwatch: RESOURCE: invalid resource name "bad_resource!"/],
  [['cm/webapp-config'], /RESOURCE: invalid resource name "cm\/webapp-config" \(hint: cmwatch watches resources, not TYPE\/NAME/],
  [['events', 'cm,'], /RESOURCE: invalid resource name ""/],
  [['--content', '.spec.'], /^cmwatch: --content: content path ".spec."/],
  [['--content', '.spec', '--trigger', 'any'], /--content has no effect with --trigger any/],
  [['replay', '-', '--resource', 'a b'], /--resource: invalid resource name "a b"/],
];

for (const [args, re] of cases) {
  test(`usage error: cmwatch ${args.join(' ')}`, async () => {
    const api = await fx.start();
    const c = runCli(['--server', api.url, ...args].filter((a, i, all) => !(args.includes('--server') && i < 2)));
    const code = await c.exited;
    assert.equal(code, 2, c.stderr.join('\n'));
    assert.equal(c.stderr.length, 1, `one line, got:\n${c.stderr.join('\n')}`);
    assert.match(c.stderr[0]!, re);
    assert.match(c.stderr[0]!, /\(hint: .+\)$/);
    assert.equal(c.stdout.length, 0);
    assert.equal(api.requests.length, 0, 'nothing was started');
  });
}

test('--version and --help exit 0; --help shows examples and exit codes', async () => {
  const v = runCli(['--version']);
  assert.equal(await v.exited, 0);
  assert.match(v.stdout.join('\n'), /^\d+\.\d+\.\d+$/);
  const h = runCli(['--help']);
  assert.equal(await h.exited, 0);
  const help = h.stdout.join('\n');
  assert.match(help, /Examples:/);
  assert.match(help, /--action delete-pods/);
  assert.match(help, /Exit codes:/);
});

test('SIGINT during a watch exits 0', async () => {
  const api = await fx.start();
  const c = runCli(['--server', api.url]);
  await c.waitFor(/synced/);
  assert.equal(await c.stop('SIGINT'), 0);
  assert.ok(!c.stderr.some((l) => /at .*\.js:\d+/.test(l)), 'no stack trace');
});

test('an unreachable server is retried with a one-line warning, not a crash', async () => {
  const api = await fx.start();
  const url = api.url;
  await api.stop();
  const c = runCli(['--server', url]);
  try {
    const line = await c.waitFor(/ECONNREFUSED/);
    assert.match(line, /warn list .*configmaps.*; listing again in \d/);
    assert.match(line, /hint: nothing listens there: is kubectl proxy running/);
    assert.equal(await c.stop(), 0);
  } finally {
    await c.stop('SIGKILL');
  }
});
