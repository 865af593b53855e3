/**
 * Framing of a watch response: bytes in arbitrary chunks → one parsed JSON
 * value per line, with ndjson. A malformed line is reported and skipped, or
 * (malformed: 'fail') ends the frames after every value before it; a line
 * longer than MAX_LINE_BYTES fails the stream (the API never sends one). A
 * body that errors or closes before its end fails with a StreamError.
 *
 * The parser is only ever given whole lines: the bytes of a line that spans
 * several chunks are held here until its newline arrives, then written in one
 * piece. split2 (under ndjson) appends each chunk to the unfinished line and
 * splits the whole of it again, which is quadratic in the number of chunks a
 * line spans (a 1 MiB ConfigMap arrives in 64 TLS records of 16 KiB); finding
 * the newline in bytes is a memchr, and split2 then scans each byte once.
 * split2 splits with the regular expression /\r?\n/, which on a 64 KiB line
 * costs about as much as JSON.parse; it keeps its matcher as a property, and
 * a string matcher is a memchr too (a CRLF line keeps its \r, which JSON.parse
 * ignores as whitespace; a blank CRLF line stays blank).
 */
import ndjson from 'ndjson';
import type { Readable } from 'node:stream';
import { CmwatchError } from '../base/errors.js';
import { MalformedEventError, StreamError } from './failure.js';

/** A ConfigMap may hold 1 MiB; JSON escaping can double it. Accept 16 MiB. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FrameOptions {
  /** Called for each malformed line with ndjson's message. */
  onMalformed?: (message: string) => void;
  /**
   * skip (default): report and go on. fail: stop at the malformed line and
   * throw a MalformedEventError once the values before it are consumed, so a
   * watch can resume from the last good event rather than lose one.
   */
  malformed?: 'skip' | 'fail';
  /** Called whenever bytes arrive (for stall detection). */
  onBytes?: (n: number) => void;
  maxLineBytes?: number;
}

/** How many parsed values may wait for the consumer before the socket is paused. */
const HIGH_WATER = 64;

export async function* frames(body: Readable, opts: FrameOptions = {}): AsyncGenerator<unknown> {
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  // ndjson passes its options on to split2, which honours maxLength (a backstop: lines are checked here first).
  const parser = ndjson.parse({ strict: true, maxLength: maxLine } as ndjson.ParseOptions);
  const split2 = parser as unknown as { matcher: RegExp | string; mapper: (this: unknown, row: string) => unknown };
  const parseRow = split2.mapper;
  split2.matcher = '\n';
  split2.mapper = function (row: string) {
    return parseRow.call(this, row === '\r' ? '' : row);
  };
  /** The start of a line whose newline has not arrived yet. */
  let partial: Buffer[] = [];
  let partialBytes = 0;
  const ready: unknown[] = [];
  let done = false;
  /** Set at the first failure: later values are dropped to keep order. */
  let stopped = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const fail = (err: unknown) => {
    failure ??= err;
    stopped = true;
    done = true;
    notify();
  };

  parser.on('data', (value: unknown) => {
    if (stopped) return;
    ready.push(value);
    if (ready.length >= HIGH_WATER) body.pause();
    notify();
  });
  parser.on('error', (err: Error) => {
    if (stopped) return;
    if (err.message.startsWith('Could not parse row')) {
      opts.onMalformed?.(err.message);
      if (opts.malformed === 'fail') fail(new MalformedEventError(err.message));
      return;
    }
    fail(new CmwatchError('E_FRAME', `watch stream: ${err.message === 'maximum buffer reached' ? `a line exceeds ${maxLine} bytes` : err.message}`, { cause: err }));
  });
  parser.on('end', () => {
    done = true;
    notify();
  });
  parser.on('drain', () => {
    if (ready.length < HIGH_WATER) body.resume();
  });
  /** Writes every whole line of the chunk to the parser and keeps the unfinished rest. */
  const feed = (chunk: Buffer): boolean => {
    const nl = chunk.lastIndexOf(10);
    let whole: Buffer | undefined;
    if (nl >= 0) {
      const head = nl + 1 === chunk.length ? chunk : chunk.subarray(0, nl + 1);
      if (partialBytes > 0) {
        partial.push(head);
        whole = Buffer.concat(partial, partialBytes + head.length);
        partial = [];
        partialBytes = 0;
      } else {
        whole = head;
      }
      chunk = chunk.subarray(nl + 1);
    }
    const more = whole === undefined || parser.write(whole);
    if (chunk.length > 0 && !stopped) {
      partial.push(chunk);
      partialBytes += chunk.length;
      if (partialBytes > maxLine) fail(new CmwatchError('E_FRAME', `watch stream: a line exceeds ${maxLine} bytes`));
    }
    return more;
  };
  body.on('data', (chunk: Buffer) => {
    opts.onBytes?.(chunk.length);
    if (stopped) return;
    if (!feed(chunk)) body.pause();
  });
  body.on('end', () => {
    if (stopped) return;
    // A last line without a newline: split2 parses it at the end.
    if (partialBytes > 0) parser.write(Buffer.concat(partial, partialBytes));
    partial = [];
    parser.end();
  });
  body.on('error', (err) => fail(new StreamError(`watch stream broke: ${err.message}`, err)));
  body.on('close', () => {
    // A body destroyed without 'end' did not finish: that is not a clean end.
    if (!body.readableEnded) fail(new StreamError('watch stream closed before its end'));
  });

  try {
    for (;;) {
      while (ready.length > 0) {
        const v = ready.shift();
        if (ready.length < HIGH_WATER && body.isPaused()) body.resume();
        yield v;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!body.destroyed) body.destroy();
    parser.destroy();
  }
}
