import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LONG_RUNNING } from '../../../src/cli/long-running.js';

const moduleUrl = pathToFileURL(fileURLToPath(new URL('../../../src/cli/long-running.js', import.meta.url))).href;

test('long-running: watch, events, replay and finalizers remove get the V8 settings and the idle collection; commands that print and exit do not', () => {
  for (const c of ['watch', 'events', 'replay', 'finalizers-remove']) assert.ok(LONG_RUNNING.has(c), c);
  for (const c of ['version', 'doctor', '__complete']) assert.ok(!LONG_RUNNING.has(c), c);
});

test('long-running: node:v8 is loaded only when a long-running command starts (a fresh process)', () => {
  const script = `
    const { prepareLongRunning } = await import(${JSON.stringify(moduleUrl)});
    const loaded = () => process.moduleLoadList.includes('NativeModule v8');
    const ac = new AbortController();
    const before = loaded();
    await prepareLongRunning('version', ac.signal);
    const afterVersion = loaded();
    await prepareLongRunning('watch', ac.signal);
    process.stdout.write(JSON.stringify({ before, afterVersion, afterWatch: loaded() }));
    ac.abort();`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out, { before: false, afterVersion: false, afterWatch: true });
});
