/**
 * The flags of --action rollout-restart and --action evict-pods, and their
 * validation: a bad value, or a flag given with another action, is a
 * UsageError (exit 2) before anything starts.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { durationFlag, positiveInt } from './handler-options.js';
import type { EvictSettings, RestartSettings } from '../handlers/actions/registry.js';

export const RESTART_DEFAULTS = { debounce: '2s', maxRestartsPerMinute: '60', restartWindow: '1m' } as const;
export const EVICT_DEFAULTS = { maxUnavailable: '1', readyTimeout: '5m' } as const;

export interface RawRestartFlags {
  auto?: boolean;
  autoAll?: boolean;
  debounce?: string;
  maxRestartsPerMinute?: string;
  restartWindow?: string;
  maxUnavailable?: string;
  readyTimeout?: string;
}

export function addRestartOptions(cmd: Command): Command {
  return cmd
    .option('--auto', 'with --action rollout-restart: also restart the workloads whose pod template uses the ConfigMap or Secret and that carry cmwatch.io/auto: "true"')
    .option('--auto-all', 'like --auto, without the opt-in annotation')
    .option('--debounce <duration>', `with --action rollout-restart: changes to one workload's sources within this window make one restart (default ${RESTART_DEFAULTS.debounce})`)
    .option('--max-restarts-per-minute <n>', `with --action rollout-restart: restarts per minute across all workloads, spaced evenly; 0: no limit (default ${RESTART_DEFAULTS.maxRestartsPerMinute})`)
    // Internal (tests): the throttle's window, so that "per minute" can be checked in seconds.
    .addOption(new Option('--restart-window <duration>', 'the window of --max-restarts-per-minute').hideHelp())
    .option('--max-unavailable <n>', `with --action evict-pods: evicted pods not yet replaced by a Ready pod, at most (default ${EVICT_DEFAULTS.maxUnavailable})`)
    .option('--ready-timeout <duration>', `with --action evict-pods: how long to wait for replacements to be Ready before the run fails and is retried (default ${EVICT_DEFAULTS.readyTimeout})`);
}

function only(flag: string, action: string, given: string | undefined): void {
  if (given !== action) throw new UsageError(`${flag} only applies to --action ${action}`, `add --action ${action}, or drop ${flag}`);
}

export function buildRestartSettings(f: RawRestartFlags, action: string | undefined): RestartSettings | undefined {
  const given = f.auto || f.autoAll || f.debounce !== undefined || f.maxRestartsPerMinute !== undefined || f.restartWindow !== undefined;
  if (given) {
    const flag = f.auto ? '--auto' : f.autoAll ? '--auto-all' : f.debounce !== undefined ? '--debounce' : f.maxRestartsPerMinute !== undefined ? '--max-restarts-per-minute' : '--restart-window';
    only(flag, 'rollout-restart', action);
  }
  if (action !== 'rollout-restart') return undefined;
  if (f.auto && f.autoAll) throw new UsageError('--auto and --auto-all exclude each other', '--auto-all is --auto without the cmwatch.io/auto opt-in; give one of them');
  return {
    auto: f.autoAll ? 'all' : f.auto ? 'opt-in' : 'off',
    debounceMs: durationFlag(f.debounce ?? RESTART_DEFAULTS.debounce, '--debounce'),
    maxPerMinute: positiveInt(f.maxRestartsPerMinute ?? RESTART_DEFAULTS.maxRestartsPerMinute, '--max-restarts-per-minute', 0, 10),
    windowMs: durationFlag(f.restartWindow ?? RESTART_DEFAULTS.restartWindow, '--restart-window', 1),
  };
}

export function buildEvictSettings(f: RawRestartFlags, action: string | undefined): EvictSettings | undefined {
  if (f.maxUnavailable !== undefined) only('--max-unavailable', 'evict-pods', action);
  if (f.readyTimeout !== undefined) only('--ready-timeout', 'evict-pods', action);
  if (action !== 'evict-pods') return undefined;
  return {
    maxUnavailable: positiveInt(f.maxUnavailable ?? EVICT_DEFAULTS.maxUnavailable, '--max-unavailable', 1, 1),
    readyTimeoutMs: durationFlag(f.readyTimeout ?? EVICT_DEFAULTS.readyTimeout, '--ready-timeout', 1),
  };
}
