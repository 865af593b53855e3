/**
 * Splits a child's output into lines for the log, with bounded memory: at
 * most maxLine bytes of a line are kept (the rest is counted and the line is
 * marked as truncated), and after maxTotal bytes have been logged the rest
 * of the output is counted but not logged. Works on bytes, so a multi-byte
 * character split across chunks is decoded whole. The lines come from
 * base/line-framer.ts.
 */
import { LineFramer, type LineHandler } from '../base/line-framer.js';

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
  /** Lines, at most maxLine bytes of each kept (overflow "truncate"). */
  private readonly framer: LineFramer;
  private logged = 0;
  private discardedBytes = 0;
  private discardedLines = 0;
  /** The discarded output ends in an unterminated line. */
  private pendingDiscard = false;
  private readonly maxTotal: number;
  private readonly onLine: LineHandler = (line, bytes, cut) => this.line(line, bytes, cut);

  constructor(private readonly o: LineSinkOptions) {
    this.framer = new LineFramer({ maxLineBytes: o.maxLine ?? DEFAULT_MAX_LINE, overflow: 'truncate' });
    this.maxTotal = o.maxTotal ?? DEFAULT_MAX_TOTAL;
  }

  /** Bytes not logged because of the total cap. */
  get discarded(): number {
    return this.discardedBytes;
  }

  write(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.logged >= this.maxTotal && !this.framer.pending) {
      // Over the total cap: only count (fast, whatever the flood).
      this.discard(b);
      return;
    }
    this.framer.push(b, this.onLine);
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

  /** Flushes a last unterminated line and reports what the total cap discarded. */
  end(): void {
    this.framer.end(this.onLine);
    if (this.pendingDiscard) {
      this.discardedLines++;
      this.pendingDiscard = false;
    }
    if (this.discardedBytes > 0) {
      this.o.emit(`[output truncated: ${this.discardedLines} more line(s), ${this.discardedBytes} bytes not logged]`);
    }
  }

  /** One line from the framer: logged (cut lines say so), or counted past the total cap. */
  private line(buf: Buffer, bytes: number, cut: number): void {
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
