/**
 * kubeconfig files, with kubectl's rules: the public face of the kubeconfig
 * reader. One concept per file behind it:
 *
 * - kubeconfig-types.ts        the model: entries, merged files, a resolved context
 * - kubeconfig-files.ts        which files (--kubeconfig, $KUBECONFIG, ~/.kube/config) and reading them
 * - kubeconfig-parse.ts        YAML → entries, field types checked, relative paths resolved
 * - kubeconfig-merge.ts        kubectl's merge: the first occurrence of a name wins
 * - kubeconfig-resolve.ts      the context, its cluster and its user
 * - kubeconfig-credentials.ts  the user's client certificate and authentication method
 * - kubeconfig-exec.ts         exec credential plugin entries
 *
 * Every error names the file, the context and the field.
 */
export * from './kubeconfig-types.js';
export { displayFiles, displayPath } from './display-path.js';
export { kubeconfigSources, loadKubeconfigs, type KubeconfigSources } from './kubeconfig-files.js';
export { parseKubeconfig } from './kubeconfig-parse.js';
export { isEmptyKubeconfig, mergeKubeconfigs } from './kubeconfig-merge.js';
export { resolveKubeconfig } from './kubeconfig-resolve.js';
