import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { versionOnly } from '../../../src/cli/entry.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;

test('entry: --version or -V alone is answered from package.json; anything else is not', () => {
  assert.equal(versionOnly(['--version']), `${version}\n`);
  assert.equal(versionOnly(['-V']), `${version}\n`);
  assert.equal(versionOnly([]), undefined);
  assert.equal(versionOnly(['--version', 'x']), undefined);
  assert.equal(versionOnly(['version']), undefined);
});

test('entry: the bins print what commander printed for --version, and the rest still goes to main', () => {
  for (const bin of ['bin/cmwatch.js', 'bin/kubectl-cmwatch.js']) {
    assert.equal(execFileSync(process.execPath, [`${ROOT}${bin}`, '--version'], { encoding: 'utf8' }), `${version}\n`);
    assert.equal(execFileSync(process.execPath, [`${ROOT}${bin}`, '-V'], { encoding: 'utf8' }), `${version}\n`);
  }
  assert.match(execFileSync(process.execPath, [`${ROOT}bin/cmwatch.js`, 'version', '--client'], { encoding: 'utf8' }), new RegExp(`^cmwatch ${version.replace(/\./g, '\\.')}\\n`));
});
