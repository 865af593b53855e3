/**
 * --health-addr, --metrics-addr and --log-format json of the real CLI
 * against the fake API server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../fake/api-server.js';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli, until, type CliRun } from '../helpers/cli.js';
import { script, tempDir } from '../helpers/handler-fixtures.js';

const fx = fakeFixture({ lazy: true, seed: (api) => api.upsertConfigMap('default', 'a', { v: '1' }) });

const fake = () => fx.start();

function start(api: FakeApiServer, args: string[]): CliRun {
  return fx.run(['--server', api.url, '-n', 'default', ...args]);
}

async function get(url: string): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(url);
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

test('one address for both: /healthz, /readyz and /metrics on one server; unknown paths 404, POST 405', async () => {
  const api = await fake();
  const c = start(api, ['--health-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0']);
  // Port 0 twice is two servers; the same fixed address is one.
  await c.waitFor(/synced 1 object/);
  const urls = c.stderr.filter((l) => /^(health|metrics) on http/.test(l));
  assert.equal(urls.length, 2, c.stderr.join('\n'));
  await c.stop('SIGTERM');

  const port = Number(/:(\d+)/.exec(/http:\/\/\S+/.exec(urls[0]!)![0])![1]);
  const d = start(api, ['--health-addr', `127.0.0.1:${port}`, '--metrics-addr', `127.0.0.1:${port}`]);
  const line = await d.waitFor(/health and metrics on http/);
  const base = /(http:\/\/\S+)/.exec(line)![1]!;
  await d.waitFor(/synced 1 object/);
  await until(async () => (await get(`${base}/readyz`)).status === 200, 10_000, 'ready');
  assert.deepEqual(await get(`${base}/healthz`), { status: 200, text: 'ok\n', type: 'text/plain; charset=utf-8' });
  const m = await get(`${base}/metrics`);
  assert.equal(m.status, 200);
  assert.match(m.type ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(m.text, /^# TYPE cmwatch_events_total counter$/m);
  assert.match(m.text, /^cmwatch_events_total\{type="SYNC"\} 1$/m);
  assert.equal((await get(`${base}/nope`)).status, 404);
  assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
  assert.equal(await d.stop('SIGTERM'), 0);
});

test('metrics follow events, skips, handler runs, retries given up and restarts', async () => {
  const api = await fake();
  const dir = tempDir();
  const ok = script(dir, 'ok.sh', 'exit 0');
  const c = start(api, ['--exec', ok, '--metrics-addr', '127.0.0.1:0']);
  const base = /metrics on (http:\/\/\S+)/.exec(await c.waitFor(/metrics on http/))![1]!;
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'a', { v: '2' });
  api.upsertConfigMap('default', 'a', { v: '2' }, { unrelated: 'x' }); // content unchanged: skipped
  await c.waitFor(/\[ok\.sh default\/a\] exit 0/);
  api.closeWatches();
  await until(async () => /cmwatch_watch_restarts_total\{reason="closed"\} 1/.test((await get(base)).text), 10_000, 'restart counted');
  const text = (await get(base)).text;
  assert.match(text, /^cmwatch_events_total\{type="MODIFIED"\} 1$/m);
  assert.match(text, /^cmwatch_events_skipped_total\{reason="unchanged"\} 1$/m);
  assert.match(text, /^cmwatch_handler_runs_total\{handler="ok\.sh",result="ok"\} 1$/m);
  assert.match(text, /^cmwatch_handler_duration_seconds_bucket\{le="\+Inf",handler="ok\.sh"\} 1$/m);
  assert.match(text, /^cmwatch_queue_depth 0$/m);
  assert.match(text, /^cmwatch_leader 1$/m);
  assert.match(text, /^cmwatch_relists_total 0$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  const last = Number(/^cmwatch_last_event_timestamp_seconds (\S+)$/m.exec(text)![1]);
  assert.ok(last > 1e9, 'a Unix time');
  assert.equal(await c.stop('SIGTERM'), 0);
});

test('prom-client is loaded only with --metrics-addr', async () => {
  const api = await fake();
  // prom-client is CommonJS: NODE_DEBUG=module names every CommonJS file loaded.
  const loads = async (args: string[]) => {
    const c = fx.run(['--server', api.url, '-n', 'default', ...args], { env: { NODE_DEBUG: 'module' } });
    await c.waitFor(/synced 1 object/);
    assert.equal(await c.stop('SIGTERM'), 0);
    return c.stderr.some((l) => /node_modules\/prom-client\//.test(l));
  };
  assert.equal(await loads(['--health-addr', '127.0.0.1:0']), false);
  assert.equal(await loads(['--metrics-addr', '127.0.0.1:0']), true);
});

test('--log-format json: every line on stderr is one JSON record with ts, level and msg; key, handler and reason where they apply', async () => {
  const api = await fake();
  const dir = tempDir();
  const fail = script(dir, 'fail.sh', 'echo trying >&2\nexit 1');
  const c = start(api, ['--exec', fail, '--log-format', 'json', '--max-retries', '1', '--retry-base', '10ms', '--health-addr', '127.0.0.1:0']);
  await c.waitFor(/synced 1 object/);
  api.upsertConfigMap('default', 'a', { v: '2' });
  await c.waitFor(/giving up on default\/a/);
  api.errorWatches(500, 'InternalError');
  await c.waitFor(/re-watching|relisting|listing again/);
  assert.equal(await c.stop('SIGTERM'), 0);
  const recs = c.stderr.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      assert.fail(`not JSON: ${l}`);
    }
  });
  for (const r of recs) {
    assert.equal(typeof r.ts, 'string');
    assert.ok(!Number.isNaN(Date.parse(r.ts as string)));
    assert.match(String(r.level), /^(debug|info|warn|error)$/);
    assert.equal(typeof r.msg, 'string');
  }
  const find = (re: RegExp) => recs.find((r) => re.test(String(r.msg)));
  assert.deepEqual({ ...find(/^event$/), ts: 0 }, { ts: 0, level: 'info', msg: 'event', type: 'MODIFIED', key: 'default/a' });
  const out = find(/trying/)!;
  assert.equal(out.handler, 'fail.sh');
  assert.equal(out.key, 'default/a');
  const failed = find(/\] exit 1 in/)!;
  assert.equal(failed.level, 'error');
  assert.equal(failed.handler, 'fail.sh');
  assert.equal(failed.key, 'default/a');
  const retry = find(/retry 1\/1/)!;
  assert.equal(retry.key, 'default/a');
  assert.equal(retry.reason, 'failed');
  assert.equal(find(/giving up/)!.reason, 'gave_up');
  assert.equal(find(/HTTP 500/)!.reason, 'http_500');
  assert.equal(find(/received SIGTERM/)!.reason, 'signal');
});

test('--log-format json: an error at start is a JSON record too (with its code), exit as before', async () => {
  const c = runCli(['--kubeconfig', '/nonexistent/kubeconfig', '--log-format', 'json']);
  const code = await c.exited;
  assert.equal(code, 2, c.stderr.join('\n'));
  const rec = JSON.parse(c.stderr.at(-1)!) as Record<string, unknown>;
  assert.equal(rec.level, 'error');
  assert.equal(rec.code, 'E_KUBECONFIG');
  assert.match(String(rec.msg), /kubeconfig/);
});
