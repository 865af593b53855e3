/**
 * The kinds the bench server serves, and how one object of each is rendered:
 * fixed text segments around the slots an event fills in (its resource
 * version, its sequence number, a CR's generation), so the server can write
 * events into buffers without building a string per event.
 *
 * - ConfigMap (`configmaps`, core v1): the workload of every ConfigMap row,
 *   byte for byte as before (`data.seq` and `data["config.ini"]`).
 * - Secret (`secrets`, core v1): the same text base64-encoded in
 *   `data["config.ini"]`, `data.seq` base64 too, `type: Opaque`.
 * - Widget (`widgets.bench.example.com`, v1, namespaced, short name `wg`): a
 *   custom resource with `metadata.generation` (bumped by every event, as a
 *   spec change does) and the text in `spec.config`. The API encodes custom
 *   resources with sorted keys (they are unstructured maps), so it is
 *   rendered that way; its list kind is `WidgetList`.
 */

export const NAMESPACE = 'bench';
export const SELECTOR_ANNOTATION = 'k8spatterns.io/podDeleteSelector';

export type ResourceName = 'configmaps' | 'secrets' | 'widgets';
export const RESOURCE_NAMES: readonly ResourceName[] = ['configmaps', 'secrets', 'widgets'];

/** What a slot holds: the resource version, the event's seq, seq + 1 (a generation, never 0), seq in base64. */
export type Slot = 'rv' | 'seq' | 'generation' | 'seq64';

/** One key's object: segs[0] slot[0] segs[1] slot[1] … segs[n]. */
export interface KeyParts {
  readonly segs: readonly string[];
  readonly slots: readonly Slot[];
}

export interface BenchKind {
  readonly resource: ResourceName;
  readonly kind: string;
  readonly listKind: string;
  readonly group: string;
  readonly version: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** What a user types: `configmaps`, `widgets.bench.example.com`. */
  readonly canonical: string;
  /** The collection's path in a namespace. */
  path(namespace: string): string;
  /** Object k's parts; `text` is the config-file-like payload (encoded as the kind stores it). */
  parts(k: number, text: string, name: string): KeyParts;
  /** The object name of key k. */
  name(k: number): string;
  /** A list body around the rendered items. */
  list(meta: ListMeta, items: string): string;
  /** How many bytes of the object's JSON `text` of length L takes (base64 for a Secret). */
  encodedLength(rawLength: number): number;
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function slotValue(slot: Slot, rv: number, seq: number): string {
  switch (slot) {
    case 'rv': return String(rv);
    case 'seq': return String(seq);
    case 'generation': return String(seq + 1);
    case 'seq64': return Buffer.from(String(seq)).toString('base64');
  }
}

function uid(k: number): string {
  return `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
}

const CREATED = '2026-01-01T00:00:00Z';
const labels = { app: 'bench' };
const annotations = (k: number) => ({ [SELECTOR_ANNOTATION]: `app=bench-${k}` });

/** ListMeta in the Go struct's order (resourceVersion, continue, remainingItemCount), as core lists have it. */
function structListMeta(m: ListMeta): string {
  return JSON.stringify({ resourceVersion: m.resourceVersion, ...(m.continue ? { continue: m.continue, remainingItemCount: m.remainingItemCount } : {}) });
}

/** ListMeta with sorted keys, as an unstructured (custom resource) list has it. */
function sortedListMeta(m: ListMeta): string {
  return JSON.stringify({ ...(m.continue ? { continue: m.continue, remainingItemCount: m.remainingItemCount } : {}), resourceVersion: m.resourceVersion });
}

/** Core metadata (name, namespace, uid, creationTimestamp, labels, annotations) open for its resourceVersion. */
function coreMetaHead(kind: string, k: number, name: string): string {
  const meta = JSON.stringify({ name, namespace: NAMESPACE, uid: uid(k), creationTimestamp: CREATED, labels, annotations: annotations(k) });
  return `{"kind":"${kind}","apiVersion":"v1","metadata":${meta.slice(0, -1)},"resourceVersion":"`;
}

export function cmName(k: number): string {
  return `cm-${String(k).padStart(5, '0')}`;
}

export const CONFIGMAPS: BenchKind = {
  resource: 'configmaps', kind: 'ConfigMap', listKind: 'ConfigMapList', group: '', version: 'v1', singular: 'configmap', shortNames: ['cm'], canonical: 'configmaps',
  path: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  name: cmName,
  parts: (k, text, name) => ({
    segs: [coreMetaHead('ConfigMap', k, name), '"},"data":{"seq":"', `","config.ini":${JSON.stringify(text)}}}`],
    slots: ['rv', 'seq'],
  }),
  list: (m, items) => `{"kind":"ConfigMapList","apiVersion":"v1","metadata":${structListMeta(m)},"items":[${items}]}`,
  encodedLength: (l) => l,
};

export const SECRETS: BenchKind = {
  resource: 'secrets', kind: 'Secret', listKind: 'SecretList', group: '', version: 'v1', singular: 'secret', shortNames: [], canonical: 'secrets',
  path: (ns) => `/api/v1/namespaces/${ns}/secrets`,
  name: (k) => `secret-${String(k).padStart(5, '0')}`,
  parts: (k, text, name) => ({
    segs: [coreMetaHead('Secret', k, name), `"},"data":{"config.ini":"${Buffer.from(text).toString('base64')}","seq":"`, '"},"type":"Opaque"}'],
    slots: ['rv', 'seq64'],
  }),
  list: (m, items) => `{"kind":"SecretList","apiVersion":"v1","metadata":${structListMeta(m)},"items":[${items}]}`,
  encodedLength: (l) => 4 * Math.ceil(l / 3),
};

export const WIDGET_GROUP = 'bench.example.com';

export const WIDGETS: BenchKind = {
  resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', group: WIDGET_GROUP, version: 'v1', singular: 'widget', shortNames: ['wg'], canonical: `widgets.${WIDGET_GROUP}`,
  path: (ns) => `/apis/${WIDGET_GROUP}/v1/namespaces/${ns}/widgets`,
  name: (k) => `widget-${String(k).padStart(5, '0')}`,
  parts: (k, text, name) => {
    const ann = JSON.stringify(annotations(k));
    return {
      segs: [
        `{"apiVersion":"${WIDGET_GROUP}/v1","kind":"Widget","metadata":{"annotations":${ann},"creationTimestamp":"${CREATED}","generation":`,
        `,"labels":${JSON.stringify(labels)},"name":${JSON.stringify(name)},"namespace":"${NAMESPACE}","resourceVersion":"`,
        `","uid":"${uid(k)}"},"spec":{"config":${JSON.stringify(text)},"revision":`,
        '}}',
      ],
      slots: ['generation', 'rv', 'generation'],
    };
  },
  list: (m, items) => `{"apiVersion":"${WIDGET_GROUP}/v1","items":[${items}],"kind":"WidgetList","metadata":${sortedListMeta(m)}}`,
  encodedLength: (l) => l,
};

export const KINDS: Readonly<Record<ResourceName, BenchKind>> = { configmaps: CONFIGMAPS, secrets: SECRETS, widgets: WIDGETS };
