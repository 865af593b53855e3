/**
 * The in-cluster layout: KUBERNETES_SERVICE_HOST and _PORT, and the service
 * account's token, CA and namespace files (directory overridable with
 * CMWATCH_SA_DIR, a test hook).
 *
 * One rule for every file of the layout: a file that does not exist (ENOENT)
 * means "not there" (not in a pod, or a pod without a service-account
 * mount); any other failure (permission denied, a directory, an I/O error)
 * is a ConnectionConfigError naming the file, raised at start-up, since a
 * pod whose mount cmwatch cannot read is misconfigured, not "not a pod".
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDns1123Label } from '../api/names.js';
import { displayPath } from './display-path.js';
import { ConnectionConfigError } from './errors.js';

export const DEFAULT_SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The service-account directory: CMWATCH_SA_DIR (a test hook), else the standard mount. */
export function saDir(env: NodeJS.ProcessEnv): string {
  return env.CMWATCH_SA_DIR || DEFAULT_SA_DIR;
}

function unreadable(what: string, file: string, cause: unknown, home?: string): ConnectionConfigError {
  const code = (cause as NodeJS.ErrnoException).code;
  const shown = displayPath(file, home);
  if (code === 'EACCES' || code === 'EPERM') {
    return new ConnectionConfigError(`${what} ${shown}: permission denied`, `let cmwatch's user read ${shown} (in a pod: the service-account volume's defaultMode and the pod's fsGroup/runAsUser)`, cause);
  }
  return new ConnectionConfigError(`${what} ${shown}: cannot read (${code ?? (cause as Error).message})`, 'it must be a readable file, as the kubelet mounts it', cause);
}

/** Whether a file of the layout is there: ENOENT is false; any other failure is an error. */
export function inClusterFileExists(file: string, what: string, home?: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw unreadable(what, file, cause, home);
  }
}

/**
 * The pod's namespace, from the service account's namespace file: undefined
 * when the file does not exist or is empty; a ConnectionConfigError when it
 * cannot be read or does not hold a valid namespace. Read once, by
 * resolve.ts, for the default namespace and the Lease's.
 */
export function readInClusterNamespace(env: NodeJS.ProcessEnv, home?: string): string | undefined {
  const file = join(saDir(env), 'namespace');
  let ns: string;
  try {
    ns = readFileSync(file, 'utf8').trim();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable('the in-cluster namespace file', file, cause, home);
  }
  if (!ns) return undefined;
  if (!isDns1123Label(ns)) {
    throw new ConnectionConfigError(`the in-cluster namespace file ${displayPath(file, home)} holds "${ns.slice(0, 80)}", not a valid namespace`, 'name the namespace to watch', undefined, 'pod-namespace-invalid');
  }
  return ns;
}

/** The `sub` claim of a JWT, unverified, for the start-up line only. */
export function tokenSubject(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}
