/**
 * Data goes to stdout. A closed stdout (`cmwatch … | head -1`, a reader that
 * went away, a closed descriptor) ends the program quietly with exit 0 rather
 * than an EPIPE stack trace: any error on stdout means nobody reads it.
 */
let closed = false;
let onClosed: (() => void) | undefined;

function markClosed(): void {
  if (closed) return;
  closed = true;
  onClosed?.();
}

export function watchStdout(onClose: () => void): void {
  onClosed = onClose;
  process.stdout.on('error', () => markClosed());
}

export function writeStdout(s: string): void {
  if (closed) return;
  try {
    process.stdout.write(s);
  } catch {
    markClosed();
  }
}

export function stdoutClosed(): boolean {
  return closed;
}
