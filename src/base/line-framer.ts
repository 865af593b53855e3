/**
 * Line framing: bytes in arbitrary chunks → lines. Used by the watch stream
 * (watch/ndjson.ts), replay recordings (replay/recording.ts) and handler
 * output (handlers/line-splitter.ts).
 *
 * - A line ends at LF; a CR just before the LF (CRLF) is not part of it. The
 *   last line of the input needs no LF (end()).
 * - At most maxLineBytes of a line are kept. Past that, overflow "fail"
 *   throws a LineTooLongError at once (before the line's end arrives), and
 *   "truncate" keeps the first maxLineBytes and counts the rest.
 * - Linear time: the bytes of a line that spans many chunks are held piece by
 *   piece and joined once at its end; finding an LF is a memchr.
 * - Backpressure stays with the caller: push() hands every whole line of a
 *   chunk to a callback synchronously and keeps only the unfinished rest, so
 *   a caller that stops reading its input stops the lines.
 * A line that lies within one chunk is handed over as a view of that chunk
 * (no copy); the callback must not keep it beyond the chunk's lifetime.
 * The pieces of an unfinished line are held as copies by default, so that a
 * small piece never retains its whole chunk (a child's output may come in
 * tiny chunks of large buffers); `copy: false` holds views instead, for a
 * hot path whose chunks are what was read (the watch stream).
 */
import { CmwatchError } from './errors.js';

/** A line longer than the framer's maxLineBytes (overflow "fail"). */
export class LineTooLongError extends CmwatchError {
  constructor(readonly maxBytes: number) {
    super('E_LINE_TOO_LONG', `a line exceeds ${maxBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

export interface LineFramerOptions {
  maxLineBytes: number;
  /** "fail" (default): throw a LineTooLongError; "truncate": keep the first maxLineBytes. */
  overflow?: 'fail' | 'truncate';
  /** Hold the pieces of an unfinished line as copies (default true) or as views of their chunks. */
  copy?: boolean;
}

/**
 * One line: its kept bytes (without LF, and without the CR of a CRLF unless
 * that CR was cut off), how many bytes it had in all (CR included, LF not),
 * and how many of those were cut off (overflow "truncate").
 */
export type LineHandler = (line: Buffer, bytes: number, cut: number) => void;

const LF = 0x0a;
const CR = 0x0d;

export class LineFramer {
  private readonly max: number;
  private readonly truncate: boolean;
  private readonly copy: boolean;
  /** Kept bytes of the unfinished line, never more than max in all. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes of the unfinished line past max (truncate). */
  private cut = 0;

  constructor(o: LineFramerOptions) {
    this.max = o.maxLineBytes;
    this.truncate = o.overflow === 'truncate';
    this.copy = o.copy ?? true;
  }

  /** True while the start of a line is held, waiting for its LF. */
  get pending(): boolean {
    return this.heldBytes > 0 || this.cut > 0;
  }

  /** Hands every line the chunk completes to onLine, in order, and holds the rest. */
  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        if (start < chunk.length) this.hold(chunk, start, chunk.length);
        return;
      }
      if (this.pending) {
        this.hold(chunk, start, nl);
        this.flush(onLine);
      } else {
        this.whole(chunk, start, nl, onLine);
      }
      start = nl + 1;
    }
  }

  /** The input ended: hands over a last line that had no LF. */
  end(onLine: LineHandler): void {
    if (this.pending) this.flush(onLine);
  }

  /** A line that lies within the chunk (nothing held). */
  private whole(chunk: Buffer, start: number, end: number, onLine: LineHandler): void {
    const bytes = end - start;
    if (bytes <= this.max) {
      onLine(chunk.subarray(start, bytes > 0 && chunk[end - 1] === CR ? end - 1 : end), bytes, 0);
      return;
    }
    if (!this.truncate) throw new LineTooLongError(this.max);
    onLine(chunk.subarray(start, start + this.max), bytes, bytes - this.max);
  }

  /** Holds part of an unfinished line: what fits under max; the rest is cut or fails. */
  private hold(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    const room = this.max - this.heldBytes;
    if (n <= room) {
      this.held.push(this.piece(chunk, start, end));
      this.heldBytes += n;
      return;
    }
    if (!this.truncate) {
      this.reset();
      throw new LineTooLongError(this.max);
    }
    if (room > 0) {
      this.held.push(this.piece(chunk, start, start + room));
      this.heldBytes += room;
    }
    this.cut += n - Math.max(0, room);
  }

  private piece(chunk: Buffer, start: number, end: number): Buffer {
    const view = chunk.subarray(start, end);
    return this.copy ? Buffer.from(view) : view;
  }

  /** Hands over the held line and forgets it. */
  private flush(onLine: LineHandler): void {
    const { cut } = this;
    const bytes = this.heldBytes + cut;
    let line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    if (cut === 0 && line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.reset();
    onLine(line, bytes, cut);
  }

  private reset(): void {
    this.held = [];
    this.heldBytes = 0;
    this.cut = 0;
  }
}
