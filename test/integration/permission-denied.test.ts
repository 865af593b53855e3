/**
 * Finding 6 of issue #12: a path cmwatch may not look at is "permission
 * denied", not "does not exist"; and a service-account namespace file it
 * cannot read is an error, not "not in a pod". The paths sit in a folder
 * only root may enter; cmwatch runs as an unprivileged user (uid 65534 when
 * the tests run as root, else the tests' own user with the folder chmod 000).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';

const asRoot = process.getuid?.() === 0;
const closed = mkdtempSync(join(tmpdir(), 'cmwatch-closed-'));
mkdirSync(join(closed, 'handlers.d'));
writeFileSync(join(closed, 'h.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
writeFileSync(join(closed, 'events.ndjson'), '');
mkdirSync(join(closed, 'sa'));
writeFileSync(join(closed, 'sa', 'namespace'), 'team');
// mkdtemp makes it 0700 and root's: uid 65534 may not enter. Not root: close it to ourselves.
if (!asRoot) chmodSync(closed, 0o000);
after(() => chmodSync(closed, 0o700));

function cmwatch(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: '/nonexistent', CMWATCH_SA_DIR: '/nonexistent/sa', NO_COLOR: '1', ...env },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return { status: r.status, stderr: r.stderr };
}

test('--exec-dir in a folder cmwatch may not enter: permission denied, with the path and a hint (exit 2)', () => {
  const dir = join(closed, 'handlers.d');
  const r = cmwatch(['--server', 'http://127.0.0.1:1', '--exec-dir', dir]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^cmwatch: --exec-dir: "${dir}": permission denied \\(hint: .+\\)$`, 'm'));
  assert.doesNotMatch(r.stderr, /does not exist/);
});

test('--exec and replay FILE in a folder cmwatch may not enter: permission denied, not "not found" (exit 2)', () => {
  const h = join(closed, 'h.sh');
  const e = cmwatch(['--server', 'http://127.0.0.1:1', '--exec', h]);
  assert.equal(e.status, 2, e.stderr);
  assert.match(e.stderr, new RegExp(`^cmwatch: --exec: "${h}": permission denied \\(hint: .+\\)$`, 'm'));
  const file = join(closed, 'events.ndjson');
  const r = cmwatch(['replay', file]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^cmwatch: replay: "${file}": permission denied \\(hint: .+\\)$`, 'm'));
});

test('a service-account namespace file cmwatch cannot read is a start-up error naming it, not "not in a pod" (exit 2)', () => {
  const r = cmwatch(['--server', 'http://127.0.0.1:1', '-n', 'default'], { CMWATCH_SA_DIR: join(closed, 'sa') });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^cmwatch: the in-cluster namespace file ${join(closed, 'sa', 'namespace')}: permission denied \\(hint: .+\\)$`, 'm'));
});
