/**
 * `-o, --output FORMAT` of `watch`, `events` and `replay`: how each event is
 * printed on stdout. Parsed (and templates checked for their structure)
 * synchronously with the other flags, so a bad value is a usage error
 * before anything starts; event-printer.ts turns it into a printer.
 *
 *   json                  {"type":…,"object":…}, one line per event (NDJSON)
 *   text                  one human line per event: `TYPE Kind ns/name rv=N`
 *   jsonpath=TEMPLATE     kubectl's JSONPath template, applied to the object
 *   custom-columns=SPEC   kubectl's columns, a header line then one row each
 */
import { UsageError } from '../base/errors.js';
import { parseTemplate, type TemplateNode } from './kube-template.js';
import { parseColumns, type Column } from './custom-columns.js';

export type OutputFormat =
  | { kind: 'none' }
  | { kind: 'json' }
  | { kind: 'text' }
  | { kind: 'jsonpath'; template: string; nodes: TemplateNode[] }
  | { kind: 'custom-columns'; spec: string; columns: Column[] };

export const OUTPUT_HELP = 'json (NDJSON {"type","object"}), text (one line per event), jsonpath=TEMPLATE or custom-columns=SPEC (kubectl\'s syntax, applied to the event\'s object)';

const HINT = 'use -o json, -o text, -o jsonpath=TEMPLATE or -o custom-columns=SPEC';

/** Parses -o's value; undefined is `none` (nothing on stdout). */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return { kind: 'none' };
  const eq = value.indexOf('=');
  const name = (eq < 0 ? value : value.slice(0, eq)).toLowerCase();
  const arg = eq < 0 ? undefined : value.slice(eq + 1);
  if ((name === 'json' || name === 'text') && arg === undefined) return { kind: name };
  if (name === 'jsonpath' || name === 'custom-columns') {
    if (arg === undefined || arg === '') {
      throw new UsageError(`--output: ${name} needs a ${name === 'jsonpath' ? 'template' : 'column list'} after "="`, name === 'jsonpath' ? `e.g. -o jsonpath='{.metadata.name}{"\\n"}'` : 'e.g. -o custom-columns=NAME:.metadata.name,NS:.metadata.namespace');
    }
    return name === 'jsonpath' ? { kind: 'jsonpath', template: arg, nodes: parseTemplate(arg) } : { kind: 'custom-columns', spec: arg, columns: parseColumns(arg) };
  }
  throw new UsageError(`--output: unknown format "${value}"`, HINT);
}
