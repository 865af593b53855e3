/**
 * `-o custom-columns=SPEC`, kubectl's syntax: `HEADER:PATH` pairs separated
 * by commas, e.g. `NAME:.metadata.name,NS:.metadata.namespace`; a path may
 * omit its leading dot or be wrapped in `{}`. The header line is printed once,
 * before the first row; then one row per event, for the event's object. A
 * path that finds nothing prints `<none>`, several results are joined by
 * commas (kubectl's way).
 *
 * Events stream, so the column widths cannot be known in advance as kubectl
 * knows them for a list: each column is as wide as the widest cell so far
 * (header included) plus three blanks, growing when a wider value arrives.
 */
import { UsageError } from '../base/errors.js';
import { parsePath, type TemplatePath } from './kube-template.js';

export interface Column {
  header: string;
  path: TemplatePath;
}

const HINT = 'give HEADER:PATH pairs separated by commas, e.g. -o custom-columns=NAME:.metadata.name,NS:.metadata.namespace';

/** Parses SPEC; every bad column is a usage error naming it. */
export function parseColumns(spec: string): Column[] {
  if (spec.trim() === '') throw new UsageError('-o custom-columns: the column list is empty', HINT);
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    const header = colon < 0 ? '' : part.slice(0, colon).trim();
    let expr = colon < 0 ? '' : part.slice(colon + 1).trim();
    if (header === '' || expr === '') throw new UsageError(`-o custom-columns: "${part}" is not HEADER:PATH`, HINT);
    if (expr.startsWith('{') && expr.endsWith('}')) expr = expr.slice(1, -1).trim();
    if (!/^[.$@[]/.test(expr)) expr = `.${expr}`;
    return { header, path: parsePath(expr, `-o custom-columns ${header}`, spec) };
  });
}

/** Lines for a stream of objects: the header before the first row. */
export class ColumnPrinter {
  private readonly widths: number[];
  private headerDone = false;

  constructor(
    private readonly columns: Column[],
    private readonly cellsOf: (obj: unknown) => string[],
  ) {
    this.widths = columns.map((c) => c.header.length);
  }

  /** The text for one object: its row, and the header line first when it is the first. */
  lines(obj: unknown): string {
    const cells = this.cellsOf(obj);
    cells.forEach((c, i) => (this.widths[i] = Math.max(this.widths[i]!, c.length)));
    let out = '';
    if (!this.headerDone) {
      out += this.row(this.columns.map((c) => c.header));
      this.headerDone = true;
    }
    return out + this.row(cells);
  }

  private row(cells: string[]): string {
    const last = cells.length - 1;
    return cells.map((c, i) => (i === last ? c : c.padEnd(this.widths[i]! + 3))).join('') + '\n';
  }
}

/** A cell's text from a path's results. */
export function cellText(results: unknown[], text: (v: unknown) => string): string {
  const shown = results.filter((v) => v !== null && v !== undefined);
  return shown.length === 0 ? '<none>' : shown.map(text).join(',');
}
