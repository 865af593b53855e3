/**
 * Shell completion (issue 17): the bash script, sourced in bash, completes
 * subcommands, flags, -o formats and --action names; the zsh and fish
 * scripts are produced; an unknown shell is a usage error. Resource names
 * from discovery are checked against the real server in
 * test/e2e/kubectl-conveniences.test.ts; here, with no cluster, none are
 * offered and nothing is printed on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli.js';
import { completeBash } from '../helpers/complete-bash.js';

const NO_CLUSTER = { KUBECONFIG: '/nonexistent/kubeconfig', CMWATCH_SERVER: 'http://127.0.0.1:9' };

test('bash: complete -F registers the function; a subcommand completes', async () => {
  const r = await completeBash(['cmwatch', 'ev'], NO_CLUSTER);
  assert.match(r.spec, /^complete -F _cmwatch cmwatch$/);
  assert.deepEqual(r.completions, ['events']);
  assert.deepEqual((await completeBash(['cmwatch', ''], NO_CLUSTER)).completions, ['watch', 'events', 'finalizers', 'replay', 'version', 'doctor', 'completion']);
  assert.deepEqual((await completeBash(['cmwatch', 'finalizers', ''], NO_CLUSTER)).completions, ['remove']);
});

test('bash: flags of the command typed, -o formats, --action names, shells', async () => {
  assert.deepEqual((await completeBash(['cmwatch', 'events', '--ou'], NO_CLUSTER)).completions, ['--output']);
  assert.deepEqual((await completeBash(['cmwatch', 'events', '--act'], NO_CLUSTER)).completions, [], 'events takes no --action');
  assert.deepEqual((await completeBash(['cmwatch', '--act'], NO_CLUSTER)).completions, ['--action']);
  assert.deepEqual((await completeBash(['cmwatch', 'watch', '-o', 'j'], NO_CLUSTER)).completions, ['json', 'jsonpath=']);
  assert.ok((await completeBash(['cmwatch', '--action', ''], NO_CLUSTER)).completions.includes('delete-pods'));
  assert.deepEqual((await completeBash(['cmwatch', 'completion', ''], NO_CLUSTER)).completions, ['bash', 'zsh', 'fish']);
  assert.deepEqual((await completeBash(['cmwatch', 'version', '--cli'], NO_CLUSTER)).completions, ['--client-certificate', '--client-key', '--client']);
});

test('bash: with no cluster, resource names are simply absent', async () => {
  assert.deepEqual((await completeBash(['cmwatch', 'events', 'conf'], NO_CLUSTER)).completions, []);
  const c = runCli(['__complete', 'resources'], { env: NO_CLUSTER });
  assert.equal(await c.exited, 0);
  assert.deepEqual([...c.stdout, ...c.stderr].filter((l) => l !== ''), []);
});

test('zsh and fish scripts; an unknown shell is exit 2 with a hint', async () => {
  const zsh = runCli(['completion', 'zsh']);
  assert.equal(await zsh.exited, 0);
  assert.match(zsh.stdout.join('\n'), /^#compdef cmwatch/);
  assert.match(zsh.stdout.join('\n'), /bashcompinit/);
  const fish = runCli(['completion', 'fish']);
  assert.equal(await fish.exited, 0);
  assert.match(fish.stdout.join('\n'), /complete -c cmwatch -n .* -l output -r -a 'json text jsonpath= custom-columns='/);
  const run = promisify(execFile);
  const script = (await run(process.execPath, [(await import('../helpers/cli.js')).BIN, 'completion', 'bash'])).stdout;
  await run('bash', ['-n', '-c', script]);
  const bad = runCli(['completion', 'tcsh']);
  assert.equal(await bad.exited, 2);
  assert.deepEqual(bad.stderr, ['cmwatch: completion: unknown shell "tcsh" (hint: give bash, zsh or fish, e.g. source <(cmwatch completion bash))']);
});
