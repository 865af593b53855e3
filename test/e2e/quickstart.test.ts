/**
 * The README's quick start, run from the README's own text (the blocks marked
 * `<!-- quickstart: setup|run|change|output -->`) against the real control
 * plane on an empty `default` namespace, with the real kubectl on PATH pointed
 * at the plane through KUBECONFIG. Its stderr must be exactly the output shown,
 * up to the values that differ per cluster (server, user, context, pod name).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/cli.js';
import { planeFixture, eventually } from '../helpers/plane.js';
import { isolatedEnv } from '../helpers/direct.js';
import { readmeBlocks } from '../helpers/readme-blocks.js';
import { startBash } from '../helpers/bash-lines.js';

const plane = planeFixture();
const run = promisify(execFile);

/** The per-cluster values, so the README's example values and this plane's compare equal. */
function normalize(line: string): string {
  return line
    .replace(/^using \S+ as \S+ \(kubeconfig context \S+\)/, 'using SERVER as USER (kubeconfig context CONTEXT)')
    .replace(/webapp-[a-z0-9]{6,10}-[a-z0-9]{5}\b/g, 'webapp-POD');
}

test('the README quick start works top to bottom on an empty cluster and prints exactly the output shown', async () => {
  const blocks = readmeBlocks('quickstart');
  for (const k of ['setup', 'run', 'change', 'output']) assert.ok(blocks.has(k), `README.md has a <!-- quickstart: ${k} --> block`);
  const env = { ...process.env, ...isolatedEnv({ KUBECONFIG: plane.c.kubeconfig, NO_COLOR: '1', CMWATCH_SERVER: undefined }) };
  const bash = (script: string) => run('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env, timeout: 120_000 });

  await bash(blocks.get('setup')!);

  const cm = startBash(blocks.get('run')!, env);
  const { stderr } = cm;
  try {
    await eventually('cmwatch synced', async () => stderr.some((l) => l.startsWith('synced ')), 60_000);
    await bash(blocks.get('change')!);
    const expected = blocks.get('output')!.split('\n').filter((l) => l !== '');
    await eventually('the dry run line', async () => stderr.length >= expected.length && /would delete/.test(stderr.at(-1)!), 60_000);
    assert.deepEqual(stderr.map(normalize), expected.map(normalize));
  } finally {
    cm.kill();
  }
});
