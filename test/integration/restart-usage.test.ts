/** The flags of rollout-restart and evict-pods: bad input is one line with a hint, exit 2, nothing started. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeFixture } from '../helpers/fake-fixture.js';
import { runCli } from '../helpers/cli.js';
import { buildConfig, type RawWatchFlags } from '../../src/cli/options.js';

const fx = fakeFixture({ lazy: true });

const cases: Array<[string[], RegExp]> = [
  [['--auto'], /--auto only applies to --action rollout-restart/],
  [['--action', 'delete-pods', '--auto-all'], /--auto-all only applies to --action rollout-restart/],
  [['--debounce', '1s'], /--debounce only applies to --action rollout-restart/],
  [['--max-restarts-per-minute', '5'], /--max-restarts-per-minute only applies to --action rollout-restart/],
  [['--action', 'rollout-restart', '--auto', '--auto-all'], /--auto and --auto-all exclude each other/],
  [['--action', 'rollout-restart', '--debounce', 'soon'], /--debounce: invalid duration "soon"/],
  [['--action', 'rollout-restart', '--max-restarts-per-minute', '-1'], /--max-restarts-per-minute: expected a whole number >= 0, got "-1"/],
  [['--action', 'rollout-restart', '--max-restarts-per-minute', '2.5'], /--max-restarts-per-minute: expected a whole number >= 0/],
  [['--max-unavailable', '2'], /--max-unavailable only applies to --action evict-pods/],
  [['--action', 'rollout-restart', '--max-unavailable', '2'], /--max-unavailable only applies to --action evict-pods/],
  [['--action', 'evict-pods', '--max-unavailable', '0'], /--max-unavailable: expected a whole number >= 1, got "0"/],
  [['--action', 'evict-pods', '--ready-timeout', 'x'], /--ready-timeout: invalid duration "x"/],
];

for (const [args, re] of cases) {
  test(`usage error: cmwatch ${args.join(' ')}`, async () => {
    const api = await fx.start();
    const c = runCli(['--server', api.url, ...args]);
    const code = await c.exited;
    assert.equal(code, 2, c.stderr.join('\n'));
    assert.equal(c.stderr.length, 1, `one line, got:\n${c.stderr.join('\n')}`);
    assert.match(c.stderr[0]!, re);
    assert.match(c.stderr[0]!, /\(hint: .+\)$/);
    assert.equal(c.stdout.length, 0);
    assert.equal(api.requests.length, 0, 'nothing was started');
  });
}

const base = { trigger: 'content', stallTimeout: '3m', logLevel: 'info', logFormat: 'text' } as RawWatchFlags;

test('rollout-restart defaults: no --auto, --debounce 2s, --max-restarts-per-minute 60, a 1-minute window', () => {
  const cfg = buildConfig({ ...base, action: 'rollout-restart' }, {});
  assert.deepEqual(cfg.restart, { auto: 'off', debounceMs: 2000, maxPerMinute: 60, windowMs: 60_000 });
  assert.equal(cfg.evict, undefined);
  assert.equal(buildConfig({ ...base, action: 'rollout-restart', auto: true }, {}).restart!.auto, 'opt-in');
  assert.equal(buildConfig({ ...base, action: 'rollout-restart', autoAll: true, maxRestartsPerMinute: '0' }, {}).restart!.auto, 'all');
  assert.equal(buildConfig({ ...base, action: 'rollout-restart', dryRun: true }, {}).dryRun, true);
});

test('evict-pods defaults: --max-unavailable 1, --ready-timeout 5m', () => {
  const cfg = buildConfig({ ...base, action: 'evict-pods' }, {});
  assert.deepEqual(cfg.evict, { maxUnavailable: 1, readyTimeoutMs: 300_000 });
  assert.equal(cfg.restart, undefined);
  assert.equal(buildConfig({ ...base, action: 'evict-pods', dryRun: true }, {}).dryRun, true);
});
