/** Bad values reported below cli/ carry no flag; the CLI words them with the flag, as cmwatch always did. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { asFlagError, checkFlag } from '../../../src/cli/flag-errors.js';
import { splitCommand } from '../../../src/handlers/command.js';
import { checkExecDir, ExecDirError } from '../../../src/handlers/exec-dir.js';
import { normalizeServer } from '../../../src/kube/server-url.js';
import { UsageError } from '../../../src/base/errors.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err;
  }
  assert.fail('expected a UsageError');
}

test('flag errors: the checker names the value, the CLI adds the flag and its hint', () => {
  assert.throws(() => splitCommand('   '), (e: unknown) => !(e as Error).message.includes('--exec') && (e as { reason?: string }).reason === 'empty');
  const empty = usage(() => checkFlag('--exec', () => splitCommand('   ')));
  assert.equal(empty.message, '--exec: empty command');
  assert.equal(empty.hint, 'give an executable path, e.g. --exec ./handler.sh');
  assert.equal(empty.code, 'E_USAGE');

  const dir = join(tmpdir(), 'cmwatch-no-such-handlers.d');
  assert.throws(() => checkExecDir(dir), (e: unknown) => e instanceof ExecDirError && e.reason === 'missing' && e.value === dir && !e.message.includes('--'));
  const missing = usage(() => checkFlag('--exec-dir', () => checkExecDir(dir)));
  assert.equal(missing.message, `--exec-dir: "${dir}" does not exist`);
  assert.equal(missing.hint, 'give a directory of executable handler files, e.g. --exec-dir ./handlers.d');

  const url = usage(() => checkFlag('CMWATCH_SERVER', () => normalizeServer('ftp://x')));
  assert.equal(url.message, 'CMWATCH_SERVER: unsupported scheme "ftp:" in "ftp://x"');
  assert.equal(url.hint, 'use http:// or https://');
});

test('flag errors: any other error passes through unchanged', () => {
  const other = new Error('boom');
  assert.equal(asFlagError(other, '--exec'), other);
});
