/**
 * Data goes to stdout. A closed stdout (`cmwatch … | head -1`, a reader that
 * went away, a closed descriptor) ends the program quietly with exit 0 rather
 * than an EPIPE stack trace: any error on stdout means nobody reads it.
 *
 * Backpressure: writeStdout returns nothing while stdout keeps up, and a
 * promise once its buffer is full (write() returned false). The promise
 * resolves when stdout drains, closes, or the root signal aborts; the
 * caller (the reflector, through onEvent) waits for it before reading the
 * next watch event, so a slow reader slows the watch down instead of
 * growing cmwatch's memory. Nothing written is ever dropped: the data
 * handed over is queued whatever the caller does with the promise.
 */

/** The part of a writable stream used here (process.stdout, or a fake in tests). */
export interface OutStream {
  write(s: string): boolean;
  once(ev: 'drain' | 'close' | 'error', fn: () => void): unknown;
  off(ev: 'drain' | 'close' | 'error', fn: () => void): unknown;
  readonly writableLength: number;
}

export class StdoutWriter {
  private closedFlag = false;
  private waiting: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(
    private readonly out: OutStream,
    private readonly onClosed: () => void = () => {},
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.wake(), { once: true });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes (or characters) accepted but not yet written out. */
  get pending(): number {
    return this.out.writableLength;
  }

  markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.wake();
    this.onClosed();
  }

  /** Writes s; a promise when the caller should wait before writing more (see the top of the file). */
  write(s: string): void | Promise<void> {
    if (this.closedFlag) return;
    let ok: boolean;
    try {
      ok = this.out.write(s);
    } catch {
      this.markClosed();
      return;
    }
    if (ok || this.closedFlag || this.signal?.aborted) return;
    return this.waitDrain();
  }

  /** One promise shared by every caller until the next 'drain' (or close, or abort). */
  private waitDrain(): Promise<void> {
    if (this.waiting) return this.waiting;
    this.waiting = new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.waiting = undefined;
        this.release = undefined;
        resolve();
      };
      this.release = done;
      this.out.once('drain', done);
      this.out.once('close', done);
    });
    return this.waiting;
  }

  private wake(): void {
    this.release?.();
  }
}

let writer: StdoutWriter | undefined;

function stdout(): StdoutWriter {
  writer ??= new StdoutWriter(process.stdout);
  return writer;
}

/** Wires stdout once, at start: onClose runs when stdout closes; waits end when signal aborts. */
export function watchStdout(onClose: () => void, signal?: AbortSignal): void {
  writer = new StdoutWriter(process.stdout, onClose, signal);
  process.stdout.on('error', () => writer!.markClosed());
}

export function writeStdout(s: string): void | Promise<void> {
  return stdout().write(s);
}

export function stdoutClosed(): boolean {
  return stdout().closed;
}

/** Bytes written to stdout but not yet taken by its reader. */
export function stdoutPending(): number {
  return stdout().pending;
}
