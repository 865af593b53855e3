/**
 * The README's development control plane commands (the block marked
 * `<!-- dev-cluster: commands -->`), run as written in bash from the clone:
 * `eval "$(npm run -s cluster:up)"` must set KUBECONFIG and leave no junk
 * files (npm's banner on stdout used to be eval'd), say `cluster up in` once,
 * and `npm run cluster:down` must stop it. The run dir is a temporary one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/cli.js';
import { readmeBlocks } from '../helpers/readme-blocks.js';

const run = promisify(execFile);

test('eval "$(npm run -s cluster:up)" as the README writes it: KUBECONFIG set, no junk files, one "cluster up in" line; cluster:down stops it', async () => {
  const block = readmeBlocks('dev-cluster').get('commands');
  assert.ok(block, 'README.md has a <!-- dev-cluster: commands --> block');
  const lines = block.split('\n');
  const up = lines.find((l) => /cluster:up/.test(l));
  const down = lines.find((l) => /cluster:down/.test(l));
  assert.ok(up && down, 'the block has the up and down commands');
  assert.match(up, /^eval "\$\(npm run /, 'the documented up command is eval-able');
  const runDir = mkdtempSync(join(tmpdir(), 'cmwatch-devcluster-'));
  const before = readdirSync(ROOT).sort();
  const script = `set -e\n${up}\necho "KUBECONFIG=$KUBECONFIG"\nkubectl get namespace default -o name\n${down}`;
  try {
    const r = await run('bash', ['-c', script], {
      cwd: ROOT,
      timeout: 600_000,
      maxBuffer: 16 << 20,
      env: { ...process.env, CMWATCH_CLUSTER_RUN_DIR: runDir, KUBECONFIG: '' },
    });
    assert.match(r.stdout, new RegExp(`^KUBECONFIG=${runDir}/\\S+$`, 'm'));
    assert.match(r.stdout, /^namespace\/default$/m);
    assert.deepEqual(r.stderr.split('\n').filter((l) => /cluster up in/.test(l)).length, 1, r.stderr);
    assert.match(r.stderr, /cluster down/);
  } finally {
    await run('node', [join(ROOT, 'dist', 'test', 'cluster', 'cli.js'), 'down'], { env: { ...process.env, CMWATCH_CLUSTER_RUN_DIR: runDir } }).catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  }
  assert.deepEqual(readdirSync(ROOT).sort(), before, 'no new files in the clone');
});
