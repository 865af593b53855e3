import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, emptyContent, encodeState, InvalidStateError, shardOf, SHARD_LIMIT_BYTES, STATE_FORMAT } from '../../../src/ops/state-codec.js';

const hash = (i: number) => Buffer.from(`h${i}`.padEnd(16, 'x')).toString('base64').slice(0, 22);

test('state codec: a small store is one ConfigMap and decodes to what was encoded', () => {
  const c = emptyContent();
  c.handled.set('configmaps/web/app', hash(1));
  c.handled.set('nodes//n1', hash(2));
  c.inflight.set('configmaps/web/b', '-');
  c.resources.add('configmaps');
  c.clean = false;
  const datas = encodeState(c);
  assert.equal(datas.length, 1);
  assert.equal(datas[0]!.format, STATE_FORMAT);
  assert.equal(datas[0]!.shards, '1');
  const back = decodeState('st', datas);
  assert.deepEqual([...back.handled], [...c.handled].sort());
  assert.deepEqual([...back.inflight], [['configmaps/web/b', '-']]);
  assert.deepEqual([...back.resources], ['configmaps']);
  assert.equal(back.clean, false);
});

test('state codec: 20,000 keys shard under the limit, each key in its own shard, and reload exactly', () => {
  const c = emptyContent();
  for (let i = 0; i < 20_000; i++) c.handled.set(`configwatchers.k8spatterns.com/namespace-${i % 50}/object-with-a-long-name-${i}`, hash(i));
  const datas = encodeState(c);
  assert.ok(datas.length >= 2, `${datas.length} shard(s)`);
  for (const d of datas) assert.ok(Buffer.byteLength(JSON.stringify(d)) < SHARD_LIMIT_BYTES + 4096);
  datas.forEach((d, i) => {
    for (const line of d.entries!.split('\n').filter(Boolean)) assert.equal(shardOf(line.split(' ')[0]!, datas.length), i);
  });
  const back = decodeState('st', datas);
  assert.equal(back.handled.size, 20_000);
  assert.equal(back.shards, datas.length);
  for (const [k, v] of c.handled) assert.equal(back.handled.get(k), v);
  // The count never shrinks: after removing most keys the same shards are kept.
  const few = { ...back, handled: new Map([...back.handled].slice(0, 10)) };
  assert.equal(encodeState(few, back.shards).length, back.shards);
});

test('state codec: invalid content is an InvalidStateError naming the ConfigMap and what is wrong', () => {
  const good = encodeState(Object.assign(emptyContent(), { handled: new Map([['configmaps/a/b', hash(1)]]) }));
  const cases: Array<[Record<string, string> | undefined, RegExp]> = [
    [undefined, /format/],
    [{ ...good[0]!, format: 'v0' }, /format is "v0"/],
    [{ ...good[0]!, shards: 'x' }, /shards is "x"/],
    [{ ...good[0]!, entries: 'hello world\n' }, /entries line 1/],
    [{ ...good[0]!, entries: `configmaps/a/b ${hash(1)}extra\n` }, /entries line 1/],
    [{ ...good[0]!, shards: '2' }, /2 shard\(s\) announced, 1 found/],
  ];
  for (const [data, re] of cases) {
    assert.throws(() => decodeState('st', [data]), (err: unknown) => err instanceof InvalidStateError && err.code === 'E_STATE_INVALID' && re.test(err.message) && /state store st/.test(err.message));
  }
});
