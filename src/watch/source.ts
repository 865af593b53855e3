/**
 * The seam between the reflector and the network: a source lists objects
 * page by page and opens a watch from a resource version. HttpSource talks to
 * the API; tests can supply any other implementation.
 */
import type { KubeClient, Query } from '../kube/client.js';
import { collectionPath, type CollectionRef } from '../api/object-path.js';
import { frames } from './ndjson.js';
import type { K8sList, K8sObject, WireEvent } from './types.js';

export interface ListPage {
  items: K8sObject[];
  resourceVersion: string;
  continue?: string;
}

export interface ListRequest {
  limit?: number;
  continue?: string;
  signal: AbortSignal;
  /** Should be called whenever bytes arrive; it feeds stall detection. */
  onBytes?: (n: number) => void;
}

export interface WatchRequest {
  /** Opaque; '' means "from now" (never sent by the reflector). */
  resourceVersion: string;
  timeoutSeconds: number;
  signal: AbortSignal;
  /** Must be called whenever bytes arrive; it feeds stall detection. */
  onBytes: (n: number) => void;
}

/**
 * The seam. `list` resolves with one page or rejects with an ApiError /
 * ConnectError. `watch` resolves once the watch is established (HTTP 200) and
 * yields the raw wire events in order; the iteration ends when the stream
 * ends cleanly and throws when it breaks (StreamError), when a line is not
 * JSON (MalformedEventError), or when the signal aborts it.
 */
export interface ListWatchSource {
  /** The collection, for logs, e.g. /api/v1/namespaces/default/configmaps. */
  readonly description: string;
  list(req: ListRequest): Promise<ListPage>;
  watch(req: WatchRequest): Promise<AsyncIterable<WireEvent>>;
}

/** What a source watches: a collection (its path is built by collectionPath) and its filters. */
export interface ResourceRef extends CollectionRef {
  labelSelector?: string;
  fieldSelector?: string;
}

/** Paths are built (and their segments checked) in src/api/object-path.ts. */
export { collectionPath };

export class HttpSource implements ListWatchSource {
  readonly description: string;
  private readonly path: string;

  constructor(private readonly client: KubeClient, private readonly ref: ResourceRef) {
    this.path = collectionPath(ref);
    this.description = this.path;
  }

  private filters(): Query {
    return { labelSelector: this.ref.labelSelector || undefined, fieldSelector: this.ref.fieldSelector || undefined };
  }

  async list(req: ListRequest): Promise<ListPage> {
    const list = await this.client.json<K8sList>('GET', this.path, {
      query: { ...this.filters(), limit: req.limit, continue: req.continue },
      signal: req.signal, verb: 'list', resource: this.ref.resource, onBytes: req.onBytes,
    });
    // The API leaves kind and apiVersion out of list items; put them back, so that a
    // listed object (SYNC, or found by a relist) looks like one from a watch event.
    const kind = list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined;
    const items = (list.items ?? []).map((it) =>
      it.kind || !kind ? it : { apiVersion: list.apiVersion, kind, ...it });
    return {
      items,
      resourceVersion: list.metadata?.resourceVersion ?? '',
      continue: list.metadata?.continue || undefined,
    };
  }

  async watch(req: WatchRequest): Promise<AsyncIterable<WireEvent>> {
    const body = await this.client.stream(this.path, {
      query: {
        ...this.filters(),
        watch: 'true',
        resourceVersion: req.resourceVersion || undefined,
        allowWatchBookmarks: 'true',
        // 0: ask for none, and the server closes the watch after its --min-request-timeout.
        timeoutSeconds: req.timeoutSeconds > 0 ? req.timeoutSeconds : undefined,
      },
      signal: req.signal, verb: 'watch', resource: this.ref.resource,
    });
    req.onBytes(0);
    return frames(body, { onBytes: req.onBytes, malformed: 'fail' }) as AsyncIterable<WireEvent>;
  }
}
