/** Token files: re-read when a minute old and after a 401, one read for many 401s, and the old token kept if the file breaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenFileCredential, StaticCredential, NoCredential } from '../../../src/kube/credentials.js';
import { CredentialError } from '../../../src/kube/errors.js';
import { throughCli } from '../../helpers/through-cli.js';

function tokenFile(content: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cmwatch-tok-')), 'token');
  writeFileSync(f, content);
  return f;
}

test('token file: read once, re-read when older than a minute; whitespace trimmed', async () => {
  const f = tokenFile('first\n');
  let now = 1_000_000;
  const c = new TokenFileCredential(f, { what: '--token-file', now: () => now });
  assert.equal((await c.current()).headers.authorization, 'Bearer first');
  writeFileSync(f, '  second  \n');
  now += 59_999;
  assert.equal((await c.current()).headers.authorization, 'Bearer first', 'within the minute: the cached token');
  assert.equal(c.reads, 1);
  now += 1;
  assert.equal((await c.current()).headers.authorization, 'Bearer second', 'a minute old: re-read');
  assert.equal(c.reads, 2);
});

test('token file: a 401 re-reads at once; many 401s for the same token read it once; an unchanged token is not retried', async () => {
  const f = tokenFile('old');
  const c = new TokenFileCredential(f, { what: 'the in-cluster service-account token' });
  const used = (await c.current()).headers;
  writeFileSync(f, 'new');
  const results = await Promise.all(Array.from({ length: 4 }, () => c.refresh(used)));
  assert.deepEqual(results, [true, true, true, true]);
  assert.equal(c.reads, 2);
  assert.equal((await c.current()).headers.authorization, 'Bearer new');
  assert.equal(await c.refresh(used), true, 'a late 401 for the old token: retry with the new one');
  assert.equal(c.reads, 2);
  const current = (await c.current()).headers;
  assert.equal(await c.refresh(current), false, 'the file still holds the rejected token: no point retrying');
  assert.equal(c.reads, 3);
});

test('token file: missing at start is an exit-2 error naming the file; vanishing later keeps the old token with a warning', async () => {
  await assert.rejects(throughCli(new TokenFileCredential('/nonexistent/token', { what: '--token-file' }).current()), (e: unknown) => {
    assert.ok(e instanceof CredentialError);
    assert.equal(e.message, '--token-file /nonexistent/token: cannot read (ENOENT)');
    assert.equal(e.exitCode, 2);
    return true;
  });
  const f = tokenFile('');
  await assert.rejects(new TokenFileCredential(f, { what: '--token-file' }).current(), /--token-file .* is empty$/);
  writeFileSync(f, 'kept');
  const warnings: string[] = [];
  let now = 0;
  const c = new TokenFileCredential(f, { what: '--token-file', now: () => now, onWarn: (m) => warnings.push(m) });
  await c.current();
  rmSync(f);
  now += 60_000;
  assert.equal((await c.current()).headers.authorization, 'Bearer kept');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /cannot read \(ENOENT\); keeping the token read before$/);
  assert.ok(!warnings[0]!.includes('kept'), 'the token itself is never in a message');
});

test('static and no credentials never refresh', async () => {
  const s = StaticCredential.token('t', 'the --token bearer token');
  assert.deepEqual((await s.current()).headers, { authorization: 'Bearer t' });
  assert.equal(await s.refresh((await s.current()).headers), false);
  const b = StaticCredential.basic('alice', 'pw', 'basic');
  assert.deepEqual((await b.current()).headers, { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` });
  assert.deepEqual((await new NoCredential().current()).headers, {});
});
