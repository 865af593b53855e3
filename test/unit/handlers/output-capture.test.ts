/** A handler's pipes: lines logged with the prefix; stream errors logged, except stdin closed by the handler (EPIPE). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { OutputCapture } from '../../../src/handlers/output-capture.js';
import { Logger } from '../../../src/ops/log.js';

function setup() {
  const lines: string[] = [];
  const log = new Logger({ color: false, level: 'debug', write: (l) => lines.push(l) });
  const pipes = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  const cap = new OutputCapture(pipes, { log, prefix: '[h.sh ns/cm]', fields: { handler: 'h.sh', key: 'ns/cm' } });
  return { lines, pipes, cap };
}

const errno = (message: string, code: string) => Object.assign(new Error(message), { code });
const tick = () => new Promise((r) => setImmediate(r));

test('output capture: stdout and stderr lines carry the prefix; the event goes to stdin', async () => {
  const { lines, pipes, cap } = setup();
  let fed = '';
  pipes.stdin.setEncoding('utf8').on('data', (d: string) => (fed += d));
  cap.feed('{"type":"MODIFIED"}\n');
  pipes.stdout.write('one\ntw');
  pipes.stderr.write('err\n');
  pipes.stdout.write('o');
  await tick();
  cap.end();
  assert.equal(fed, '{"type":"MODIFIED"}\n');
  assert.deepEqual(lines, ['[h.sh ns/cm] one', '[h.sh ns/cm] err', '[h.sh ns/cm] two']);
});

test('output capture: EPIPE on stdin (the handler did not read the event) is not an error; other stdin errors are logged', async () => {
  const { lines, pipes } = setup();
  pipes.stdin.emit('error', errno('write EPIPE', 'EPIPE'));
  assert.deepEqual(lines, []);
  pipes.stdin.emit('error', errno('write EIO', 'EIO'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^warn \[h\.sh ns\/cm\] writing the event to its stdin failed: write EIO \[EIO\]/);
});

test('output capture: an error reading stdout or stderr is logged, not swallowed', async () => {
  const { lines, pipes } = setup();
  pipes.stdout.destroy(errno('read EIO', 'EIO'));
  pipes.stderr.destroy(new Error('boom'));
  await tick();
  assert.ok(lines.some((l) => /^warn \[h\.sh ns\/cm\] reading its stdout failed: read EIO \[EIO\]/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^warn \[h\.sh ns\/cm\] reading its stderr failed: boom/.test(l)), lines.join('\n'));
});
