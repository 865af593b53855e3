/**
 * `cmwatch events`: its options (the shared watch options plus --on) and
 * their validation. Every bad value is a UsageError (exit 2) raised before
 * anything starts.
 */
import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import type { ConnectionFlags } from '../kube/resolve.js';
import { parseSelector } from '../kube/label-selector.js';
// From contract.js, not delete-pods.js: that one pulls in the HTTP client, which --version and --help do not need.
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../handlers/contract.js';
import type { EventType } from '../watch/types.js';
import type { LogFormat, LogLevel } from '../util/log.js';
import { addWatchOptions, namespaceDefaulted, parseOn, parseStallTimeout, parseWatchTimeout, resolveNamespaces } from './options.js';
import { buildConnectionFlags, type RawConnectionFlags } from './connection-options.js';

export interface EventsConfig {
  /** How to reach the API: resolved at start by src/kube/resolve.ts. */
  connection: ConnectionFlags;
  /** undefined: all namespaces. */
  namespaces: string[] | undefined;
  /** Neither -n, -A nor WATCH_NAMESPACE: the kubeconfig context's (or in-cluster) namespace applies, else "default". */
  namespaceDefaulted: boolean;
  labelSelector: string | undefined;
  /** The event types printed; SYNC marks the objects that exist at start. */
  on: Set<EventType>;
  /** Annotations that count as content for --trigger content. */
  selectorAnnotations: string[];
  trigger: 'content' | 'any';
  stallTimeoutMs: number;
  watchTimeoutSeconds: number | undefined;
  exitOnError: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface RawEventsFlags extends RawConnectionFlags {
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  on: string;
  trigger: string;
  stallTimeout: string;
  watchTimeout?: string;
  exitOnError?: boolean;
  logLevel: string;
  logFormat: string;
}

export const EVENTS_ON_DEFAULT = 'ADDED,MODIFIED,DELETED';

export function addEventsOptions(cmd: Command): Command {
  return addWatchOptions(cmd)
    .option('--on <types>', 'event types to print: comma list of SYNC, ADDED, MODIFIED, DELETED (SYNC: the objects that exist at start)', EVENTS_ON_DEFAULT);
}

export function buildEventsConfig(f: RawEventsFlags, env: NodeJS.ProcessEnv = process.env): EventsConfig {
  const connection = buildConnectionFlags(f, env);
  const namespaces = resolveNamespaces(f, env);
  if (f.selector !== undefined) {
    const r = parseSelector(f.selector);
    if (!r.ok) throw new UsageError(`--selector: invalid label selector "${f.selector}": ${r.error}`, 'e.g. -l app=webapp or -l "tier in (web,api)"');
  }
  if (f.trigger !== 'content' && f.trigger !== 'any') throw new UsageError(`--trigger: unknown mode "${f.trigger}"`, 'use content (default) or any');
  return {
    connection,
    namespaceDefaulted: namespaceDefaulted(f, env),
    namespaces,
    labelSelector: f.selector,
    on: parseOn(f.on),
    selectorAnnotations: [...DEFAULT_SELECTOR_ANNOTATIONS],
    trigger: f.trigger,
    stallTimeoutMs: parseStallTimeout(f.stallTimeout),
    watchTimeoutSeconds: parseWatchTimeout(f.watchTimeout),
    exitOnError: !!f.exitOnError,
    logLevel: f.logLevel as LogLevel,
    logFormat: f.logFormat as LogFormat,
  };
}

export const EVENTS_HELP = `
Prints one event per line on stdout, {"type":…,"object":…} as the API sends
them, for shell loops:

  cmwatch events -n web | while read -r event; do
    echo "$event" | jq -r '"\\(.type) \\(.object.metadata.name)"'
  done

It lists first, then watches from the list's resource version; it resumes
after a disconnect, relists after an expiry and skips updates that did not
change data, binaryData or the selector annotation (--trigger any prints
them). The objects that exist at start are printed only with --on SYNC,…,
as type SYNC. Logs go to stderr.

Exit codes: 0 stopped by SIGINT/SIGTERM or stdout closed, 1 failure, 2 usage
            error, 3 API refused (401/403/404) with --exit-on-error.
`;
