/**
 * The operator flags of `watch`: --snapshot RESOURCE and --finalizer
 * [RESOURCE=]NAME, checked before anything starts (exit 2 with one line and
 * a hint). Which resource a --finalizer without RESOURCE means, and whether
 * its RESOURCE is watched, is known only after discovery (cli/operator.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { FINALIZER_NAME_RULE, finalizerNameError } from '../api/finalizer-name.js';
import type { EventType } from '../api/types.js';
import { parseResourceArgs } from './options.js';

export interface FinalizerFlag {
  /** The RESOURCE part as written; undefined: the one watched resource. */
  resource: string | undefined;
  name: string;
  /** The flag's value as given, for messages. */
  text: string;
}

export interface OperatorConfig {
  /** --snapshot RESOURCEs as written (comma lists split). */
  snapshots: string[];
  finalizers: FinalizerFlag[];
}

export interface RawOperatorFlags {
  snapshot?: string[];
  finalizer?: string[];
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addOperatorOptions(cmd: Command): Command {
  return cmd
    .option('--snapshot <resource>', 'keep a cache of this resource (in the watched namespaces) and give each handler run CMWATCH_SNAPSHOT_DIR with <resource>.json, a List of its objects (repeatable)', collect)
    .option('--finalizer <[resource=]name>', 'add finalizer NAME to every watched object of RESOURCE (optional when one resource is watched); on deletion, FINALIZE runs the handlers, then the finalizer is removed (repeatable, one per resource)', collect);
}

/** One --finalizer value: `NAME` or `RESOURCE=NAME`. */
export function parseFinalizerFlag(text: string): FinalizerFlag {
  const eq = text.indexOf('=');
  const resource = eq >= 0 ? text.slice(0, eq) : undefined;
  const name = eq >= 0 ? text.slice(eq + 1) : text;
  if (resource !== undefined) parseResourceArgs([resource], '--finalizer');
  if (resource !== undefined && resource.includes(',')) {
    throw new UsageError(`--finalizer: one resource per flag, got ${JSON.stringify(resource)}`, 'give --finalizer once per resource, e.g. --finalizer cw=example.com/cleanup');
  }
  const why = finalizerNameError(name);
  if (why !== undefined) throw new UsageError(`--finalizer: invalid finalizer name ${JSON.stringify(name)}: ${why}`, FINALIZER_NAME_RULE);
  return { resource, name, text };
}

export function buildOperatorConfig(f: RawOperatorFlags): OperatorConfig {
  return {
    snapshots: parseResourceArgs(f.snapshot ?? [], '--snapshot'),
    finalizers: (f.finalizer ?? []).map(parseFinalizerFlag),
  };
}

/**
 * --on with finalizers: FINALIZE is in it unless --on was given (then the
 * user's list stands: a FINALIZE with no handler on it releases at once).
 * FINALIZE without --finalizer never happens: a usage error.
 */
export function onWithFinalizers(on: Set<EventType>, onGiven: boolean, finalizers: readonly FinalizerFlag[]): Set<EventType> {
  if (finalizers.length === 0) {
    if (on.has('FINALIZE')) throw new UsageError('--on FINALIZE: FINALIZE happens only with --finalizer', 'add --finalizer [RESOURCE=]NAME, or drop FINALIZE from --on');
    return on;
  }
  return onGiven ? on : new Set([...on, 'FINALIZE']);
}
