/**
 * Grouped help (issue 17): every flag of every command is in one of the
 * groups (connection, what to watch, handlers, actions, output, operations),
 * in that order; the root help is short and points to the subcommands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/main.js';
import { HELP_GROUPS, OTHER_GROUP } from '../../../src/cli/help-groups.js';

const program = () => buildProgram(async () => 0);

function all(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(all)];
}

function headings(help: string): string[] {
  return help.split('\n').filter((l) => /^[A-Z][A-Za-z ]*:$/.test(l));
}

test('every option of every command has a group of the table (none in "Other options:")', () => {
  const other = all(program()).flatMap((c) => c.options.filter((o) => o.helpGroupHeading === OTHER_GROUP).map((o) => `${c.name()} ${o.long}`));
  assert.deepEqual(other, []);
});

test('watch --help shows the groups in order: connection, what to watch, handlers, actions, output, operations', () => {
  const watch = program().commands.find((c) => c.name() === 'watch')!;
  assert.deepEqual(headings(watch.helpInformation()), ['Arguments:', ...HELP_GROUPS.map(([h]) => h), 'Options:']);
  assert.deepEqual(HELP_GROUPS.map(([h]) => h), ['Connection:', 'What to watch:', 'Handlers:', 'Actions:', 'Output:', 'Operations:']);
  const events = program().commands.find((c) => c.name() === 'events')!;
  assert.deepEqual(headings(events.helpInformation()), ['Arguments:', 'Connection:', 'What to watch:', 'Output:', 'Options:']);
});

test('the root help is short: --help and --version, the commands, and a pointer to cmwatch watch --help', () => {
  const p = program();
  const text = p.helpInformation();
  assert.deepEqual(headings(text), ['Options:', 'Commands:']);
  assert.ok(text.split('\n').length < 30, text);
  for (const cmd of ['watch', 'events', 'finalizers', 'replay', 'version', 'doctor', 'completion']) assert.match(text, new RegExp(`^  ${cmd}\\b`, 'm'));
  // The root still runs watch: its options are parsed, only not listed.
  assert.ok(p.options.some((o) => o.long === '--exec'));
});

test('cmwatch --help alone builds the root without watch options (rootHelpOnly), and its help is the same text', async () => {
  const { rootHelpOnly } = await import('../../../src/cli/entry.js');
  assert.equal(rootHelpOnly(['--help']), true);
  assert.equal(rootHelpOnly(['-h']), true);
  for (const args of [[], ['help'], ['watch', '--help'], ['-n', 'x', '--help'], ['--help', 'watch']]) assert.equal(rootHelpOnly(args), false, args.join(' '));
  for (const name of ['cmwatch', 'kubectl cmwatch']) {
    const full = buildProgram(async () => 0, name);
    const lean = buildProgram(async () => 0, name, { rootOptions: false });
    assert.equal(lean.options.length < full.options.length, true);
    assert.equal(lean.helpInformation(), full.helpInformation(), name);
    // The whole output, the text after the command list included.
    const printed = (p: typeof full) => {
      let out = '';
      p.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      p.outputHelp();
      return out;
    };
    assert.equal(printed(lean), printed(full), name);
    // Each command with options has the one hidden stand-in, no more: the lean build stays lean.
    for (const cmd of lean.commands.filter((c) => c.name() !== 'finalizers' && c.name() !== 'completion' && c.name() !== '__complete')) {
      assert.equal(cmd.options.length, 1, `${cmd.name()}: ${cmd.options.map((o) => o.long).join(' ')}`);
      assert.ok(full.commands.find((c) => c.name() === cmd.name())!.options.length > 1, cmd.name());
    }
  }
});
