/**
 * kubectl's global flags in any position (issue 17, the kubectl plugin):
 * flags before the subcommand that it takes are moved after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../../../src/cli/main.js';
import { hoistGlobalFlags } from '../../../src/cli/global-flags.js';

const program = buildProgram(async () => 0);
const hoist = (line: string) => hoistGlobalFlags(line.split(' ').filter((w) => w !== ''), program).join(' ');

test('flags before a subcommand move after it', () => {
  assert.equal(hoist('--context staging -n web events -o json'), 'events --context staging -n web -o json');
  assert.equal(hoist('--kubeconfig=/k --namespace web -A watch --exec ./h.sh'), 'watch --kubeconfig=/k --namespace web -A --exec ./h.sh');
  assert.equal(hoist('--context c finalizers remove x.io/f cm'), 'finalizers remove --context c x.io/f cm');
  assert.equal(hoist('--kubeconfig /k version'), 'version --kubeconfig /k');
});

test('flags the subcommand does not take stay where they are; nothing moves without a subcommand', () => {
  assert.equal(hoist('-n web --context c version'), '-n web version --context c');
  assert.equal(hoist('-n web --action delete-pods'), '-n web --action delete-pods');
  assert.equal(hoist('-n web configmaps'), '-n web configmaps');
  assert.equal(hoist('events -n web'), 'events -n web');
  assert.equal(hoist('--exec ./h.sh events'), '--exec ./h.sh events');
  assert.equal(hoist('-n'), '-n');
});
