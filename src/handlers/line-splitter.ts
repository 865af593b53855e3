/**
 * Splits a child's output into lines for the log, with bounded memory: at
 * most maxLine bytes of a line are kept (the rest is counted and the line is
 * marked as truncated), and after maxTotal bytes have been logged the rest
 * of the output is counted but not logged. Works on bytes, so a multi-byte
 * character split across chunks is decoded whole.
 */
export interface LineSinkOptions {
  /** Bytes of one line that are logged (default 8 KiB). */
  maxLine?: number;
  /** Bytes logged in total (default 1 MiB). */
  maxTotal?: number;
  emit: (line: string) => void;
}

export const DEFAULT_MAX_LINE = 8 * 1024;
export const DEFAULT_MAX_TOTAL = 1024 * 1024;

export class LineSplitter {
  /** Kept bytes of the current line; never more than maxLine in total. */
  private parts: Buffer[] = [];
  private kept = 0;
  /** Bytes of the current line beyond maxLine. */
  private cut = 0;
  private logged = 0;
  private discardedBytes = 0;
  private discardedLines = 0;
  /** The discarded output ends in an unterminated line. */
  private pendingDiscard = false;
  private readonly maxLine: number;
  private readonly maxTotal: number;

  constructor(private readonly o: LineSinkOptions) {
    this.maxLine = o.maxLine ?? DEFAULT_MAX_LINE;
    this.maxTotal = o.maxTotal ?? DEFAULT_MAX_TOTAL;
  }

  /** Bytes not logged because of the total cap. */
  get discarded(): number {
    return this.discardedBytes;
  }

  write(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.logged >= this.maxTotal && this.kept === 0 && this.cut === 0) {
      // Over the total cap: only count (fast, whatever the flood).
      this.discard(b);
      return;
    }
    let start = 0;
    while (start <= b.length) {
      const nl = b.indexOf(0x0a, start);
      const end = nl === -1 ? b.length : nl;
      this.take(b, start, end);
      if (nl === -1) break;
      this.flushLine();
      start = nl + 1;
    }
  }

  private discard(b: Buffer): void {
    let i = -1;
    let lines = 0;
    while ((i = b.indexOf(0x0a, i + 1)) !== -1) lines++;
    this.discardedBytes += b.length;
    this.discardedLines += lines;
    // The last line may be unterminated: it is counted at end().
    this.pendingDiscard = b[b.length - 1] !== 0x0a;
  }

  private take(b: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const room = this.maxLine - this.kept;
    if (room >= n) {
      // Copy: the chunk's memory must not be retained beyond this call's needs.
      this.parts.push(Buffer.from(b.subarray(start, end)));
      this.kept += n;
      return;
    }
    if (room > 0) {
      this.parts.push(Buffer.from(b.subarray(start, start + room)));
      this.kept += room;
    }
    this.cut += n - Math.max(0, room);
  }

  /** Flushes a last unterminated line and reports what the total cap discarded. */
  end(): void {
    if (this.kept > 0 || this.cut > 0) this.flushLine();
    if (this.pendingDiscard) {
      this.discardedLines++;
      this.pendingDiscard = false;
    }
    if (this.discardedBytes > 0) {
      this.o.emit(`[output truncated: ${this.discardedLines} more line(s), ${this.discardedBytes} bytes not logged]`);
    }
  }

  private flushLine(): void {
    const bytes = this.kept + this.cut;
    const cut = this.cut;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    this.parts = [];
    this.kept = 0;
    this.cut = 0;
    if (this.logged >= this.maxTotal) {
      this.discardedBytes += bytes + 1;
      this.discardedLines++;
      return;
    }
    this.logged += bytes + 1;
    let line = decodeCut(buf, cut > 0).replace(/\r$/, '');
    if (cut > 0) line += ` …[line truncated: ${cut} more bytes]`;
    this.o.emit(line);
  }
}

/** Decodes UTF-8; when the line was cut, drops a partial character at the cut. */
function decodeCut(buf: Buffer, wasCut: boolean): string {
  if (!wasCut || buf.length === 0) return buf.toString('utf8');
  let end = buf.length;
  // Walk back over continuation bytes to the start of the last character.
  let i = end - 1;
  while (i > 0 && i > end - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (end - i < need) end = i;
  return buf.subarray(0, end).toString('utf8');
}
