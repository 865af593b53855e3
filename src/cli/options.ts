/**
 * Command-line options → a validated configuration. Every bad value is a
 * UsageError (exit 2) raised before anything starts.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { normalizeServer } from '../kube/connection.js';
import { parseSelector, keyError } from '../kube/label-selector.js';
import { splitCommand } from '../handlers/command.js';
import type { HandlerSpec } from '../handlers/exec-runner.js';
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../handlers/delete-pods.js';
import { EVENT_TYPES, type EventType } from '../watch/types.js';
import type { LogFormat, LogLevel } from '../util/log.js';
import { basename } from 'node:path';

export const DEFAULT_SERVER = 'http://localhost:8001';

export interface WatchConfig {
  server: string;
  namespaces: string[] | undefined; // undefined: all namespaces
  labelSelector: string | undefined;
  output: 'text' | 'json';
  handlers: HandlerSpec[];
  on: Set<EventType>;
  action: 'delete-pods' | undefined;
  selectorAnnotations: string[];
  dryRun: boolean;
  trigger: 'content' | 'any';
  concurrency: number;
  coalesce: boolean;
  maxRetries: number;
  timeoutMs: number;
  killGraceMs: number;
  shutdownGraceMs: number;
  stallTimeoutMs: number;
  exitOnError: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Options shared by `watch` and `events`. */
export function addWatchOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <url>', 'API server or kubectl proxy URL').env('CMWATCH_SERVER').default(DEFAULT_SERVER))
    .option('-n, --namespace <ns>', 'namespace to watch (repeatable; default $WATCH_NAMESPACE, else "default")', collect)
    .option('-A, --all-namespaces', 'watch ConfigMaps in all namespaces')
    .option('-l, --selector <selector>', 'only ConfigMaps whose labels match this label selector')
    .option('--trigger <mode>', 'content: skip MODIFIED events whose data, binaryData and selector annotation did not change; any: deliver every MODIFIED', 'content')
    .option('--stall-timeout <duration>', 're-watch when no byte arrives for this long', '3m')
    .option('--exit-on-error', `exit (code 3) on 401/403/404 instead of retrying`)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'));
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

function positiveInt(text: string, flag: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UsageError(`${flag}: expected a whole number >= ${min}, got "${text}"`, `e.g. ${flag} ${Math.max(min, 4)}`);
  }
  return Number(text);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function resolveNamespaces(flags: { namespace?: string[]; allNamespaces?: boolean }, env: NodeJS.ProcessEnv): string[] | undefined {
  if (flags.allNamespaces) {
    if (flags.namespace?.length) throw new UsageError('-A/--all-namespaces and -n/--namespace exclude each other', 'give one of them');
    return undefined;
  }
  const list = flags.namespace?.length ? flags.namespace : env.WATCH_NAMESPACE ? [env.WATCH_NAMESPACE] : ['default'];
  for (const ns of list) {
    if (ns.length > 63 || !DNS1123_LABEL.test(ns)) {
      throw new UsageError(`namespace "${ns}" is not a valid name`, 'a namespace is lower-case letters, digits and "-", at most 63 characters');
    }
  }
  return [...new Set(list)];
}

export interface RawWatchFlags {
  server: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  exec?: string[];
  on?: string;
  action?: string;
  selectorAnnotation?: string;
  dryRun?: boolean;
  trigger: string;
  concurrency?: string;
  coalesce?: boolean;
  maxRetries?: string;
  timeout?: string;
  killGrace?: string;
  shutdownGrace?: string;
  stallTimeout: string;
  exitOnError?: boolean;
  logLevel: string;
  logFormat: string;
}

export function buildConfig(f: RawWatchFlags, env: NodeJS.ProcessEnv = process.env): WatchConfig {
  const server = normalizeServer(f.server);
  const namespaces = resolveNamespaces(f, env);
  if (f.selector !== undefined) {
    const r = parseSelector(f.selector);
    if (!r.ok) throw new UsageError(`--selector: invalid label selector "${f.selector}": ${r.error}`, 'e.g. -l app=webapp or -l "tier in (web,api)"');
  }
  const output = (f.output ?? 'text').toLowerCase();
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output: unknown format "${f.output}"`, 'use -o json for NDJSON on stdout, or -o text');
  if (f.trigger !== 'content' && f.trigger !== 'any') throw new UsageError(`--trigger: unknown mode "${f.trigger}"`, 'use content (default) or any');
  const handlers = (f.exec ?? []).map((cmd) => {
    const argv = splitCommand(cmd);
    return { name: basename(argv[0]!), argv };
  });
  if (f.action !== undefined && f.action !== 'delete-pods') {
    throw new UsageError(`--action: unknown action "${f.action}"`, 'the built-in action is delete-pods');
  }
  let selectorAnnotations: string[] = [...DEFAULT_SELECTOR_ANNOTATIONS];
  if (f.selectorAnnotation !== undefined) {
    const e = keyError(f.selectorAnnotation);
    if (e) throw new UsageError(`--selector-annotation: invalid annotation ${e}`, 'e.g. --selector-annotation example.com/podDeleteSelector');
    selectorAnnotations = [f.selectorAnnotation];
  }
  if (f.dryRun && f.action === undefined) {
    throw new UsageError('--dry-run only applies to --action delete-pods', 'add --action delete-pods, or drop --dry-run');
  }
  return {
    server,
    namespaces,
    labelSelector: f.selector,
    output,
    handlers,
    on: parseOn(f.on ?? 'MODIFIED'),
    action: f.action as 'delete-pods' | undefined,
    selectorAnnotations,
    dryRun: !!f.dryRun,
    trigger: f.trigger,
    concurrency: positiveInt(f.concurrency ?? '4', '--concurrency'),
    coalesce: f.coalesce !== false,
    maxRetries: positiveInt(f.maxRetries ?? '5', '--max-retries', 0),
    timeoutMs: parseDuration(f.timeout ?? '60s', '--timeout'),
    killGraceMs: parseDuration(f.killGrace ?? '5s', '--kill-grace'),
    shutdownGraceMs: parseDuration(f.shutdownGrace ?? '30s', '--shutdown-grace'),
    stallTimeoutMs: parseDuration(f.stallTimeout, '--stall-timeout'),
    exitOnError: !!f.exitOnError,
    logLevel: f.logLevel as LogLevel,
    logFormat: f.logFormat as LogFormat,
  };
}
