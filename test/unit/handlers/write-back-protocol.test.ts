import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidWriteBackLine, parseOutput } from '../../../src/handlers/write-back/protocol.js';

const one = (line: string) => parseOutput('h.sh', line)[0]!.op;
function refused(text: string, why: RegExp, line = 1): void {
  assert.throws(() => parseOutput('h.sh', text), (e: unknown) => {
    assert.ok(e instanceof InvalidWriteBackLine, String(e));
    assert.equal(e.code, 'E_WRITE_BACK_LINE');
    assert.equal(e.line, line);
    assert.match(e.message, /^write-back: h\.sh CMWATCH_OUTPUT line \d+: /);
    assert.match(e.why, why);
    return true;
  });
}

test('every line type parses; blank lines are skipped but counted', () => {
  const text = [
    '{"status":{"phase":"Ready"}}',
    '',
    '{"status":{"x":1},"of":{"apiVersion":"k8spatterns.com/v1","kind":"ConfigWatcher","name":"w"}}',
    '{"apply":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}},"owned":false}',
    '{"event":{"type":"Warning","reason":"Bad","message":"m"}}',
    '{"event":{"type":"Normal","reason":"Ok","action":"Sync"},"of":{"apiVersion":"v1","kind":"ConfigMap","name":"c","namespace":"o"}}',
    '{"delete":{"apiVersion":"v1","kind":"Pod","name":"p","namespace":"n","uid":"u"}}',
  ].join('\n') + '\n';
  const got = parseOutput('h.sh', text);
  assert.deepEqual(got.map((l) => `${l.line}:${l.op.op}`), ['1:status', '3:status', '4:apply', '5:event', '6:event', '7:delete']);
  assert.deepEqual(got[0]!.op, { op: 'status', status: { phase: 'Ready' } });
  assert.deepEqual(got[1]!.op, { op: 'status', status: { x: 1 }, of: { apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', name: 'w' } });
  assert.equal((got[2]!.op as { owned: boolean }).owned, false);
  assert.deepEqual(got[3]!.op, { op: 'event', type: 'Warning', reason: 'Bad', message: 'm' });
  assert.deepEqual(got[4]!.op, { op: 'event', type: 'Normal', reason: 'Ok', message: '', action: 'Sync', of: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'o' } });
  assert.deepEqual(got[5]!.op, { op: 'delete', target: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'n' }, uid: 'u' });
  assert.equal((one('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}') as { owned: boolean }).owned, true);
  assert.deepEqual(parseOutput('h.sh', ''), []);
});

test('bad JSON is refused without quoting the line (it may hold a Secret)', () => {
  refused('{"apply": {"data": {"password": "hunter2"', /^not JSON \(\d+ bytes/);
  assert.throws(() => parseOutput('h.sh', '{"password": hunter2}'), (e: Error) => !/hunter2/.test(e.message));
  refused('[1,2]', /not a JSON object/);
  refused('"status"', /not a JSON object/);
});

test('unknown keys, no operation, two operations, misplaced of/owned', () => {
  refused('{"status":{},"extra":1}', /unknown key "extra"/);
  refused('{}', /no operation/);
  refused('{"status":{},"apply":{}}', /more than one operation \(status, apply\)/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}},"of":{"apiVersion":"v1","kind":"Pod","name":"p"}}', /"of" does not apply to apply/);
  refused('{"status":{},"owned":false}', /"owned" only applies to apply/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}},"owned":"no"}', /"owned" is not true or false/);
  refused('{"event":{"type":"Normal","reason":"R","extra":1}}', /event: unknown key "extra"/);
  refused('{"status":{},"of":{"apiVersion":"v1","kind":"Pod","name":"p","uid":"x"}}', /of: unknown key "uid"/);
});

test('status must be an object', () => {
  refused('{"status":"Ready"}', /"status" is not an object/);
  refused('{"status":[1]}', /"status" is not an object/);
});

test('apply: missing kind, apiVersion, metadata or name; generateName; bad namespace', () => {
  refused('{"apply":{"apiVersion":"v1","metadata":{"name":"c"}}}', /apply: missing kind/);
  refused('{"apply":{"kind":"ConfigMap","metadata":{"name":"c"}}}', /apply: missing apiVersion/);
  refused('{"apply":{"apiVersion":"apps","kind":"Deployment","metadata":{"name":"c"}}}', /apiVersion is not like v1/);
  refused('{"apply":{"apiVersion":"v1","kind":"Config Map","metadata":{"name":"c"}}}', /kind is not a Kind name/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap"}}', /apply: missing metadata/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}}', /apply\.metadata\.name: no name/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"c-"}}}', /generateName is not supported/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"../x"}}}', /contains "\/"/);
  refused('{"apply":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"Bad_NS"}}}', /apply\.metadata\.namespace/);
});

test('event: type, reason, message and action are checked against the API limits', () => {
  refused('{"event":{"type":"Info","reason":"R"}}', /event\.type is not "Normal" or "Warning"/);
  refused('{"event":{"type":"Normal"}}', /event: missing reason/);
  refused(`{"event":{"type":"Normal","reason":"${'R'.repeat(129)}"}}`, /longer than 128/);
  refused(`{"event":{"type":"Normal","reason":"R","message":"${'m'.repeat(1025)}"}}`, /1025 bytes; the API takes at most 1024/);
  refused('{"event":{"type":"Normal","reason":"R","message":3}}', /message is not a string/);
  refused('{"event":{"type":"Normal","reason":"R","action":""}}', /event\.action/);
});

test('delete and of: the same name checks as any object path; uid must be a string', () => {
  refused('{"delete":{"apiVersion":"v1","kind":"Pod","name":""}}', /delete\.name: empty name/);
  refused('{"delete":{"apiVersion":"v1","kind":"Pod"}}', /delete\.name: no name/);
  refused('{"delete":{"apiVersion":"v1","name":"p"}}', /delete: missing kind/);
  refused('{"delete":{"apiVersion":"v1","kind":"Pod","name":"p","uid":5}}', /delete\.uid/);
  refused('{"delete":{"apiVersion":"v1","kind":"Pod","name":"p","namespace":"a/b"}}', /delete\.namespace/);
  refused('{"status":{},"of":{"apiVersion":"v1","kind":"Pod","name":".."}}', /of\.name/);
});

test('the line number of the first bad line is reported', () => {
  refused('{"status":{}}\n{"status":{}}\n\nnot json\n', /not JSON/, 4);
});
