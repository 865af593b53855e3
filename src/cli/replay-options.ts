/**
 * `cmwatch replay FILE|-`: options and their validation. The filters and
 * handler options are the watch command's; there is no cluster, so
 * --server only sets CMWATCH_SERVER for handlers (as it would be live).
 */
import { Option, type Command } from 'commander';
import { accessSync, constants, statSync } from 'node:fs';
import { UsageError, oneLine } from '../base/errors.js';
import { normalizeServer } from '../kube/server-url.js';
import { statFailure } from '../handlers/executable.js';
import { parseSelector, type Requirement } from '../api/label-selector.js';
import type { LogFormat, LogLevel } from '../ops/log.js';
import { addHandlerOptions, buildHandlerConfig, type HandlerConfig, type RawHandlerFlags } from './handler-options.js';
import { checkContentFlag, DEFAULT_SERVER, parseResourceArgs, parseSelectorAnnotation, resolveNamespaces } from './options.js';
import { checkFlag } from './flag-errors.js';
import { OUTPUT_HELP, parseOutputFormat, type OutputFormat } from './output-format.js';

export interface ReplayConfig extends HandlerConfig {
  /** A path, or "-" for stdin. */
  file: string;
  server: string;
  /** Undefined: every namespace in the recording. */
  namespaces: Set<string> | undefined;
  labelSelector: Requirement[] | undefined;
  output: OutputFormat;
  selectorAnnotations: string[];
  trigger: 'content' | 'any';
  /** --resource: the resource the recording is of, as CMWATCH_RESOURCE names it (`plural` or `plural.group`). */
  resource: string;
  /** --content: field paths replacing the resource's default content function. */
  contentPaths: string | undefined;
  /** Events per second; undefined: full speed. */
  rate: number | undefined;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface RawReplayFlags extends RawHandlerFlags {
  server: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  selectorAnnotation?: string;
  trigger: string;
  resource: string;
  content?: string;
  rate?: string;
  logLevel: string;
  logFormat: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** replay's one argument (main.ts adds it, also to the root help's summary of replay). */
export function addReplayArgument(cmd: Command): Command {
  return cmd.argument('<file>', 'recorded events, NDJSON as `cmwatch -o json` prints them; "-" reads stdin');
}

export function addReplayOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--server <url>', 'the API URL handlers get as CMWATCH_SERVER (nothing connects to it)').env('CMWATCH_SERVER').default(DEFAULT_SERVER))
    .option('-n, --namespace <ns>', 'only events in this namespace (repeatable; default: every namespace in the file)', collect)
    .option('-A, --all-namespaces', 'events in every namespace (the default for replay)')
    .option('-l, --selector <selector>', 'only ConfigMaps whose labels match this label selector')
    .option('--trigger <mode>', 'content: skip events whose data, binaryData and selector annotation did not change; any: deliver every new resource version', 'content')
    .option('--resource <name>', 'the resource the recording is of, as plural or plural.group (what handlers get as CMWATCH_RESOURCE; it chooses the content function, as watching it would)', 'configmaps')
    .option('--content <paths>', 'what counts as a change instead: comma list of field paths, e.g. .spec,.metadata.labels')
    .option('--selector-annotation <key>', 'annotation holding the pod selector (default k8spatterns.io/podDeleteSelector and k8spatterns.com/podDeleteSelector)')
    .addOption(new Option('-o, --output <format>', `also print each delivered event on stdout: ${OUTPUT_HELP}`))
    .option('--rate <n>', 'events per second (default: as fast as possible)');
  return addHandlerOptions(cmd)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'));
}

export function parseRate(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1_000_000) {
    throw new UsageError(`--rate: expected events per second, a number above 0, got "${text}"`, 'e.g. --rate 10, or --rate 0.5 for one event every 2 seconds; omit it for full speed');
  }
  return n;
}

/** --resource: one name, written as CMWATCH_RESOURCE writes it (no cluster to resolve a short name). */
function parseReplayResource(text: string): string {
  const names = parseResourceArgs([text], '--resource');
  const name = names[0]!.toLowerCase();
  if (names.length !== 1) throw new UsageError(`--resource: one resource, got "${text}"`, 'e.g. --resource configwatchers.k8spatterns.com');
  return name;
}

export function checkReplayFile(file: string): void {
  if (file === '-') return;
  let st;
  try {
    st = statSync(file);
  } catch (cause) {
    const why = statFailure(cause);
    if (why === 'permission-denied') throw new UsageError(`replay: "${file}": permission denied`, 'cmwatch\'s user must be able to open the file and every folder above it', cause);
    if (why === 'unreadable') throw new UsageError(`replay: cannot look at "${file}": ${oneLine(cause)}`, 'check the path', cause);
    throw new UsageError(`replay: "${file}" does not exist`, 'give a file recorded with `cmwatch -o json > events.ndjson`, or - for stdin');
  }
  if (st.isDirectory()) throw new UsageError(`replay: "${file}" is a directory`, 'give a file of NDJSON events, or - for stdin');
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new UsageError(`replay: "${file}" is not readable`, 'check its permissions');
  }
}

export function buildReplayConfig(file: string, f: RawReplayFlags, env: NodeJS.ProcessEnv = process.env): ReplayConfig {
  const server = checkFlag('--server', () => normalizeServer(f.server));
  const namespaces = f.namespace?.length || f.allNamespaces ? resolveNamespaces(f, env) : undefined;
  let labelSelector: Requirement[] | undefined;
  if (f.selector !== undefined) {
    const r = parseSelector(f.selector);
    if (!r.ok) throw new UsageError(`--selector: invalid label selector "${f.selector}": ${r.error}`, 'e.g. -l app=webapp or -l "tier in (web,api)"');
    labelSelector = r.requirements;
  }
  const output = parseOutputFormat(f.output);
  if (f.trigger !== 'content' && f.trigger !== 'any') throw new UsageError(`--trigger: unknown mode "${f.trigger}"`, 'use content (default) or any');
  const selectorAnnotations = parseSelectorAnnotation(f.selectorAnnotation);
  checkContentFlag(f.content, f.trigger);
  const resource = parseReplayResource(f.resource);
  const rate = f.rate === undefined ? undefined : parseRate(f.rate);
  const handlerConfig = buildHandlerConfig(f);
  checkReplayFile(file);
  return {
    ...handlerConfig,
    file,
    server,
    namespaces: namespaces ? new Set(namespaces) : undefined,
    labelSelector,
    output,
    selectorAnnotations,
    trigger: f.trigger,
    resource,
    contentPaths: f.content,
    rate,
    logLevel: f.logLevel as LogLevel,
    logFormat: f.logFormat as LogFormat,
  };
}
