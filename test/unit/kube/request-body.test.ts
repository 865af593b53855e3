/** The handler proxy's request bodies: a body over the cap is a 413; one that cannot be read is a 400, never a 413. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { bodyFailureResponse, BodyReadError, BodyTooLargeError, readBody } from '../../../src/kube/request-body.js';

function body(chunks: string[], headers?: Record<string, string>): Readable & { headers?: Record<string, string> } {
  const r = Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false }) as Readable & { headers?: Record<string, string> };
  r.headers = headers;
  return r;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

test('request body: read whole; empty is undefined', async () => {
  assert.equal((await readBody(body(['ab', 'cd'])))?.toString(), 'abcd');
  assert.equal(await readBody(body([])), undefined);
  assert.equal((await readBody(body(['0123456789']), 10))?.toString(), '0123456789', 'exactly the cap is fine');
});

test('request body: over the cap (streamed or declared) is a 413', async () => {
  const streamed = await failure(readBody(body(['0123456789', 'x']), 10));
  assert.ok(streamed instanceof BodyTooLargeError);
  assert.equal((streamed as BodyTooLargeError).code, 'E_BODY_TOO_LARGE');
  assert.deepEqual(bodyFailureResponse(streamed), { status: 413, text: 'Request body too large for cmwatch handler proxy' });

  const declared = body(['never read'], { 'content-length': '11' });
  const err = await failure(readBody(declared, 10));
  assert.ok(err instanceof BodyTooLargeError);
  assert.equal(declared.readableFlowing, null, 'refused before reading');
});

test('request body: a stream error is a 400 that says what failed, not a 413', async () => {
  const r = new Readable({ read() {} });
  r.push('part');
  setImmediate(() => r.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  const err = await failure(readBody(r, 1000));
  assert.ok(err instanceof BodyReadError, String(err));
  assert.equal((err as BodyReadError).code, 'E_BODY_READ');
  assert.match((err as Error).message, /^cannot read the request body: socket hang up \[ECONNRESET\]$/);
  assert.equal(((err as Error).cause as Error).message, 'socket hang up');
  const answer = bodyFailureResponse(err);
  assert.equal(answer.status, 400);
  assert.match(answer.text, /cannot read the request body: socket hang up/);
});

test('request body: a connection closed before the body was complete is a 400', async () => {
  const r = new Readable({ read() {} });
  r.push('part');
  setImmediate(() => r.destroy());
  const err = await failure(readBody(r, 1000));
  assert.ok(err instanceof BodyReadError, String(err));
  assert.match((err as Error).message, /closed before the body was complete/);
  assert.equal(bodyFailureResponse(err).status, 400);
});
