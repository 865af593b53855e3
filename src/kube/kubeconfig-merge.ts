/** Merging kubeconfig files with kubectl's rules. Pure. */
import type { KubeconfigDoc, MergedKubeconfig } from './kubeconfig-types.js';

/** kubectl's merge: the first occurrence of a name wins; current-context from the first file that sets it. */
export function mergeKubeconfigs(docs: readonly KubeconfigDoc[]): MergedKubeconfig {
  const m: MergedKubeconfig = { files: docs.map((d) => d.file), clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const d of docs) {
    for (const c of d.clusters) if (!m.clusters.has(c.name)) m.clusters.set(c.name, c);
    for (const u of d.users) if (!m.users.has(u.name)) m.users.set(u.name, u);
    for (const c of d.contexts) if (!m.contexts.has(c.name)) m.contexts.set(c.name, c);
    if (!m.currentContext && d.currentContext) m.currentContext = { name: d.currentContext, file: d.file };
  }
  return m;
}

/** True when the merged files define nothing usable (e.g. an empty ~/.kube/config). */
export function isEmptyKubeconfig(m: MergedKubeconfig): boolean {
  return m.contexts.size === 0 && m.clusters.size === 0 && m.users.size === 0 && !m.currentContext;
}
