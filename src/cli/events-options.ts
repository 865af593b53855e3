/**
 * `cmwatch events`: its options (the shared watch options plus --on) and
 * their validation. Every bad value is a UsageError (exit 2) raised before
 * anything starts.
 */
import type { Command } from 'commander';
import { OUTPUT_HELP, parseOutputFormat, type OutputFormat } from './output-format.js';
// From contract.js, not delete-pods.js: that one pulls in the HTTP client, which --version and --help do not need.
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../api/selector-annotation.js';
import type { EventType } from '../api/types.js';
import { addWatchOptions, buildWatchSourceConfig, parseOn, type RawWatchSourceFlags, type WatchSourceConfig } from './options.js';

export interface EventsConfig extends WatchSourceConfig {
  /** The event types printed; SYNC marks the objects that exist at start. */
  on: Set<EventType>;
  /** Annotations that count as content for --trigger content. */
  selectorAnnotations: string[];
  /** -o: json (the default), text, jsonpath=… or custom-columns=…. */
  output: OutputFormat;
}

export interface RawEventsFlags extends RawWatchSourceFlags {
  on: string;
  output?: string;
}

export const EVENTS_ON_DEFAULT = 'ADDED,MODIFIED,DELETED';

export function addEventsOptions(cmd: Command): Command {
  return addWatchOptions(cmd)
    .option('--on <types>', 'event types to print: comma list of SYNC, ADDED, MODIFIED, DELETED (SYNC: the objects that exist at start)', EVENTS_ON_DEFAULT)
    .option('-o, --output <format>', `how each event is printed on stdout: ${OUTPUT_HELP}`, 'json');
}

export function buildEventsConfig(f: RawEventsFlags, env: NodeJS.ProcessEnv = process.env, resources: readonly string[] = []): EventsConfig {
  return {
    ...buildWatchSourceConfig(f, env, resources),
    on: parseOn(f.on),
    selectorAnnotations: [...DEFAULT_SELECTOR_ANNOTATIONS],
    output: parseOutputFormat(f.output ?? 'json'),
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
as type SYNC. Logs go to stderr. -o jsonpath='{.metadata.name}{"\\n"}' and
-o custom-columns=NAME:.metadata.name,NS:.metadata.namespace print kubectl's
way, applied to each event's object; -o text one human line per event.

Exit codes: 0 stopped by SIGINT/SIGTERM or stdout closed, 1 failure, 2 usage
            error, 3 API refused (401/403/404) with --exit-on-error.
`;
