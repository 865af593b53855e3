/**
 * Splits a child's output into lines for the log, with bounded memory: a
 * line longer than maxLine is cut and marked, and after maxTotal bytes the
 * rest of the output is counted but not logged.
 */
export interface LineSinkOptions {
  maxLine?: number;
  maxTotal?: number;
  emit: (line: string) => void;
}

export class LineSplitter {
  private buf = '';
  private dropping = 0;
  private total = 0;
  private discarded = 0;
  private readonly maxLine: number;
  private readonly maxTotal: number;

  constructor(private readonly o: LineSinkOptions) {
    this.maxLine = o.maxLine ?? 8192;
    this.maxTotal = o.maxTotal ?? 1024 * 1024;
  }

  write(chunk: Buffer | string): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      const piece = nl === -1 ? s.slice(start) : s.slice(start, nl);
      if (this.dropping > 0) this.dropping += piece.length;
      else if (this.buf.length + piece.length > this.maxLine) {
        const keep = this.maxLine - this.buf.length;
        this.buf += piece.slice(0, keep);
        this.dropping = piece.length - keep;
      } else this.buf += piece;
      if (nl === -1) break;
      this.flushLine();
      start = nl + 1;
    }
  }

  end(): void {
    if (this.buf.length > 0 || this.dropping > 0) this.flushLine();
    if (this.discarded > 0) this.o.emit(`[output truncated: ${this.discarded} more bytes not logged]`);
  }

  private flushLine(): void {
    let line = this.buf.replace(/\r$/, '');
    if (this.dropping > 0) line += ` …[line truncated: ${this.dropping} more bytes]`;
    this.buf = '';
    this.dropping = 0;
    if (this.total >= this.maxTotal) {
      this.discarded += line.length + 1;
      return;
    }
    this.total += line.length + 1;
    this.o.emit(line);
  }
}
