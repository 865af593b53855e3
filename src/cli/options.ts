/**
 * Command-line options → a validated configuration. Every bad value is a
 * UsageError (exit 2) raised before anything starts.
 */
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../kube/request-timeout.js';
import { formatDuration } from '../base/duration.js';
import { Option, type Command } from 'commander';
import { CmwatchError, UsageError } from '../base/errors.js';
import { parseContentPaths } from '../watch/content-paths.js';
import { durationValue } from './flag-values.js';
import { isDns1123Label, NAMESPACE_RULE } from '../api/names.js';
import type { ConnectionFlags } from './connection-flags.js';
import { parseSelector, keyError } from '../api/label-selector.js';
import { parseFieldSelector } from '../api/field-selector.js';
// From api/, not delete-pods.js: that one pulls in the HTTP client, which --version and --help do not need.
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../api/selector-annotation.js';
// The registry loads an action's implementation only when it runs.
import { actionNames, dryRunActionNames, findAction } from '../handlers/actions/registry.js';
import type { LogFormat, LogLevel } from '../ops/log.js';
import { DEFAULT_FIELD_MANAGER } from '../handlers/write-back/field-manager.js';
import { buildHandlerConfig, durationFlag, type HandlerConfig, type RawHandlerFlags } from './handler-options.js';
import { addConnectionOptions, buildConnectionFlags, type RawConnectionFlags } from './connection-options.js';
import { buildObserveConfig, type ObserveConfig, type RawObserveFlags } from './observe-options.js';
import { buildLeaderConfig, type LeaderConfig, type RawLeaderFlags } from './leader-options.js';
import { buildOperatorConfig, onWithFinalizers, type OperatorConfig, type RawOperatorFlags } from './operator-options.js';
import { WATCH_EVENT_TYPES } from '../api/types.js';
import { parseOutputFormat, type OutputFormat } from './output-format.js';
import { buildStateConfig, type RawStateFlags, type StateConfig } from './state-options.js';
import { buildEvictSettings, buildRestartSettings, type RawRestartFlags } from './restart-options.js';
import type { EvictSettings, RestartSettings } from '../handlers/actions/registry.js';


/** --request-timeout's default, as the help shows it (30s). */
const REQUEST_TIMEOUT_DEFAULT = formatDuration(DEFAULT_REQUEST_TIMEOUT_MS);
export const DEFAULT_SERVER = 'http://localhost:8001';

/** What `watch` and `events` both take: where to watch, what counts as a change, how to log. */
export interface WatchSourceConfig {
  /** The RESOURCE arguments as written, comma lists split; empty: the default ConfigMaps. */
  resources: string[];
  /** --content: field paths that replace the default content function of every resource. */
  contentPaths: string | undefined;
  /** How to reach the API: resolved at start by src/kube/resolve.ts. */
  connection: ConnectionFlags;
  namespaces: string[] | undefined; // undefined: all namespaces
  /** Neither -n, -A nor WATCH_NAMESPACE: the kubeconfig context's (or in-cluster) namespace applies, else "default". */
  namespaceDefaulted: boolean;
  labelSelector: string | undefined;
  /** --field-selector, checked as the API server parses it; undefined: none (also for ""). */
  fieldSelector: string | undefined;
  trigger: 'content' | 'any';
  stallTimeoutMs: number;
  /** --request-timeout: deadline of every non-watch API request in ms; 0: none. */
  requestTimeoutMs: number;
  /** undefined: a random 300–600 s per watch; 0: send none, the server decides. */
  watchTimeoutSeconds: number | undefined;
  exitOnError: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface WatchConfig extends WatchSourceConfig, HandlerConfig, ObserveConfig, LeaderConfig, OperatorConfig, StateConfig {
  /** --handler-proxy: handlers get cmwatch's own authenticating proxy as CMWATCH_SERVER. */
  handlerProxy: boolean;
  output: OutputFormat;
  /** A name in the action registry (handlers/actions/registry.ts). */
  action: string | undefined;
  selectorAnnotations: string[];
  dryRun: boolean;
  /** --field-manager: the fieldManager of write-back's server-side applies. */
  fieldManager: string;
  /** With --action rollout-restart: its flags (restart-options.ts). */
  restart?: RestartSettings;
  /** With --action evict-pods: its flags. */
  evict?: EvictSettings;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Options shared by `watch` and `events`. */
export function addWatchOptions(cmd: Command): Command {
  return addConnectionOptions(cmd)
    .option('-n, --namespace <ns>', 'namespace to watch (repeatable; default $WATCH_NAMESPACE, else the kubeconfig context\'s, else "default")', collect)
    .option('-A, --all-namespaces', 'watch in all namespaces')
    .option('-l, --selector <selector>', 'only objects whose labels match this label selector')
    .option('--field-selector <selector>', 'only objects whose fields match this field selector, e.g. metadata.name=web (which fields: the resource\'s, as the API server supports them)')
    .option('--trigger <mode>', 'content: skip MODIFIED events whose content did not change (ConfigMaps and Secrets: data, binaryData, the selector annotation; objects with a generation: it, labels, annotations; others: all but status); any: deliver every MODIFIED', 'content')
    .option('--content <paths>', 'what counts as a change instead: comma list of field paths, e.g. .spec,.metadata.labels,.data.key')
    .option('--stall-timeout <duration>', 're-watch when no byte arrives for this long', '3m')
    .option('--request-timeout <duration>', 'deadline of each non-watch API request (lists, deletes, lease updates); 0: none. Watches have --stall-timeout instead', REQUEST_TIMEOUT_DEFAULT)
    .option('--watch-timeout <duration>', 'timeoutSeconds asked of the server per watch (default: random 5m-10m); 0: ask none, the server closes the watch after its --min-request-timeout')
    .option('--exit-on-error', `exit (code 3) on 401/403/404 instead of retrying`)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'));
}

export { parseOn } from './handler-options.js';

/** --watch-timeout: whole seconds, or 0 to let the server choose; absent: random 300–600 s. */
export function parseWatchTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = durationValue(text, '--watch-timeout');
  if (ms !== 0 && ms < 1000) throw new UsageError(`--watch-timeout: must be 0 or at least 1s, got "${text}"`, 'the API counts timeoutSeconds in whole seconds, e.g. --watch-timeout 5m');
  return Math.round(ms / 1000);
}

/** --stall-timeout: a positive duration (0 would abort every watch at once, in a loop). */
export function parseStallTimeout(text: string): number {
  const ms = durationValue(text, '--stall-timeout');
  if (ms <= 0) throw new UsageError(`--stall-timeout: must be longer than 0, got "${text}"`, 'e.g. --stall-timeout 3m (the default)');
  return ms;
}

export function resolveNamespaces(flags: { namespace?: string[]; allNamespaces?: boolean }, env: NodeJS.ProcessEnv): string[] | undefined {
  if (flags.allNamespaces) {
    if (flags.namespace?.length) throw new UsageError('-A/--all-namespaces and -n/--namespace exclude each other', 'give one of them');
    return undefined;
  }
  const list = flags.namespace?.length ? flags.namespace : env.WATCH_NAMESPACE ? [env.WATCH_NAMESPACE] : ['default'];
  for (const ns of list) {
    if (!isDns1123Label(ns)) {
      throw new UsageError(`namespace "${ns}" is not a valid name`, NAMESPACE_RULE);
    }
  }
  return [...new Set(list)];
}

/** True when neither -n, -A nor WATCH_NAMESPACE chose the namespaces (resolveNamespaces gave ['default']). */
export function namespaceDefaulted(flags: { namespace?: string[]; allNamespaces?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return !flags.allNamespaces && !flags.namespace?.length && !env.WATCH_NAMESPACE;
}

/** --content PATHS: parsed once here so a bad path is a usage error before anything starts. */
export function checkContentFlag(content: string | undefined, trigger: string): void {
  if (content === undefined) return;
  if (trigger === 'any') throw new UsageError('--content has no effect with --trigger any (every new resource version is delivered)', 'drop one of them');
  try {
    parseContentPaths(content);
  } catch (err) {
    if (err instanceof CmwatchError) throw new UsageError(`--content: ${err.message}`, err.hint, err);
    throw err;
  }
}

/** What a RESOURCE may look like before discovery reads it: kubectl's names are letters, digits, `-` and `.`. */
const RESOURCE_ARG = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;

/** The RESOURCE arguments: each may be a comma list (`cm,secrets`, as kubectl takes it). */
export function parseResourceArgs(args: readonly string[], label = 'RESOURCE'): string[] {
  const out: string[] = [];
  for (const arg of args) {
    for (const name of arg.split(',')) {
      if (RESOURCE_ARG.test(name)) {
        out.push(name);
        continue;
      }
      const hint = name.includes('/')
        ? 'cmwatch watches resources, not TYPE/NAME; for one object use --field-selector metadata.name=NAME'
        : 'name a resource as kubectl does, e.g. configmaps, cm, deployments.apps, configwatchers.k8spatterns.com (`kubectl api-resources` lists them)';
      throw new UsageError(`${label}: invalid resource name ${JSON.stringify(name)}`, hint);
    }
  }
  return out;
}

/** --selector-annotation KEY, or both spellings of the book's annotation. */
export function parseSelectorAnnotation(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_SELECTOR_ANNOTATIONS];
  const e = keyError(value);
  if (e) throw new UsageError(`--selector-annotation: invalid annotation ${e}`, 'e.g. --selector-annotation example.com/podDeleteSelector');
  return [value];
}

/** --field-selector: the selector as given, or undefined when absent or "" (both select everything). */
export function parseFieldSelectorFlag(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const r = parseFieldSelector(value);
  if (!r.ok) throw new UsageError(`--field-selector: invalid field selector "${value}": ${r.error}`, 'e.g. --field-selector metadata.name=web or --field-selector metadata.name!=web,metadata.namespace=default');
  return value;
}

/** The flags behind WatchSourceConfig (addWatchOptions). */
export interface RawWatchSourceFlags extends RawConnectionFlags {
  content?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  fieldSelector?: string;
  trigger: string;
  stallTimeout: string;
  requestTimeout?: string;
  watchTimeout?: string;
  exitOnError?: boolean;
  logLevel: string;
  logFormat: string;
}

export interface RawWatchFlags extends RawWatchSourceFlags, RawHandlerFlags, RawObserveFlags, RawLeaderFlags, RawOperatorFlags, RawStateFlags, RawRestartFlags {
  /** --on was given on the command line (not its default): main.ts sets it. */
  onGiven?: boolean;
  handlerProxy?: boolean;
  output?: string;
  action?: string;
  selectorAnnotation?: string;
  dryRun?: boolean;
  fieldManager?: string;
}

/** Validates the options of addWatchOptions, shared by `watch` and `events`. */
export function buildWatchSourceConfig(f: RawWatchSourceFlags, env: NodeJS.ProcessEnv, resourceArgs: readonly string[] = []): WatchSourceConfig {
  const resources = parseResourceArgs(resourceArgs);
  const connection = buildConnectionFlags(f, env);
  const namespaces = resolveNamespaces(f, env);
  if (f.selector !== undefined) {
    const r = parseSelector(f.selector);
    if (!r.ok) throw new UsageError(`--selector: invalid label selector "${f.selector}": ${r.error}`, 'e.g. -l app=webapp or -l "tier in (web,api)"');
  }
  const fieldSelector = parseFieldSelectorFlag(f.fieldSelector);
  if (f.trigger !== 'content' && f.trigger !== 'any') throw new UsageError(`--trigger: unknown mode "${f.trigger}"`, 'use content (default) or any');
  checkContentFlag(f.content, f.trigger);
  return {
    resources,
    contentPaths: f.content,
    connection,
    namespaces,
    namespaceDefaulted: namespaceDefaulted(f, env),
    labelSelector: f.selector,
    fieldSelector,
    trigger: f.trigger,
    stallTimeoutMs: parseStallTimeout(f.stallTimeout),
    requestTimeoutMs: durationFlag(f.requestTimeout ?? REQUEST_TIMEOUT_DEFAULT, '--request-timeout'),
    watchTimeoutSeconds: parseWatchTimeout(f.watchTimeout),
    exitOnError: !!f.exitOnError,
    logLevel: f.logLevel as LogLevel,
    logFormat: f.logFormat as LogFormat,
  };
}

export function buildConfig(f: RawWatchFlags, env: NodeJS.ProcessEnv = process.env, resourceArgs: readonly string[] = []): WatchConfig {
  const source = buildWatchSourceConfig(f, env, resourceArgs);
  const output = parseOutputFormat(f.output);
  checkAction(f);
  const selectorAnnotations = parseSelectorAnnotation(f.selectorAnnotation);
  checkDryRun(f);
  const operator = buildOperatorConfig(f);
  const handlers = buildHandlerConfig(f, WATCH_EVENT_TYPES);
  const on = onWithFinalizers(handlers.on, f.onGiven ?? f.on !== undefined, operator.finalizers);
  const restart = buildRestartSettings(f, f.action);
  const evict = buildEvictSettings(f, f.action);
  return {
    ...source,
    ...handlers,
    on,
    ...operator,
    ...buildStateConfig(f, handlers.handlers.length > 0 || f.execDir !== undefined ? on : new Set(), f.action === undefined ? undefined : findAction(f.action)!.on),
    ...buildObserveConfig(f),
    ...buildLeaderConfig(f),
    handlerProxy: !!f.handlerProxy,
    output,
    action: f.action,
    selectorAnnotations,
    dryRun: !!f.dryRun,
    fieldManager: parseFieldManager(f.fieldManager ?? DEFAULT_FIELD_MANAGER),
    restart,
    evict,
  };
}

/** --field-manager: what the API takes as fieldManager (1 to 128 printable characters). */
export function parseFieldManager(text: string): string {
  if (text === '' || text.length > 128 || !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(text)) {
    throw new UsageError(`--field-manager: "${text}" is not a field manager name`, 'give 1 to 128 printable characters, e.g. --field-manager my-operator');
  }
  return text;
}

/** --action must name an entry of the action registry. */
function checkAction(f: RawWatchFlags): void {
  if (f.action !== undefined && !findAction(f.action)) {
    const names = actionNames();
    const hint = names.length === 1 ? `the built-in action is ${names[0]}` : `the built-in actions are ${names.join(', ')}`;
    throw new UsageError(`--action: unknown action "${f.action}"`, hint);
  }
}

/** --dry-run needs an --action that honours it, or handlers (whose write-back it turns into dryRun=All). */
function checkDryRun(f: RawWatchFlags): void {
  const handlers = (f.exec?.length ?? 0) > 0 || f.execDir !== undefined;
  if (f.dryRun && !handlers && !(f.action !== undefined && findAction(f.action)!.dryRun)) {
    const names = dryRunActionNames();
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
    throw new UsageError(
      `--dry-run only applies to --action ${list}, or to handlers' write-back (--exec, --exec-dir)`,
      `add --action ${names[0]} or a handler, or drop --dry-run`,
    );
  }
}
