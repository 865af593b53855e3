/**
 * Exec credential plugins: a fake plugin script that counts its runs shows
 * the credential cached until its expirationTimestamp, one re-run after a
 * 401 however many requests failed together, KUBERNETES_EXEC_INFO as kubectl
 * passes it, interactiveMode, and failures that carry the plugin's stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecCredential } from '../../../src/kube/credentials.js';
import { runExecPlugin, parseExecCredential } from '../../../src/kube/exec-plugin.js';
import { ExecPluginError } from '../../../src/kube/errors.js';
import { throughCli } from '../../helpers/through-cli.js';
import type { ExecEntry } from '../../../src/kube/kubeconfig.js';

const V1 = 'client.authentication.k8s.io/v1';

/**
 * A plugin that appends a line to $DIR/runs on each run and prints token
 * tok-N (N = the run number), with $EXPIRES as expirationTimestamp when set.
 * It saves KUBERNETES_EXEC_INFO and its own environment in $DIR.
 */
function fakePlugin(): { dir: string; command: string; runs: () => number; info: () => any } {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-exec-'));
  const command = join(dir, 'plugin.sh');
  writeFileSync(command, `#!/usr/bin/env bash
set -eu
echo run >> "${dir}/runs"
n=$(wc -l < "${dir}/runs" | tr -d ' ')
printf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/info.json"
echo "PROFILE=\${PROFILE:-}" > "${dir}/env"
if [ -n "\${FAIL:-}" ]; then echo "error: the SSO session has expired; run: login --profile dev" >&2; exit 3; fi
echo "a warning on stderr" >&2
exp=""
if [ -n "\${EXPIRES:-}" ]; then exp=",\\"expirationTimestamp\\":\\"$EXPIRES\\""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s"%s}}\\n' "\${API:-${V1}}" "$n" "$exp"
`);
  chmodSync(command, 0o755);
  return {
    dir, command,
    runs: () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length : 0),
    info: () => JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')),
  };
}

function entry(command: string, over: Partial<ExecEntry> = {}): ExecEntry {
  return { command, args: [], env: [], apiVersion: V1, provideClusterInfo: false, interactiveMode: 'Never', ...over };
}

const where = 'kubeconfig ~/.kube/config: user "u" (context "c")';

test('cached until expirationTimestamp, then run again', async () => {
  const p = fakePlugin();
  let now = Date.parse('2030-01-01T00:00:00Z');
  const cred = new ExecCredential(entry(p.command), { where, stdinIsTTY: false, env: { ...process.env, EXPIRES: '2030-01-01T01:00:00Z' }, now: () => now });
  const a = await cred.current();
  const b = await cred.current();
  assert.equal(a.headers.authorization, 'Bearer tok-1');
  assert.equal(b, a, 'the same credential, from the cache');
  now = Date.parse('2030-01-01T00:59:59Z');
  assert.equal((await cred.current()).headers.authorization, 'Bearer tok-1');
  assert.equal(p.runs(), 1);
  now = Date.parse('2030-01-01T01:00:00Z');
  assert.equal((await cred.current()).headers.authorization, 'Bearer tok-2', 'expired: the plugin ran again');
  assert.equal(p.runs(), 2);
});

test('without expirationTimestamp: cached until a 401; five requests failing together cause one run', async () => {
  const p = fakePlugin();
  const cred = new ExecCredential(entry(p.command), { where, stdinIsTTY: false });
  const used = (await cred.current()).headers;
  for (let i = 0; i < 3; i++) await cred.current();
  assert.equal(p.runs(), 1);
  const results = await Promise.all(Array.from({ length: 5 }, () => cred.refresh(used)));
  assert.deepEqual(results, [true, true, true, true, true], 'each may retry');
  assert.equal(p.runs(), 2, 'one re-run for the five 401s');
  assert.equal((await cred.current()).headers.authorization, 'Bearer tok-2');
  // A late 401 for a request sent with the old credential: retry with the new one, no re-run.
  assert.equal(await cred.refresh(used), true);
  assert.equal(p.runs(), 2);
});

test('a 401 to the newest credential when the plugin hands out the same token again: no retry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-exec-same-'));
  const command = join(dir, 'same.sh');
  writeFileSync(command, `#!/usr/bin/env bash\necho x >> "${dir}/runs"\necho '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"same"}}'\n`);
  chmodSync(command, 0o755);
  const cred = new ExecCredential(entry(command), { where, stdinIsTTY: false });
  const used = (await cred.current()).headers;
  assert.equal(await cred.refresh(used), false);
  assert.equal(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length, 2);
});

test('KUBERNETES_EXEC_INFO and the configured env are passed as kubectl does', async () => {
  const p = fakePlugin();
  const cluster = { server: 'https://k:6443', 'tls-server-name': 'api.internal', 'certificate-authority-data': 'Q0E=', config: { audience: 'x' } };
  await runExecPlugin(entry(p.command, { env: [{ name: 'PROFILE', value: 'dev' }], provideClusterInfo: true }), { where, stdinIsTTY: false, cluster });
  assert.deepEqual(p.info(), { apiVersion: V1, kind: 'ExecCredential', spec: { interactive: false, cluster } });
  assert.equal(readFileSync(join(p.dir, 'env'), 'utf8').trim(), 'PROFILE=dev');
  // Without provideClusterInfo, no cluster; v1beta1 speaks v1beta1.
  const beta = 'client.authentication.k8s.io/v1beta1';
  const r = await runExecPlugin(entry(p.command, { apiVersion: beta }), { where, stdinIsTTY: false, cluster, env: { ...process.env, API: beta } });
  assert.equal(r.token, 'tok-2');
  assert.deepEqual(p.info(), { apiVersion: beta, kind: 'ExecCredential', spec: { interactive: false } });
});

test('interactiveMode: Never is never interactive; Always with no terminal on stdin fails clearly', async () => {
  const p = fakePlugin();
  await runExecPlugin(entry(p.command, { interactiveMode: 'Never' }), { where, stdinIsTTY: true });
  assert.equal(p.info().spec.interactive, false);
  await assert.rejects(runExecPlugin(entry(p.command, { interactiveMode: 'Always' }), { where, stdinIsTTY: false }), (e: unknown) => {
    assert.ok(e instanceof ExecPluginError);
    assert.equal(e.message, `exec plugin "plugin.sh" (${where}): interactiveMode is Always but standard input is not a terminal`);
    assert.match(e.hint!, /interactiveMode: Never or IfAvailable/);
    return true;
  });
  assert.equal(p.runs(), 1, 'the Always plugin was not run');
  await runExecPlugin(entry(p.command, { interactiveMode: 'IfAvailable' }), { where, stdinIsTTY: false });
  assert.equal(p.info().spec.interactive, false, 'IfAvailable with no terminal: not interactive');
});

test('failures: the plugin\'s stderr, a missing command with its installHint, bad output', async () => {
  const p = fakePlugin();
  await assert.rejects(throughCli(runExecPlugin(entry(p.command), { where, stdinIsTTY: false, env: { ...process.env, FAIL: '1' } })), (e: unknown) => {
    assert.ok(e instanceof ExecPluginError);
    assert.equal(e.code, 'E_EXEC_PLUGIN');
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, `exec plugin "plugin.sh" (${where}) exited with code 3: error: the SSO session has expired; run: login --profile dev`);
    return true;
  });
  await assert.rejects(runExecPlugin(entry('/nonexistent/aws-iam-authenticator', { installHint: 'brew install aws-iam-authenticator' }), { where, stdinIsTTY: false }),
    (e: unknown) => e instanceof ExecPluginError && /"aws-iam-authenticator" \(.*\): command "\/nonexistent\/aws-iam-authenticator" not found$/.test(e.message) && e.hint === 'brew install aws-iam-authenticator');
  await assert.rejects(runExecPlugin(entry(p.command), { where, stdinIsTTY: false, env: { ...process.env, API: 'client.authentication.k8s.io/v1beta1' } }),
    /returned apiVersion "client.authentication.k8s.io\/v1beta1", but the kubeconfig asks for client.authentication.k8s.io\/v1$/);
  assert.throws(() => parseExecCredential('Please log in', V1, 'p'), /p: stdout is not JSON: "Please log in"/);
  assert.throws(() => parseExecCredential(`{"apiVersion":"${V1}","kind":"ExecCredential","status":{}}`, V1, 'p'), /p: returned neither a token nor a client certificate/);
  assert.throws(() => parseExecCredential(`{"apiVersion":"${V1}","kind":"ExecCredential","status":{"clientCertificateData":"x"}}`, V1, 'p'), /clientCertificateData without clientKeyData/);
  assert.throws(() => parseExecCredential(`{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}}`, V1, 'p'), /expirationTimestamp "soon" is not a time/);
  const certOnly = parseExecCredential(`{"apiVersion":"${V1}","kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}}`, V1);
  assert.equal(certOnly.clientCertificateData?.toString(), 'C');
  assert.equal(certOnly.token, undefined);
});

test('stderr of a plugin that succeeds is reported line by line', async () => {
  const p = fakePlugin();
  const lines: string[] = [];
  await runExecPlugin(entry(p.command), { where, stdinIsTTY: false, onStderr: (l) => lines.push(l) });
  assert.deepEqual(lines, ['a warning on stderr']);
});
