/**
 * KUBECONFIG that names only files that do not exist. kubectl skips missing
 * files when it merges, and so does cmwatch; but when every file named is
 * missing and nothing else applies (no --server, not in a pod), falling back
 * to the kubectl proxy on localhost:8001 would retry for ever against a proxy
 * nobody started. That is a configuration mistake: say so, with the paths.
 */
import { statSync } from 'node:fs';
import type { ConnectionSettings, ResolveContext } from './connection-settings.js';
import { displayFiles } from './display-path.js';
import { KubeconfigError } from './errors.js';
import { kubeconfigSources } from './kubeconfig-files.js';

/** The files KUBECONFIG names when none of them exists; undefined otherwise (or when KUBECONFIG does not apply). */
export function missingKubeconfigFiles(s: ConnectionSettings, o: Pick<ResolveContext, 'env' | 'home' | 'cwd'>): string[] | undefined {
  const src = kubeconfigSources(s.kubeconfig, o.env, o.home, o.cwd);
  if (src.origin !== 'KUBECONFIG') return undefined;
  const exists = (p: string) => {
    try {
      statSync(p);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  };
  return src.paths.some(exists) ? undefined : src.paths;
}

/** The one-line error for it (E_KUBECONFIG: exit 2, nothing was started). */
export function missingKubeconfigError(files: readonly string[], home: string): KubeconfigError {
  const one = files.length === 1;
  return new KubeconfigError(
    `KUBECONFIG names ${one ? 'a file that does not exist' : `${files.length} files, none of which exists`}: ${displayFiles(files, home)}; nothing else to connect to (not in a pod, no server given)`,
    'fix or unset KUBECONFIG (unset, ~/.kube/config is used)',
    undefined,
    'kubeconfig-missing',
  );
}
