/**
 * The annotations of rollout-restart:
 * - on a ConfigMap or Secret, `cmwatch.io/restart: deployment/web,statefulset/db`
 *   names the workloads to restart when it changes (kubectl's TYPE/NAME);
 * - on a workload, `cmwatch.io/auto: "true"` opts it in for --auto;
 * - on a workload's pod template, one annotation per source, holding the
 *   source's content hash: `cmwatch.io/configmap.<name>`, `cmwatch.io/secret.<name>`.
 *
 * The name part of an annotation key (after `cmwatch.io/`) may have at most
 * 63 characters. A key that would be longer is cut to 52 characters (and
 * any trailing `-` or `.`), followed by `-` and the first 10 hex digits of
 * the SHA-256 of the whole `<kind>.<name>`: the same source always gets the
 * same key, and two long names that share a beginning get different ones.
 */
import { createHash } from 'node:crypto';

export const RESTART_ANNOTATION = 'cmwatch.io/restart';
export const AUTO_ANNOTATION = 'cmwatch.io/auto';
export const ANNOTATION_PREFIX = 'cmwatch.io/';
/** The longest name part of a qualified annotation key. */
export const MAX_NAME_PART = 63;
const DIGEST_CHARS = 10;

/** `configmap` for ConfigMaps, `secret` for Secrets, the kind in lower case for anything else. */
export function sourceKindWord(kind: string | undefined, resource: string | undefined): string {
  if (resource === 'configmaps' || kind === 'ConfigMap') return 'configmap';
  if (resource === 'secrets' || kind === 'Secret') return 'secret';
  return (kind ?? resource ?? 'object').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The pod-template annotation that holds one source's hash, e.g. `cmwatch.io/configmap.webapp-config`. */
export function sourceAnnotationKey(kindWord: string, name: string): string {
  const full = `${kindWord}.${name}`;
  if (full.length <= MAX_NAME_PART) return ANNOTATION_PREFIX + full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, DIGEST_CHARS);
  const head = full.slice(0, MAX_NAME_PART - DIGEST_CHARS - 1).replace(/[^A-Za-z0-9]+$/, '');
  return `${ANNOTATION_PREFIX}${head}-${digest}`;
}

/** True for a pod-template annotation that cmwatch writes (one per source). */
export function isSourceAnnotation(key: string): boolean {
  return key.startsWith(ANNOTATION_PREFIX) && key !== RESTART_ANNOTATION && key !== AUTO_ANNOTATION;
}

export interface NamedTarget {
  /** TYPE as written (`deployment`, `deploy`, `rollouts.argoproj.io`). */
  type: string;
  name: string;
}

/** The entries of a `cmwatch.io/restart` value, and the ones that are not TYPE/NAME. */
export function parseRestartTargets(value: string): { targets: NamedTarget[]; invalid: string[] } {
  const targets: NamedTarget[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([A-Za-z0-9][-A-Za-z0-9.]*)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(entry);
    if (!m) {
      invalid.push(entry);
      continue;
    }
    if (seen.has(entry)) continue;
    seen.add(entry);
    targets.push({ type: m[1]!, name: m[2]! });
  }
  return { targets, invalid };
}
