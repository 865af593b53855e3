/**
 * Which ConfigMaps and Secrets a pod template uses: volumes (configMap,
 * secret, and the sources of projected volumes), and in every container and
 * init container `env[].valueFrom` (configMapKeyRef, secretKeyRef) and
 * `envFrom` (configMapRef, secretRef). Image pull secrets are not counted:
 * a change to one does not change what a running pod sees.
 */
import { isRecord } from '../../base/records.js';

export interface TemplateRefs {
  configMaps: Set<string>;
  secrets: Set<string>;
}

const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const field = (v: unknown, k: string): unknown => (isRecord(v) ? v[k] : undefined);

function add(set: Set<string>, name: unknown): void {
  if (typeof name === 'string' && name !== '') set.add(name);
}

/** The references of a pod spec (`spec.template.spec` of a workload). */
export function podSpecRefs(podSpec: unknown): TemplateRefs {
  const refs: TemplateRefs = { configMaps: new Set(), secrets: new Set() };
  for (const v of list(field(podSpec, 'volumes'))) {
    add(refs.configMaps, field(v.configMap, 'name'));
    add(refs.secrets, field(v.secret, 'secretName'));
    for (const s of list(field(v.projected, 'sources'))) {
      add(refs.configMaps, field(s.configMap, 'name'));
      add(refs.secrets, field(s.secret, 'name'));
    }
  }
  for (const c of [...list(field(podSpec, 'containers')), ...list(field(podSpec, 'initContainers'))]) {
    for (const e of list(c.env)) {
      add(refs.configMaps, field(field(e.valueFrom, 'configMapKeyRef'), 'name'));
      add(refs.secrets, field(field(e.valueFrom, 'secretKeyRef'), 'name'));
    }
    for (const e of list(c.envFrom)) {
      add(refs.configMaps, field(e.configMapRef, 'name'));
      add(refs.secrets, field(e.secretRef, 'name'));
    }
  }
  return refs;
}

/** The pod spec of a workload (`spec.template.spec`), or undefined when it has no pod template. */
export function templateOf(obj: unknown): Record<string, unknown> | undefined {
  const t = field(field(obj, 'spec'), 'template');
  return isRecord(t) ? t : undefined;
}

/** True when the workload's pod template references the source (`configmap` or `secret`, by name). */
export function referencesSource(obj: unknown, kindWord: string, name: string): boolean {
  const t = templateOf(obj);
  if (!t) return false;
  const refs = podSpecRefs(t.spec);
  return kindWord === 'configmap' ? refs.configMaps.has(name) : kindWord === 'secret' ? refs.secrets.has(name) : false;
}
