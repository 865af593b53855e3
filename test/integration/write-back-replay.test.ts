/**
 * Write-back offline, through the real CLI: `cmwatch replay` gives each
 * handler run an empty private CMWATCH_OUTPUT, checks every line of every
 * handler once the whole chain succeeded, and prints each operation as one
 * JSON line on stdout. An invalid line prints nothing and fails the run,
 * naming the handler and the line; a failing handler prints nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { lines, recording, script, tempDir } from '../helpers/handler-fixtures.js';

const cw = (name: string, rv: number, gen: number) => ({
  apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: String(rv), generation: gen },
  spec: { configMap: 'web-config', podSelector: { app: 'web' } },
});

async function replay(dir: string, events: Array<{ type: string; object: unknown }>, args: string[]) {
  const f = join(dir, 'events.ndjson');
  writeFileSync(f, recording(events));
  const c = runCli(['replay', f, '--resource', 'configwatchers.k8spatterns.com', '--on', 'SYNC,ADDED,MODIFIED', '--retry-base', '10ms', '--max-retries', '1', ...args]);
  const code = await c.exited;
  return { code, stdout: c.stdout, stderr: c.stderr };
}

test('each run gets an empty file of its own, removed after the run; the operations of a chain are printed in order', async () => {
  const dir = tempDir();
  const a = script(dir, 'a.sh', [
    `echo "$CMWATCH_OUTPUT" >> "${dir}/paths"`,
    `[ -f "$CMWATCH_OUTPUT" ] && [ ! -s "$CMWATCH_OUTPUT" ] && echo empty >> "${dir}/empty"`,
    `stat -c %a "$(dirname "$CMWATCH_OUTPUT")" >> "${dir}/modes"`,
    'echo \'{"status":{"phase":"Seen"}}\' >> "$CMWATCH_OUTPUT"',
  ].join('\n'));
  const b = script(dir, 'b.sh', [
    `echo "$CMWATCH_OUTPUT" >> "${dir}/paths"`,
    'echo \'{"event":{"type":"Normal","reason":"Seen","message":"ok"}}\' >> "$CMWATCH_OUTPUT"',
    'echo \'{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"child"},"data":{"k":"v"}}}\' >> "$CMWATCH_OUTPUT"',
  ].join('\n'));
  const r = await replay(dir, [{ type: 'ADDED', object: cw('w', 10, 1) }], ['--exec', a, '--exec', b]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const paths = lines(join(dir, 'paths'));
  assert.equal(paths.length, 2);
  assert.notEqual(paths[0], paths[1]);
  assert.ok(paths.every((p) => !existsSync(p)), 'removed after the run');
  assert.deepEqual(lines(join(dir, 'empty')), ['empty']);
  assert.deepEqual(lines(join(dir, 'modes')), ['700']);
  const ops = r.stdout.map((l) => JSON.parse(l));
  assert.deepEqual(ops.map((o) => `${o.handler}:${o.line}:${o.op}`), ['a.sh:1:status', 'b.sh:1:event', 'b.sh:2:apply']);
  assert.deepEqual(ops[0].target, { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', namespace: 'shop', name: 'w' });
  assert.deepEqual(ops[2].body.metadata.ownerReferences, [{ apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w', uid: 'uid-w', controller: true, blockOwnerDeletion: true }]);
  assert.equal(ops[0].key, 'shop/w');
});

test('an invalid line in a later handler: nothing printed, one error line naming handler and line, retried as a failure (exit 5)', async () => {
  const dir = tempDir();
  const a = script(dir, 'a.sh', 'echo \'{"status":{"phase":"Seen"}}\' >> "$CMWATCH_OUTPUT"');
  const b = script(dir, 'b.sh', `echo run >> "${dir}/runs"\nprintf '{"status":{}}\\n{"apply":{"apiVersion":"v1","metadata":{"name":"x"}}}\\n' >> "$CMWATCH_OUTPUT"`);
  const r = await replay(dir, [{ type: 'ADDED', object: cw('w', 10, 1) }], ['--exec', a, '--exec', b]);
  assert.equal(r.code, 5, r.stderr.join('\n'));
  assert.deepEqual(r.stdout, []);
  assert.deepEqual(lines(join(dir, 'runs')), ['run', 'run'], 'retried once');
  const errors = r.stderr.filter((l) => /^error write-back: b\.sh CMWATCH_OUTPUT line 2: apply: missing kind; nothing was applied/.test(l));
  assert.equal(errors.length, 2, r.stderr.join('\n'));
});

test('an owner in another namespace is refused offline too; a failing handler\'s lines are never looked at', async () => {
  const dir = tempDir();
  const h = script(dir, 'h.sh', 'echo \'{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"elsewhere"}}}\' >> "$CMWATCH_OUTPUT"');
  const r = await replay(dir, [{ type: 'ADDED', object: cw('w', 10, 1) }], ['--exec', h]);
  assert.equal(r.code, 5);
  assert.ok(r.stderr.some((l) => /h\.sh CMWATCH_OUTPUT line 1: apply: owner in another namespace/.test(l)), r.stderr.join('\n'));
  const bad = script(dir, 'bad.sh', 'echo \'{"status":{"x":1}}\' >> "$CMWATCH_OUTPUT"\nexit 1');
  const r2 = await replay(dir, [{ type: 'ADDED', object: cw('w', 10, 1) }], ['--exec', bad]);
  assert.equal(r2.code, 5);
  assert.deepEqual(r2.stdout, []);
});
