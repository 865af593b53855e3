import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerEnv, handlerStdin } from '../../../src/handlers/contract.js';
import { runHandler } from '../../../src/handlers/exec-runner.js';
import { splitCommand } from '../../../src/handlers/command.js';
import { Logger } from '../../../src/ops/log.js';
import type { WatchEvent } from '../../../src/api/types.js';

const ev: WatchEvent = {
  type: 'MODIFIED',
  object: {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'webapp-config', namespace: 'default', resourceVersion: '42', annotations: { 'k8spatterns.io/podDeleteSelector': 'app=webapp' } },
    data: { message: '$(touch /tmp/pwned); `id`; "quoted" \'single\'\nnewline' },
  },
};
const opts = { server: 'http://localhost:8001', selectorAnnotations: ['k8spatterns.io/podDeleteSelector', 'k8spatterns.com/podDeleteSelector'] };

test('contract: env carries the documented CMWATCH_* variables', () => {
  const env = handlerEnv(ev, { ...opts, baseEnv: { PATH: '/usr/bin', HOME: '/root', CMWATCH_SELECTOR: 'stale=1' } });
  assert.equal(env.CMWATCH_EVENT_TYPE, 'MODIFIED');
  assert.equal(env.CMWATCH_NAMESPACE, 'default');
  assert.equal(env.CMWATCH_NAME, 'webapp-config');
  assert.equal(env.CMWATCH_RESOURCE_VERSION, '42');
  assert.equal(env.CMWATCH_SERVER, 'http://localhost:8001');
  assert.equal(env.CMWATCH_SELECTOR, 'app=webapp');
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.HOME, '/root');
});

test('contract: no selector annotation means no CMWATCH_SELECTOR, even if the parent had one', () => {
  const plain: WatchEvent = { type: 'MODIFIED', object: { metadata: { name: 'x', namespace: 'ns' } } };
  const env = handlerEnv(plain, { ...opts, baseEnv: { CMWATCH_SELECTOR: 'stale=1' } });
  assert.equal(env.CMWATCH_SELECTOR, undefined);
});

test('contract: the .com spelling of the annotation is honoured', () => {
  const com: WatchEvent = { type: 'MODIFIED', object: { metadata: { name: 'x', namespace: 'ns', annotations: { 'k8spatterns.com/podDeleteSelector': 'app=x' } } } };
  assert.equal(handlerEnv(com, { ...opts, baseEnv: {} }).CMWATCH_SELECTOR, 'app=x');
});

test('contract: stdin is the event as one JSON line', () => {
  const s = handlerStdin(ev);
  assert.ok(s.endsWith('\n'));
  assert.equal(s.indexOf('\n'), s.length - 1);
  assert.deepEqual(JSON.parse(s), { type: ev.type, object: ev.object });
});

test('contract: a real handler gets stdin and env, and event data never reaches a command line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-contract-'));
  const script = join(dir, 'h.sh');
  writeFileSync(script, `#!/usr/bin/env bash\ncat > "$1/stdin.json"\nenv | grep '^CMWATCH_' | sort > "$1/env.txt"\nprintf '%s\\n' "$@" > "$1/argv.txt"\n`);
  chmodSync(script, 0o755);
  const lines: string[] = [];
  const log = new Logger({ color: false, write: (l) => lines.push(l) });
  const r = await runHandler({ name: 'h.sh', argv: splitCommand(`${script} ${dir}`) }, {
    stdin: handlerStdin(ev), env: handlerEnv(ev, { ...opts, baseEnv: { PATH: process.env.PATH } }),
    key: 'default/webapp-config', log, timeoutMs: 10_000, killGraceMs: 1000,
  });
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'stdin.json'), 'utf8')), { type: 'MODIFIED', object: ev.object });
  const env = readFileSync(join(dir, 'env.txt'), 'utf8');
  assert.match(env, /^CMWATCH_NAME=webapp-config$/m);
  assert.match(env, /^CMWATCH_SELECTOR=app=webapp$/m);
  assert.equal(readFileSync(join(dir, 'argv.txt'), 'utf8'), `${dir}\n`);
});

test('command: split without a shell; quotes group, nothing expands', () => {
  assert.deepEqual(splitCommand(`./h.sh --msg 'a b' "c \\"d\\"" $HOME ; ~`), ['./h.sh', '--msg', 'a b', 'c "d"', '$HOME', ';', '~']);
  assert.throws(() => splitCommand(`./h.sh 'open`), /unbalanced ' in/);
  assert.throws(() => splitCommand('   '), /empty command/);
});
