/**
 * The printer of -o FORMAT (output-format.ts): the text to write on stdout
 * for one event, or nothing. Templates are compiled here, asynchronously,
 * because their JSONPath library is loaded only when one is used; a path the
 * library rejects is a usage error, raised before cmwatch connects.
 */
import { objectSummary } from '../api/object-summary.js';
import type { EventType, K8sObject } from '../api/types.js';
import type { OutputFormat } from './output-format.js';
import { cellText, ColumnPrinter } from './custom-columns.js';

export interface PrintedEvent {
  type: EventType;
  object: K8sObject;
}

export type EventPrinter = (ev: PrintedEvent) => string | undefined;

export async function makeEventPrinter(format: OutputFormat): Promise<EventPrinter> {
  switch (format.kind) {
    case 'none':
      return () => undefined;
    case 'json':
      return (ev) => JSON.stringify({ type: ev.type, object: ev.object }) + '\n';
    case 'text':
      // The same summary as the log lines: never a value of a Secret.
      return (ev) => `${ev.type} ${objectSummary(ev.object)}\n`;
    case 'jsonpath': {
      const { compileTemplate } = await import('./kube-template-eval.js');
      const render = await compileTemplate(format.nodes, '-o jsonpath', format.template);
      return (ev) => render(ev.object);
    }
    case 'custom-columns': {
      const { compileTemplate, evaluate, valueText } = await import('./kube-template-eval.js');
      // Compiling the columns as one template checks every path with the library.
      await compileTemplate([{ kind: 'paths', paths: format.columns.map((c) => c.path) }], '-o custom-columns', format.spec);
      const { query } = (await import('jsonpath-rfc9535')) as unknown as { query: (input: unknown, expression: string) => unknown[] };
      const printer = new ColumnPrinter(format.columns, (obj) => format.columns.map((c) => cellText(evaluate(c.path, obj, obj, query), valueText)));
      return (ev) => printer.lines(ev.object);
    }
  }
}
