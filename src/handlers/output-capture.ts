/**
 * A handler's pipes: the event written to its stdin, its stdout and stderr
 * logged line by line with bounded memory (line-splitter.ts), each line
 * prefixed with the handler and key, with a Secret's values masked.
 *
 * Stream errors are not swallowed: an error writing stdin is logged unless
 * it only says the handler closed its stdin without reading it all (EPIPE;
 * a handler need not read the event), and an error reading stdout or stderr
 * is logged.
 */
import type { Readable, Writable } from 'node:stream';
import { oneLine } from '../base/errors.js';
import type { Fields, Logger } from '../base/logger.js';
import { LineSplitter } from './line-splitter.js';

export interface ChildPipes {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
}

export interface OutputCaptureOptions {
  log: Logger;
  /** `[handler key]`, in front of every line. */
  prefix: string;
  fields: Fields;
  /** Bytes of one output line that are logged (default 8 KiB). */
  maxLineBytes?: number;
  /** Bytes of output per stream and run that are logged (default 1 MiB). */
  maxOutputBytes?: number;
  /** Applied to every output line before it is logged: masks a Secret's values (api/secret-mask.ts). */
  mask?: (line: string) => string;
}

/** Errors that only mean the handler closed its end of stdin. */
const STDIN_CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

export class OutputCapture {
  private readonly out: LineSplitter;
  private readonly err: LineSplitter;

  constructor(private readonly pipes: ChildPipes, private readonly o: OutputCaptureOptions) {
    this.out = this.splitter('stdout');
    this.err = this.splitter('stderr');
    this.read(pipes.stdout, this.out, 'stdout');
    this.read(pipes.stderr, this.err, 'stderr');
    pipes.stdin?.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== undefined && STDIN_CLOSED.has(e.code)) return;
      o.log.warn(`${o.prefix} writing the event to its stdin failed: ${oneLine(e)}`, { ...o.fields, stream: 'stdin' });
    });
  }

  /** Writes the event on stdin and closes it. */
  feed(stdin: string): void {
    this.pipes.stdin?.end(stdin);
  }

  /** Stops reading stdout and stderr (a process outside the handler's group holds them open). */
  abandon(): void {
    this.pipes.stdout?.destroy();
    this.pipes.stderr?.destroy();
  }

  /** Logs a last unterminated line of each stream and what the caps left out. */
  end(): void {
    this.out.end();
    this.err.end();
  }

  private splitter(stream: 'stdout' | 'stderr'): LineSplitter {
    // The prefix names handler and key; JSON logs carry them as fields too.
    const fields = this.o.log.format === 'json' ? { ...this.o.fields, stream } : undefined;
    const mask = this.o.mask ?? ((l: string) => l);
    return new LineSplitter({ emit: (l) => this.o.log.info(`${this.o.prefix} ${mask(l)}`, fields), maxLine: this.o.maxLineBytes, maxTotal: this.o.maxOutputBytes });
  }

  private read(pipe: Readable | null, into: LineSplitter, stream: 'stdout' | 'stderr'): void {
    if (!pipe) return;
    pipe.on('data', (c: Buffer) => into.write(c));
    pipe.on('error', (e: Error) => this.o.log.warn(`${this.o.prefix} reading its ${stream} failed: ${oneLine(e)}`, { ...this.o.fields, stream }));
  }
}
