import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger, colorWanted, loadColor } from '../../../src/ops/log.js';

const ANSI = /\u001b\[/;

test('colour only on a TTY, never under NO_COLOR', () => {
  assert.equal(colorWanted({ isTTY: true }, {}), true);
  assert.equal(colorWanted({ isTTY: false }, {}), false);
  assert.equal(colorWanted({}, {}), false);
  assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorWanted({ isTTY: false }, { FORCE_COLOR: '1' }), true);
});

test('the event line: coloured when asked, plain otherwise', async () => {
  await loadColor();
  const plain: string[] = [];
  new Logger({ color: false, write: (l) => plain.push(l) }).event('MODIFIED', 'default/webapp-config', { selector: 'app=webapp' });
  assert.deepEqual(plain, ['MODIFIED default/webapp-config selector=app=webapp']);
  const colored: string[] = [];
  new Logger({ color: true, write: (l) => colored.push(l) }).event('MODIFIED', 'default/webapp-config', { selector: 'app=webapp' });
  assert.match(colored[0]!, ANSI);
  assert.equal(colored[0]!.replace(/\u001b\[[0-9;]*m/g, ''), plain[0]);
});

test('json format: one object per line with ts, level, msg and fields', () => {
  const out: string[] = [];
  const log = new Logger({ format: 'json', write: (l) => out.push(l) });
  log.warn('retrying', { key: 'ns/a', reason: 'timeout', skip: undefined });
  log.debug('hidden');
  assert.equal(out.length, 1);
  const rec = JSON.parse(out[0]!);
  assert.equal(rec.level, 'warn');
  assert.equal(rec.msg, 'retrying');
  assert.equal(rec.key, 'ns/a');
  assert.equal(rec.reason, 'timeout');
  assert.ok(!('skip' in rec));
  assert.ok(!Number.isNaN(Date.parse(rec.ts)));
});

test('text format: a field the message already says is not repeated; JSON keeps it (issue #17)', () => {
  const text: string[] = [];
  const log = new Logger({ color: false, write: (l) => text.push(l) });
  log.info('delete-pods default/webapp-config: deleted pod default/webapp-1', { key: 'default/webapp-config', pod: 'webapp-1' });
  log.info('delete-pods default/webapp-config: would delete pod default/webapp-1 (dry run)', { key: 'default/webapp-config', pod: 'webapp-1' });
  log.info('retrying default/abc', { key: 'default/ab', attempt: 2, pod: 'abc', ns: 'def' });
  log.warn('delete-pods default/webapp-config: skipping a listed pod', { key: 'default/webapp-config', reason: 'skipped' });
  assert.deepEqual(text, [
    'delete-pods default/webapp-config: deleted pod default/webapp-1',
    'delete-pods default/webapp-config: would delete pod default/webapp-1 (dry run)',
    'retrying default/abc key=default/ab attempt=2 ns=def',
    'warn delete-pods default/webapp-config: skipping a listed pod key=default/webapp-config reason=skipped',
  ]);
  const json: string[] = [];
  new Logger({ format: 'json', write: (l) => json.push(l) }).info('deleted pod default/webapp-1', { key: 'default/webapp-config', pod: 'webapp-1' });
  assert.equal(JSON.parse(json[0]!).pod, 'webapp-1');
});
