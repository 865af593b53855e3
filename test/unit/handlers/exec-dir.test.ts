import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecDir, checkExecDir } from '../../../src/handlers/exec-dir.js';
import { Logger } from '../../../src/ops/log.js';
import { script, tempDir } from '../../helpers/handler-fixtures.js';

test('exec-dir: executables in name order; dotfiles and directories skipped silently; non-executables warned once', () => {
  const dir = tempDir();
  for (const n of ['10-third', '02-first', '1-second', 'B-upper', 'a-lower']) script(dir, n, 'exit 0');
  script(dir, '20-not-exec', 'exit 0', 0o644);
  script(dir, '.hidden', 'exit 0');
  mkdirSync(join(dir, 'sub.d'));
  mkdirSync(join(dir, '..2026_01_01'));
  // A ConfigMap volume: a file is a symlink into ..data
  mkdirSync(join(dir, '..2026_01_01', 'x'), { recursive: true });
  writeFileSync(join(dir, '..2026_01_01', '30-linked'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  symlinkSync('..2026_01_01', join(dir, '..data'));
  symlinkSync(join('..data', '30-linked'), join(dir, '30-linked'));
  const lines: string[] = [];
  const ed = new ExecDir(dir, new Logger({ color: false, write: (l) => lines.push(l) }));
  const names = ed.list().map((h) => h.name);
  assert.deepEqual(names, ['02-first', '1-second', '10-third', '30-linked', 'B-upper', 'a-lower']);
  assert.deepEqual(ed.list()[0]!.argv, [join(dir, '02-first')]);
  ed.list();
  const warns = lines.filter((l) => /skipping .*20-not-exec: not executable/.test(l));
  assert.equal(warns.length, 1, lines.join('\n'));
  assert.equal(lines.length, 1, 'nothing else is warned about');
});

test('exec-dir: a missing path or a file is a usage error', () => {
  const dir = tempDir();
  assert.throws(() => checkExecDir(join(dir, 'nope')), (e: Error & { code?: string }) => e.code === 'E_USAGE' && /does not exist/.test(e.message));
  const f = script(dir, 'file.sh', 'exit 0');
  assert.throws(() => checkExecDir(f), /is not a directory/);
  checkExecDir(dir);
});
