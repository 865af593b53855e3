import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtRootHelp, ROOT_HELP_FILE } from '../../../src/cli/entry.js';
import { renderRootHelp } from '../../../src/cli/root-help.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BUILT = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', ROOT_HELP_FILE), 'utf8')) as Record<string, string>;

test('root help: the text the build wrote is the live render, for both names, whatever the environment', () => {
  assert.deepEqual(Object.keys(BUILT).sort(), ['cmwatch', 'kubectl cmwatch']);
  for (const name of ['cmwatch', 'kubectl cmwatch']) assert.equal(BUILT[name], renderRootHelp(name), name);
  // Rendered again in a child with another environment: the text must not depend on where it was built.
  const url = pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'root-help.js')).href;
  const env = { ...process.env, HOME: '/nonexistent', KUBECONFIG: '/tmp/none', CMWATCH_SERVER: 'http://127.0.0.1:1', WATCH_NAMESPACE: 'x', FORCE_COLOR: '1', COLUMNS: '200' };
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); process.stdout.write(m.renderRootHelp('cmwatch'))`], { encoding: 'utf8', env });
  assert.equal(out, BUILT.cmwatch);
});

test('root help: the bins print it for --help or -h alone on a pipe, as commander did; other arguments go to main', () => {
  for (const [bin, name] of [['bin/cmwatch.js', 'cmwatch'], ['bin/kubectl-cmwatch.js', 'kubectl cmwatch']] as const) {
    for (const flag of ['--help', '-h']) assert.equal(execFileSync(process.execPath, [join(ROOT, bin), flag], { encoding: 'utf8' }), BUILT[name], `${bin} ${flag}`);
  }
  // The bundle's own code finds the file (it is not where tsc's entry.js is, and the bundle moves code into chunks).
  const bundled = pathToFileURL(join(ROOT, 'dist', 'bundle', 'entry.js')).href;
  const found = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundled)}); process.stdout.write(String(m.builtRootHelp(['--help'], 'kubectl cmwatch')))`], { encoding: 'utf8' });
  assert.equal(found, BUILT['kubectl cmwatch']);
  assert.equal(builtRootHelp(['-h'], 'cmwatch'), BUILT.cmwatch, 'from tsc\'s output too');
  // watch's own help is built live: it lists watch's options.
  assert.match(execFileSync(process.execPath, [join(ROOT, 'bin/cmwatch.js'), 'watch', '--help'], { encoding: 'utf8' }), /--exec/);
});

test('root help: builtRootHelp answers only --help or -h alone, for a name the file has', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-root-help-'));
  assert.equal(builtRootHelp(['--help'], 'cmwatch', dir), undefined, 'no file: undefined (main builds it)');
  writeFileSync(join(dir, ROOT_HELP_FILE), JSON.stringify({ cmwatch: 'text\n' }));
  assert.equal(builtRootHelp(['--help'], 'cmwatch', dir), 'text\n');
  assert.equal(builtRootHelp(['-h'], 'cmwatch', dir), 'text\n');
  assert.equal(builtRootHelp(['-h'], 'kubectl cmwatch', dir), undefined);
  for (const args of [[], ['help'], ['--help', 'watch'], ['watch', '--help'], ['-n', 'x', '--help']]) assert.equal(builtRootHelp(args, 'cmwatch', dir), undefined, args.join(' '));
  writeFileSync(join(dir, ROOT_HELP_FILE), 'not json');
  assert.equal(builtRootHelp(['--help'], 'cmwatch', dir), undefined, 'an unreadable file: undefined');
});
