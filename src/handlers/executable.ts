/**
 * Is a path an executable file, and where does a command name resolve on
 * PATH? Used to reject a missing or non-executable handler at start-up
 * (exit 2) rather than at the first event, and to scan --exec-dir.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * - missing: no such file (ENOENT, or a path component is not a folder);
 * - permission-denied: it, or a folder above it, cannot be looked at (EACCES, EPERM);
 * - unreadable: any other failure to look at it (a symlink loop, an I/O error).
 */
export type ExecCheck = 'ok' | 'missing' | 'permission-denied' | 'unreadable' | 'not-a-file' | 'not-executable';

/** What a failed stat() says about a path. */
export function statFailure(err: unknown): 'missing' | 'permission-denied' | 'unreadable' {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'permission-denied';
  return 'unreadable';
}

/** Checks one path, following symlinks (a ConfigMap volume's files are symlinks). */
export function checkExecutable(path: string): ExecCheck {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    return statFailure(err);
  }
  if (!st.isFile()) return 'not-a-file';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return 'not-executable';
  }
  return 'ok';
}

/**
 * Resolves a command the way spawn() will: a name with a "/" is a path
 * (relative to the working directory), anything else is looked up on PATH.
 * Returns the check of the path found, or of the first candidate that
 * exists but cannot be run (as execvp reports EACCES), else 'missing'.
 */
export function resolveCommand(cmd: string, env: NodeJS.ProcessEnv = process.env): { path: string; check: ExecCheck } {
  if (cmd.includes('/')) return { path: cmd, check: checkExecutable(cmd) };
  let first: { path: string; check: ExecCheck } | undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, cmd);
    const check = checkExecutable(path);
    if (check === 'ok') return { path, check };
    if (check !== 'missing') first ??= { path, check };
  }
  return first ?? { path: cmd, check: 'missing' };
}
