/**
 * The informer cache behind `--snapshot RESOURCE`: every object of one
 * resource in the watched namespaces, kept as its JSON text (one string per
 * object costs far less memory than the parsed object: see README,
 * "Snapshots"), fed by that resource's reflectors with every new version
 * (trigger any), and readable as a `List` sorted by namespace and name.
 *
 * The cache is synced once each of its reflectors has delivered its first
 * list; a resource that is not served has no objects, so its cache counts as
 * synced (empty) while it is waited for.
 */
import type { K8sObject } from '../api/types.js';
import type { Delivery } from './delivery.js';

interface Entry {
  readonly namespace: string;
  readonly name: string;
  readonly json: string;
}

export interface SnapshotResource {
  /** `configmaps`, `deployments.apps`: the file is `<canonical>.json`. */
  readonly canonical: string;
  readonly apiVersion: string;
  readonly kind: string;
}

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every change: the List text is rebuilt only when it moved. */
  private generation = 0;
  private text: { generation: number; text: string } | undefined;
  private unsynced = 0;
  private expected = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private resource: SnapshotResource) {}

  get name(): string {
    return this.resource.canonical;
  }

  get size(): number {
    return this.entries.size;
  }

  /** One delivery of the resource's reflectors (any type; DELETED forgets the object). */
  apply(d: Pick<Delivery, 'type' | 'object' | 'key' | 'resource'>): void {
    // A resource waited for is known by its name only until it is served.
    if (d.resource && d.resource.apiVersion !== this.resource.apiVersion) this.resource = { ...this.resource, apiVersion: d.resource.apiVersion, kind: d.resource.kind };
    const m = d.object.metadata ?? {};
    const id = `${m.namespace ?? ''}/${m.name ?? ''}`;
    this.generation++;
    if (d.type === 'DELETED') {
      this.entries.delete(id);
      return;
    }
    this.entries.set(id, { namespace: m.namespace ?? '', name: m.name ?? '', json: this.itemJson(d.object) });
  }

  /** A reflector (or the wait for an unserved resource) that must sync first; call the result when it has. */
  expectSync(): () => void {
    this.expected = true;
    this.unsynced++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unsynced--;
      if (this.synced) for (const w of this.waiters.splice(0)) w();
    };
  }

  get synced(): boolean {
    return this.expected && this.unsynced === 0;
  }

  /** Resolves once synced (at once if it is). */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** `{"apiVersion":"v1","kind":"List","items":[…]}`, items sorted by namespace then name. */
  listJson(): string {
    if (this.text?.generation === this.generation) return this.text.text;
    const sorted = [...this.entries.values()].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
    const text = `{"apiVersion":"v1","kind":"List","metadata":{},"items":[${sorted.map((e) => e.json).join(',')}]}\n`;
    this.text = { generation: this.generation, text };
    return text;
  }

  /** The object as a List item: with apiVersion and kind (a list's items lack them), first. */
  private itemJson(obj: K8sObject): string {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return JSON.stringify({ apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...rest });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
