/**
 * `cmwatch finalizers remove NAME [RESOURCE]`: its options and their
 * validation (exit 2 on bad input, before anything is sent).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import { FINALIZER_NAME_RULE, finalizerNameError } from '../api/finalizer-name.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../kube/request-timeout.js';
import type { LogFormat, LogLevel } from '../ops/log.js';
import type { ConnectionFlags } from './connection-flags.js';
import { addConnectionOptions, buildConnectionFlags, type RawConnectionFlags } from './connection-options.js';
import { durationFlag } from './handler-options.js';
import { parseResourceArgs, resolveNamespaces } from './options.js';

export interface FinalizersRemoveConfig {
  finalizer: string;
  /** As written; undefined: configmaps. */
  resource: string | undefined;
  connection: ConnectionFlags;
  /** -n; undefined: all namespaces (the default here). */
  namespaces: string[] | undefined;
  dryRun: boolean;
  requestTimeoutMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface RawFinalizersRemoveFlags extends RawConnectionFlags {
  namespace?: string[];
  allNamespaces?: boolean;
  dryRun?: boolean;
  requestTimeout?: string;
  logLevel: string;
  logFormat: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export const FINALIZERS_REMOVE_HELP = `
Removes finalizer NAME from every object of RESOURCE (default configmaps) in
all namespaces, or in those given with -n: the escape hatch after the
operator that added it (cmwatch --finalizer) is gone. Each object gets a JSON
patch that tests its finalizer list first and removes only NAME; other
finalizers are never touched. Each object released is printed on stdout as
NAMESPACE/NAME (NAME for a cluster-scoped resource).

Exit codes: 0 done (also when no object had it), 1 a removal failed (the
            others were still tried), 2 usage error, 3 the API refused the
            list (401/403/404).
`;

export function addFinalizersRemoveOptions(cmd: Command): Command {
  return addConnectionOptions(cmd)
    .argument('<name>', 'the finalizer, e.g. example.com/cleanup')
    .argument('[resource]', 'whose objects, named as kubectl names it (default configmaps)')
    .option('-n, --namespace <ns>', 'only in this namespace (repeatable; default: all namespaces)', collect)
    .option('-A, --all-namespaces', 'in all namespaces (the default)')
    .option('--dry-run', 'send each patch with dryRun=All: checked by the server, nothing changes')
    .option('--request-timeout <duration>', 'deadline of each API request; 0: none', formatDuration(DEFAULT_REQUEST_TIMEOUT_MS))
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'));
}

export function buildFinalizersRemoveConfig(name: string, resource: string | undefined, f: RawFinalizersRemoveFlags, env: NodeJS.ProcessEnv = process.env): FinalizersRemoveConfig {
  const why = finalizerNameError(name);
  if (why !== undefined) throw new UsageError(`finalizers remove: invalid finalizer name ${JSON.stringify(name)}: ${why}`, FINALIZER_NAME_RULE);
  if (resource !== undefined) {
    const names = parseResourceArgs([resource]);
    if (names.length !== 1) throw new UsageError(`finalizers remove: one RESOURCE, got ${JSON.stringify(resource)}`, 'run it once per resource');
  }
  const namespaces = f.namespace?.length || f.allNamespaces ? resolveNamespaces(f, env) : undefined;
  return {
    finalizer: name,
    resource,
    connection: buildConnectionFlags(f, env),
    namespaces,
    dryRun: !!f.dryRun,
    requestTimeoutMs: durationFlag(f.requestTimeout ?? formatDuration(DEFAULT_REQUEST_TIMEOUT_MS), '--request-timeout'),
    logLevel: f.logLevel as LogLevel,
    logFormat: f.logFormat as LogFormat,
  };
}
