/**
 * Issue #17, the CLI's answer to configuration a newcomer gets wrong:
 * KUBECONFIG naming only files that do not exist (nothing else applies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../helpers/cli.js';
import { isolatedEnv, kubeconfig, tmp } from '../helpers/direct.js';

test('KUBECONFIG naming only missing files, not in a pod, no --server: one line naming the paths, exit 2 (no kubectl-proxy retries)', async () => {
  const a = join(tmpdir(), 'cmwatch-no-such-kubeconfig-a');
  const b = join(tmpdir(), 'cmwatch-no-such-kubeconfig-b');
  const r = runCli(['-n', 'default'], { env: isolatedEnv({ KUBECONFIG: `${a}:${b}` }) });
  assert.equal(await r.exited, 2);
  assert.deepEqual(r.stderr, [
    `cmwatch: KUBECONFIG names 2 files, none of which exists: ${a}, ${b}; nothing else to connect to (not in a pod, no server given) (hint: fix or unset KUBECONFIG (unset, ~/.kube/config is used), pass --kubeconfig FILE, or --server URL (http://localhost:8001 for kubectl proxy))`,
  ]);
});

test('KUBECONFIG naming a missing file, with --server: the server is used, nothing said about KUBECONFIG', async () => {
  const r = runCli(['-n', 'default', '--server', 'http://127.0.0.1:9', '--log-level', 'warn'], { env: isolatedEnv({ KUBECONFIG: join(tmpdir(), 'cmwatch-no-such-kubeconfig') }) });
  await r.waitFor(/127\.0\.0\.1:9/, 30_000);
  await r.stop();
  assert.deepEqual(r.stderr.filter((l) => /KUBECONFIG/.test(l)), []);
});

/** A local port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('connection refused, URL from a kubeconfig: the hint names the cluster, the context and the file, not kubectl proxy', async () => {
  const port = await closedPort();
  const dir = tmp();
  const file = kubeconfig(join(dir, 'kc.yaml'), { server: `https://127.0.0.1:${port}`, context: 'dead-ctx', clusterName: 'dead', user: { token: 'abc' } });
  const r = runCli(['-n', 'default', '--kubeconfig', file], { env: isolatedEnv() });
  try {
    const line = await r.waitFor(/ECONNREFUSED/, 30_000);
    assert.match(line, new RegExp(`\\(hint: nothing listens there: the URL is the server of cluster "dead" of kubeconfig context dead-ctx \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\); is that cluster running, and is its server field right\\?\\)`));
    assert.doesNotMatch(line, /kubectl proxy/);
  } finally {
    await r.stop('SIGKILL');
  }
});

test('connection refused, URL from --server: the hint names --server', async () => {
  const port = await closedPort();
  const r = runCli(['-n', 'default', '--server', `http://127.0.0.1:${port}`], { env: isolatedEnv() });
  try {
    const line = await r.waitFor(/ECONNREFUSED/, 30_000);
    assert.match(line, /\(hint: nothing listens there: is kubectl proxy running, or is the URL from --server right\?\)/);
  } finally {
    await r.stop('SIGKILL');
  }
});

test('a bare number as a duration: accepted as seconds, and the help says so', async () => {
  // The flags are listed by each command's help (the root help is short and points there).
  const help = runCli(['watch', '--help']);
  assert.equal(await help.exited, 0);
  assert.match(help.stdout.join(' ').replace(/\s+/g, ' '), /--timeout <duration> per handler run \(durations: 500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds\)/);
  const bad = runCli(['--timeout', '30x']);
  assert.equal(await bad.exited, 2);
  assert.deepEqual(bad.stderr, ['cmwatch: --timeout: invalid duration "30x" (hint: use a number with a unit, e.g. 500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds)']);
});
