/** Exit codes are chosen in one table, by error code; errors below cli/ carry a code and a cause, no exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeFor, exitCodeForCode } from '../../../src/cli/exit-codes.js';
import { ConnectionConfigError, CredentialError, ExecPluginError, KubeconfigError } from '../../../src/kube/errors.js';
import { ServerUrlError } from '../../../src/kube/server-url.js';
import { CommandLineError } from '../../../src/handlers/command.js';
import { CmwatchError, UsageError } from '../../../src/base/errors.js';

test('exit codes: configuration and usage errors exit 2, anything else 1', () => {
  for (const e of [new KubeconfigError('m'), new ConnectionConfigError('m'), new ExecPluginError('m'), new CredentialError('m'), new UsageError('m')]) {
    assert.equal(e.exitCode, undefined, `${e.name} chooses no exit code`);
    assert.equal(exitCodeFor(e), 2, e.name);
  }
  assert.equal(exitCodeFor(new ServerUrlError('invalid-url', 'x', 'invalid URL "x"', 'h')), 2);
  assert.equal(exitCodeFor(new CommandLineError('empty', '', 'empty command', 'h')), 2);
  assert.equal(exitCodeFor(new CmwatchError('E_EXEC_DIR', 'm')), 1);
  assert.equal(exitCodeForCode('toString'), 1, 'only the table\'s own entries');
  assert.equal(exitCodeFor({}), 1);
});

test('exit codes: a permanent API refusal (what a reflector with --exit-on-error stops on) exits 3; the mapping records it on the error', () => {
  for (const status of [401, 403, 404]) {
    const e = new CmwatchError(`API_${status}`, 'refused');
    assert.equal(e.exitCode, undefined, 'no exit code until the CLI maps it');
    assert.equal(exitCodeFor(e), 3);
    assert.equal(e.exitCode, 3);
  }
  assert.equal(exitCodeFor(new CmwatchError('API_500', 'm')), 1);
  assert.equal(exitCodeFor(new CmwatchError('E_LISTEN', 'm')), 2, 'a listener that cannot be opened: nothing has started');
});
