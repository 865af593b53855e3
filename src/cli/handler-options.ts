/**
 * The handler engine's command-line options, shared by `watch` and
 * `replay`, and their validation. Every bad value is a UsageError (exit 2)
 * raised before anything starts.
 */
import { Option, type Command } from 'commander';
import { basename } from 'node:path';
import { UsageError } from '../base/errors.js';
import { DURATION_FORMS, formatDuration } from '../base/duration.js';
import { durationValue } from './flag-values.js';
import { splitCommand } from '../handlers/command.js';
import { resolveCommand } from '../handlers/executable.js';
import { checkExecDir } from '../handlers/exec-dir.js';
import type { HandlerSpec } from '../handlers/exec-runner.js';
import { checkFlag } from './flag-errors.js';
import { EVENT_TYPES, type EventType } from '../api/types.js';
import { HANDLER_DEFAULTS as D } from '../handlers/defaults.js';

export interface HandlerConfig {
  handlers: HandlerSpec[];
  execDir: string | undefined;
  on: Set<EventType>;
  concurrency: number;
  coalesce: boolean;
  /** With --no-coalesce: events waiting per key before that key falls back to coalescing. */
  maxPendingPerKey: number;
  maxRetries: number;
  timeoutMs: number;
  killGraceMs: number;
  shutdownGraceMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The engine options that come straight from the handler flags (shared by watch and replay). */
export function engineOptionsOf(cfg: HandlerConfig) {
  return {
    execs: cfg.handlers,
    execDir: cfg.execDir,
    handlersOn: cfg.on,
    timeoutMs: cfg.timeoutMs,
    killGraceMs: cfg.killGraceMs,
    concurrency: cfg.concurrency,
    coalesce: cfg.coalesce,
    maxPendingPerKey: cfg.maxPendingPerKey,
    maxRetries: cfg.maxRetries,
    retryBaseMs: cfg.retryBaseMs,
    retryMaxMs: cfg.retryMaxMs,
  };
}

export interface RawHandlerFlags {
  exec?: string[];
  execDir?: string;
  on?: string;
  concurrency?: string;
  coalesce?: boolean;
  maxPendingPerKey?: string;
  maxRetries?: string;
  timeout?: string;
  killGrace?: string;
  shutdownGrace?: string;
  retryBase?: string;
  retryMax?: string;
}

/** Node's timers overflow above 2^31-1 ms (24.8 days). */
export const MAX_DURATION_MS = 24 * 24 * 3_600_000;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A default duration as flag text: whole seconds as "60s", else milliseconds. */
function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The flags' defaults as their text, from HANDLER_DEFAULTS (handlers/defaults.ts): the help and buildHandlerConfig use these. */
const FLAG_DEFAULTS = {
  on: D.on.join(','),
  concurrency: String(D.concurrency),
  maxPendingPerKey: String(D.maxPendingPerKey),
  maxRetries: String(D.maxRetries),
  timeout: durationText(D.timeoutMs),
  killGrace: durationText(D.killGraceMs),
  shutdownGrace: durationText(D.shutdownGraceMs),
  retryBase: durationText(D.retryBaseMs),
  retryMax: durationText(D.retryMaxMs),
};

export function addHandlerOptions(cmd: Command): Command {
  return cmd
    .option('--exec <cmd>', 'run this handler for each event (repeatable, run in the order given; split without a shell)', collect)
    .option('--exec-dir <dir>', 'run every executable file in DIR for each event, in name order (run-parts style), after --exec handlers')
    .option('--on <types>', 'event types that run handlers: comma list of SYNC, ADDED, MODIFIED, DELETED (watch: also FINALIZE, the default with --finalizer)', FLAG_DEFAULTS.on)
    .option('--concurrency <n>', 'handler runs at once across keys', FLAG_DEFAULTS.concurrency)
    .option('--no-coalesce', 'deliver every event per key in order instead of coalescing to the latest')
    .option('--max-pending-per-key <n>', 'with --no-coalesce: events waiting per key before that key falls back to coalescing (logged, counted)', FLAG_DEFAULTS.maxPendingPerKey)
    .option('--max-retries <n>', 'retries of a failing handler run before giving up on that change', FLAG_DEFAULTS.maxRetries)
    .option('--timeout <duration>', `per handler run (durations: ${DURATION_FORMS})`, FLAG_DEFAULTS.timeout)
    .option('--kill-grace <duration>', 'between SIGTERM and SIGKILL for a handler', FLAG_DEFAULTS.killGrace)
    .option('--shutdown-grace <duration>', 'how long running handlers may finish after SIGTERM/SIGINT', FLAG_DEFAULTS.shutdownGrace)
    // Internal (tests): the retry backoff. The documented behaviour is 1s doubling to 5m (HANDLER_DEFAULTS).
    .addOption(new Option('--retry-base <duration>', 'first retry delay').default(FLAG_DEFAULTS.retryBase).hideHelp())
    .addOption(new Option('--retry-max <duration>', 'retry delay cap').default(FLAG_DEFAULTS.retryMax).hideHelp());
}

export function parseOn(text: string, allowed: readonly EventType[] = EVENT_TYPES): Set<EventType> {
  const out = new Set<EventType>();
  for (const raw of text.split(',')) {
    const t = raw.trim().toUpperCase();
    if (!t) continue;
    if (!(allowed as readonly string[]).includes(t)) {
      throw new UsageError(`--on: unknown event type "${raw.trim()}"`, `use a comma list of ${allowed.join(', ')}`);
    }
    out.add(t as EventType);
  }
  if (out.size === 0) throw new UsageError(`--on: no event type in "${text}"`, `use a comma list of ${allowed.join(', ')}`);
  return out;
}

export function positiveInt(text: string, flag: string, min = 1, example = Math.max(min, 4)): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag}: expected a whole number >= ${min}, got "${text}"`, `e.g. ${flag} ${example}`);
  }
  return Number(text);
}

/** A duration flag within [min, MAX_DURATION_MS]. */
export function durationFlag(text: string, flag: string, min = 0): number {
  const ms = durationValue(text, flag);
  if (ms < min || ms > MAX_DURATION_MS) {
    const range = min > 0 ? `between ${formatDuration(min)} and 24 days` : 'at most 24 days';
    throw new UsageError(`${flag}: "${text}" is out of range`, `give a duration ${range}, e.g. 500ms, 30s, 5m`);
  }
  return ms;
}

/** Splits an --exec command and checks that its program exists and is executable. */
export function execSpec(cmd: string): HandlerSpec {
  const argv = checkFlag('--exec', () => splitCommand(cmd));
  const prog = argv[0]!;
  const { path, check } = resolveCommand(prog);
  if (check === 'missing') {
    throw new UsageError(`--exec: "${prog}" not found${prog.includes('/') ? '' : ' on PATH'}`, 'give the path of an executable file, e.g. --exec ./handler.sh');
  }
  if (check === 'permission-denied') {
    throw new UsageError(`--exec: "${path}": permission denied`, 'cmwatch\'s user must be able to open the file and every folder above it');
  }
  if (check === 'unreadable') throw new UsageError(`--exec: cannot look at "${path}"`, 'check the path (a symlink loop?) and its permissions');
  if (check === 'not-a-file') throw new UsageError(`--exec: "${path}" is not a file`, 'give the path of an executable file; for a directory of handlers use --exec-dir');
  if (check === 'not-executable') throw new UsageError(`--exec: "${path}" is not executable`, `chmod +x ${path}`);
  return { name: basename(prog), argv };
}

/** `onTypes`: what --on takes (watch: also FINALIZE). */
export function buildHandlerConfig(f: RawHandlerFlags, onTypes: readonly EventType[] = EVENT_TYPES): HandlerConfig {
  const handlers = (f.exec ?? []).map(execSpec);
  if (f.execDir !== undefined) checkFlag('--exec-dir', () => checkExecDir(f.execDir!));
  const retryBaseMs = durationFlag(f.retryBase ?? FLAG_DEFAULTS.retryBase, '--retry-base', 1);
  const retryMaxMs = durationFlag(f.retryMax ?? FLAG_DEFAULTS.retryMax, '--retry-max', 1);
  return {
    handlers,
    execDir: f.execDir,
    on: parseOn(f.on ?? FLAG_DEFAULTS.on, onTypes),
    concurrency: positiveInt(f.concurrency ?? FLAG_DEFAULTS.concurrency, '--concurrency'),
    coalesce: f.coalesce !== false,
    maxPendingPerKey: positiveInt(f.maxPendingPerKey ?? FLAG_DEFAULTS.maxPendingPerKey, '--max-pending-per-key', 1, D.maxPendingPerKey),
    maxRetries: positiveInt(f.maxRetries ?? FLAG_DEFAULTS.maxRetries, '--max-retries', 0),
    timeoutMs: durationFlag(f.timeout ?? FLAG_DEFAULTS.timeout, '--timeout', 1),
    killGraceMs: durationFlag(f.killGrace ?? FLAG_DEFAULTS.killGrace, '--kill-grace'),
    shutdownGraceMs: durationFlag(f.shutdownGrace ?? FLAG_DEFAULTS.shutdownGrace, '--shutdown-grace'),
    retryBaseMs,
    retryMaxMs: Math.max(retryBaseMs, retryMaxMs),
  };
}
