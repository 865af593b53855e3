/**
 * The seam between the reflector and the network: a source lists objects
 * page by page and opens a watch from a resource version. HttpSource talks to
 * the API; tests can supply any other implementation.
 */
import { apiVersionOf } from '../api/resource.js';
import { parseSelector } from '../api/label-selector.js';
import { buildUrl, type KubeClient, type Query } from '../kube/client.js';
import { collectionPath, type CollectionRef } from '../api/object-path.js';
import { frames } from './ndjson.js';
import { parseListBody, type KindExpectation, type ScopeExpectation } from './shape.js';
import { selectorRejection } from './selector-rejection.js';
import type { K8sObject, WireEvent } from '../api/types.js';

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
  /** The most bytes the page's body may have (a BodyTooLargeError past it). */
  maxBytes?: number;
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
 * JSON (MalformedEventError), or when the signal aborts it. `list` rejects
 * a body that is not a list of usable objects with a BadResponseError.
 */
export interface ListWatchSource {
  /** The collection, for logs, e.g. /api/v1/namespaces/default/configmaps. */
  readonly description: string;
  /** What it lists and watches (for hints and the identity of a deleted object); unset: not said. */
  readonly resource?: ResourceDescription;
  /** The kind of object it lists and watches; objects of another kind are never delivered. Unset: not checked. */
  readonly expect?: KindExpectation;
  /** The namespace and label selector it asked for; objects outside them are never delivered. Unset: not checked. */
  readonly scope?: ScopeExpectation;
  list(req: ListRequest): Promise<ListPage>;
  watch(req: WatchRequest): Promise<AsyncIterable<WireEvent>>;
}

/** What a source lists and watches. */
export interface ResourceDescription {
  /** The plural resource name, e.g. "configmaps" (in hints: "needs watch on configmaps"). */
  resource: string;
  /** Its objects' kind, e.g. "ConfigMap"; unset: not known. */
  kind?: string;
  /** Its objects' apiVersion, e.g. "v1" or "apps/v1". */
  apiVersion: string;
}

/** What a source watches: a collection (its path is built by collectionPath) and its filters. */
export interface ResourceRef extends CollectionRef {
  /** Its kind, e.g. "ConfigMap": listed and watched objects of another kind (or group) are skipped. */
  kind?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Paths are built (and their segments checked) in src/api/object-path.ts. */
export { collectionPath };

export class HttpSource implements ListWatchSource {
  readonly description: string;
  readonly expect: KindExpectation | undefined;
  readonly scope: ScopeExpectation;
  readonly resource: ResourceDescription;
  private readonly path: string;

  constructor(private readonly client: KubeClient, private readonly ref: ResourceRef) {
    this.path = collectionPath(ref);
    this.description = this.path;
    this.expect = ref.kind ? { kind: ref.kind, group: ref.group ?? '' } : undefined;
    const parsed = ref.labelSelector ? parseSelector(ref.labelSelector) : undefined;
    this.scope = { namespace: ref.namespace, selector: parsed?.ok ? parsed.requirements : undefined };
    const version = ref.version ?? 'v1';
    this.resource = { resource: ref.resource, kind: ref.kind, apiVersion: apiVersionOf({ group: ref.group ?? '', version }) };
  }

  private filters(): Query {
    return { labelSelector: this.ref.labelSelector || undefined, fieldSelector: this.ref.fieldSelector || undefined };
  }

  /** Rethrows a list or watch error; a 400 that blames a selector becomes a SelectorRejectedError (fatal). */
  private refused(err: unknown): never {
    throw selectorRejection(err, this.ref) ?? err;
  }

  async list(req: ListRequest): Promise<ListPage> {
    const query = { ...this.filters(), limit: req.limit, continue: req.continue };
    const body = await this.client.json<unknown>('GET', this.path, {
      query, signal: req.signal, verb: 'list', resource: this.ref.resource, onBytes: req.onBytes, maxBytes: req.maxBytes,
    }).catch((err: unknown) => this.refused(err));
    return parseListBody(body, buildUrl(this.client.server, this.path, query), this.expect);
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
    }).catch((err: unknown) => this.refused(err));
    req.onBytes(0);
    return frames(body, { onBytes: req.onBytes, malformed: 'fail' }) as AsyncIterable<WireEvent>;
  }
}
