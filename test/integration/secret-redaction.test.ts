/**
 * Secrets' values never reach a log line: with --log-level debug, in both
 * --log-format text and json, an object whose data holds a unique marker goes
 * through the initial list, a watch event, a malformed watch line cut inside
 * its data, a relist (410), a list body that is not JSON, a failing handler,
 * and a delete; no stderr line may contain the marker.
 *
 * The fake API server serves only configmaps and pods, so the object is a
 * ConfigMap with the marker in `data` (and in the last-applied annotation
 * that `kubectl apply` writes, which copies the data): cmwatch treats every
 * object alike on these paths (list, watch, framer, relist diff, handler
 * engine, logs), so a Secret goes through the same code. stdout is not
 * checked: -o json and `events` print objects as the API sent them.
 *
 * What a handler prints is masked only for Secrets (api/secret-mask.ts): the
 * last test feeds a Secret through replay, which runs the same engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { recording, script, tempDir } from '../helpers/handler-fixtures.js';
import { runCli, until } from '../helpers/cli.js';

const fx = fakeFixture();

for (const format of ['text', 'json'] as const) {
  test(`no log line carries a data value (--log-level debug --log-format ${format})`, async () => {
    const marker = `MARKER-${randomBytes(6).toString('hex')}`;
    const value = (n: number) => `${marker}-${n}`;
    const api = fx.api;
    const applied = (n: number) => ({ 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', data: { password: value(n) } }) });
    api.upsertConfigMap('default', 'vault', { password: value(1) }, applied(1));
    // A handler that reads the event and fails (its own words do not quote the event).
    const handler = script(tempDir(), 'fail.sh', 'cat >/dev/null\necho "handler ran" >&2\nexit 1');
    const c = fx.cmwatch(['-n', 'default', '--log-level', 'debug', '--log-format', format, '--exec', handler, '--on', 'SYNC,ADDED,MODIFIED,DELETED', '--max-retries', '0']);
    const all = () => c.stderr.join('\n');
    await c.waitFor(/synced 1 object/);
    await until(() => /exit 1/.test(all()), 10_000, 'the handler failure after the SYNC');

    // A watch event.
    api.upsertConfigMap('default', 'vault', { password: value(2) }, applied(2));
    await until(() => (all().match(/exit 1/g) ?? []).length >= 2, 10_000, 'the handler failure after the MODIFIED');

    // A malformed watch line, cut inside the data.
    const watches = () => api.requests.filter((r) => r.query.watch === 'true').length;
    const before = watches();
    api.writeRaw(`{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"vault","namespace":"default"},"data":{"password":"${value(3)}\n`);
    await c.waitFor(/Could not parse row/);
    await until(() => watches() > before, 15_000, 'the re-watch after the malformed line');

    // A relist (the watch expires), whose list body is first not JSON, cut inside the data.
    api.upsertConfigMap('default', 'vault', { password: value(4) }, applied(4));
    api.faults.push(
      { kind: 'error-event', code: 410, reason: 'Expired', message: 'too old resource version' },
      { kind: 'list-body', body: `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"vault"},"data":{"password":"${value(5)}` },
    );
    api.closeWatches();
    await c.waitFor(/invalid JSON/, 15_000);
    await c.waitFor(/relisted 1 object/, 15_000);

    // A delete.
    api.deleteConfigMap('default', 'vault');
    await until(() => (all().match(/exit 1/g) ?? []).length >= 3, 10_000, 'the handler failure after the DELETED');
    assert.equal(await c.stop('SIGTERM'), 0, all());

    const leaks = c.stderr.filter((l) => l.includes(marker));
    assert.deepEqual(leaks, [], `log lines with a data value:\n${leaks.join('\n')}`);
    if (format === 'json') for (const l of c.stderr) JSON.parse(l);
    // The paths were taken (and described the object without its values).
    assert.match(all(), /Could not parse row: not JSON \(\d+ bytes, at position \d+\)/);
    assert.match(all(), /invalid JSON \(\d+ bytes, at position \d+\)/);
    assert.match(all(), /SYNC ConfigMap default\/vault rv=\d+ data: 1 key/);
  });
}

test('a handler that prints the Secret it got: its values are masked in the log lines of its output (replay feeds the same engine)', async () => {
  const marker = `MARKER-${randomBytes(6).toString('hex')}`;
  const pem = `-----BEGIN KEY-----\n${marker}-pem\n-----END KEY-----`;
  const secret = {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: 'db', namespace: 'default', uid: 'u-db', resourceVersion: '7' },
    data: { password: Buffer.from(`${marker}-pw`).toString('base64'), key: Buffer.from(pem).toString('base64') },
    stringData: { token: `${marker}-token` },
  };
  const dir = tempDir();
  const file = join(dir, 'secret.ndjson');
  writeFileSync(file, recording([{ type: 'MODIFIED', object: secret }]));
  // Prints stdin as is, the decoded values, and the key's PEM line by line, on both streams.
  const h = script(dir, 'echo.sh', [
    'in=$(cat)',
    'echo "$in"',
    `echo "$in" | jq -r '.object.data.password' | base64 -d; echo`,
    `echo "$in" | jq -r '.object.data.key' | base64 -d >&2`,
    `echo "$in" | jq -r '.object.stringData.token'`,
    'echo "done"',
  ].join('\n'));
  for (const format of ['text', 'json']) {
    const c = runCli(['replay', file, '--exec', h, '--log-level', 'debug', '--log-format', format]);
    assert.equal(await c.exited, 0, c.stderr.join('\n'));
    const logs = c.stderr.join('\n');
    assert.match(logs, /\[echo\.sh default\/db\] done/, 'the handler ran and its output was logged');
    assert.match(logs, /\[redacted\]/);
    assert.deepEqual(c.stderr.filter((l) => l.includes(marker)), [], 'no value, encoded or decoded');
    for (const v of Object.values(secret.data)) assert.ok(!logs.includes(v), 'nor its base64');
  }
});
