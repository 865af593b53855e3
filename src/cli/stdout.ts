/**
 * Data goes to stdout. A closed stdout (`cmwatch … | head -1`) ends the
 * program quietly with exit 0 rather than an EPIPE stack trace.
 */
let closed = false;
let onClosed: (() => void) | undefined;

export function watchStdout(onClose: () => void): void {
  onClosed = onClose;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      onClosed?.();
      return;
    }
    throw err;
  });
}

export function writeStdout(s: string): void {
  if (closed) return;
  process.stdout.write(s);
}

export function stdoutClosed(): boolean {
  return closed;
}
