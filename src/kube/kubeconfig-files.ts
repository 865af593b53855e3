/**
 * Which kubeconfig files, and reading them (the only I/O of the kubeconfig
 * reader), with kubectl's rules: --kubeconfig, else $KUBECONFIG (a list
 * joined by ':'; files that do not exist are skipped), else ~/.kube/config.
 */
import { readFile } from 'node:fs/promises';
import { delimiter, resolve as resolvePath } from 'node:path';
import { displayPath } from './display-path.js';
import { KubeconfigError } from './errors.js';
import { parseKubeconfig } from './kubeconfig-parse.js';
import type { KubeconfigDoc } from './kubeconfig-types.js';

export interface KubeconfigSources {
  paths: string[];
  /**
   * Where the list came from, for messages. An explicitly named file is
   * labelled '--kubeconfig', the one flag name left below cli/: the label is
   * the value unit tests pin (test/unit/kube/kubeconfig.test.ts).
   */
  origin: '--kubeconfig' | 'KUBECONFIG' | 'default';
  /** An explicitly named file: it must exist. */
  explicit: boolean;
}

/** The named file, else $KUBECONFIG (split on ':', empty parts dropped, duplicates removed), else ~/.kube/config. */
export function kubeconfigSources(file: string | undefined, env: NodeJS.ProcessEnv, home: string, cwd = process.cwd()): KubeconfigSources {
  if (file !== undefined && file !== '') return { paths: [resolvePath(cwd, file)], origin: '--kubeconfig', explicit: true };
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const paths = [...new Set(list.split(delimiter).filter((p) => p !== '').map((p) => resolvePath(cwd, p)))];
    if (paths.length) return { paths, origin: 'KUBECONFIG', explicit: false };
  }
  return { paths: [resolvePath(home, '.kube', 'config')], origin: 'default', explicit: false };
}

function readFailure(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': return 'permission denied';
    default: return (cause as Error).message;
  }
}

/**
 * Reads and parses the files in order. A file that does not exist is skipped
 * (kubectl's rule for $KUBECONFIG), except an explicitly named one.
 */
export async function loadKubeconfigs(src: KubeconfigSources, home?: string): Promise<KubeconfigDoc[]> {
  const docs: KubeconfigDoc[] = [];
  for (const file of src.paths) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !src.explicit) continue;
      throw new KubeconfigError(`kubeconfig ${displayPath(file, home)} (from ${src.origin}): cannot read: ${readFailure(code, cause)}`, 'check the path given or in KUBECONFIG', cause, 'unreadable');
    }
    docs.push(await parseKubeconfig(text, file, home));
  }
  return docs;
}
