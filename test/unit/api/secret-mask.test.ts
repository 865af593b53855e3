/** secretMask: a Secret's values (base64 as sent, decoded, stringData, each line, JSON-escaped) are masked; other kinds and short values are not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK, secretMask, secretValues } from '../../../src/api/secret-mask.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('every form of a Secret value is masked, longest first', () => {
  const pem = 'line-one-secret\nline-two-secret';
  const mask = secretMask({ kind: 'Secret', data: { pw: b64('hunter22'), key: b64(pem) }, stringData: { t: 'tok"en!' } })!;
  assert.equal(mask(`pw=${b64('hunter22')} decoded=hunter22`), `pw=${MASK} decoded=${MASK}`);
  assert.equal(mask('line-two-secret'), MASK, 'one line of a multi-line value');
  assert.equal(mask(JSON.stringify({ v: pem })), `{"v":"${MASK}"}`, 'JSON-escaped');
  assert.equal(mask('token: tok"en!'), `token: ${MASK}`);
  assert.equal(mask('nothing here'), 'nothing here');
});

test('no mask for other kinds, for values shorter than 4 characters, or for binary data that does not decode to text', () => {
  assert.equal(secretMask({ kind: 'ConfigMap', data: { pw: 'hunter22' } }), undefined);
  assert.equal(secretMask({ kind: 'Secret', data: { on: b64('on') } })?.('on'), 'on');
  const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('base64');
  assert.deepEqual(secretValues({ kind: 'Secret', data: { b: bin } }), [bin]);
  assert.equal(secretMask({ kind: 'Secret' }), undefined);
  assert.equal(secretMask({ kind: 'Secret', data: { n: 5 } as unknown as Record<string, string> }), undefined);
});
