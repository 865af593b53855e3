/** Paths in messages: the home directory shown as ~, as kubectl users expect. */
import { homedir } from 'node:os';

/** A path for messages: the home directory shown as ~. */
export function displayPath(p: string, home: string = homedir()): string {
  if (home && home !== '/' && (p === home || p.startsWith(home + '/'))) return '~' + p.slice(home.length);
  return p;
}

/** Several paths for messages, comma-separated; `(no file)` for none. */
export function displayFiles(files: readonly string[], home?: string): string {
  return files.length ? files.map((f) => displayPath(f, home)).join(', ') : '(no file)';
}
