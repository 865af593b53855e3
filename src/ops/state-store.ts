/**
 * The --state store in the cluster: ConfigMap NAME (and NAME-1 … past
 * ~900 KiB, state-codec.ts) in the store's namespace, read at start (or
 * when leadership is taken) and written back in batches.
 *
 * - Writes are batched: at most one flush every `minIntervalMs` (2 s), and
 *   one at shutdown or hand-over (flush()). A flush writes only the
 *   ConfigMaps whose data changed, shards before the head.
 * - Every update carries the resourceVersion last read or written; a 409
 *   (another writer) re-reads the store and merges: the other writer's
 *   entries are kept, this instance's changes since its last write are laid
 *   over them, and the write is tried again. Nothing is overwritten
 *   silently; each conflict is logged and counted.
 * - A store whose content is invalid (a hand edit) is reported once and
 *   read as empty, with no baseline taken: the caller then catches up from
 *   the baseline (runs nothing) and the next flush rewrites it.
 * - A write that fails (403, 5xx, network) is logged and retried at the
 *   next interval; it never stops cmwatch.
 */
import type { KubeClient } from '../kube/client.js';
import { ApiError } from '../api/api-error.js';
import { objectPath, collectionPath } from '../api/object-path.js';
import { oneLine } from '../base/errors.js';
import type { Logger } from './log.js';
import { decodeState, emptyContent, encodeState, headShards, InvalidStateError, shardName, DELETED_MARK, type StateContent } from './state-codec.js';

export const STATE_LABEL = 'cmwatch.io/state';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cmwatch' } as const;
const MAX_CONFLICT_RETRIES = 5;

export interface StateStoreOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  log: Logger;
  /** Between two flushes (default 2 s). */
  minIntervalMs?: number;
  now?: () => number;
}

export type LoadResult =
  | { status: 'missing' }
  | { status: 'loaded'; keys: number; shards: number; clean: boolean }
  | { status: 'invalid'; reason: string };

export interface StateStats {
  writes: number;
  conflicts: number;
  failures: number;
}

interface ConfigMap {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

class WriteConflict extends Error {}

export class StateStore {
  readonly stats: StateStats = { writes: 0, conflicts: 0, failures: 0 };
  /** What the previous instance had started and not recorded (read at load). */
  previousInflight = new Map<string, string>();
  private content: StateContent = emptyContent();
  private readonly inflight = new Map<string, string>();
  /** Handled entries changed since the last successful write (null: removed). */
  private readonly changes = new Map<string, string | null>();
  private rvs: Array<string | undefined> = [];
  private written: Array<string | undefined> = [];
  private gen = 0;
  private writtenGen = 0;
  private lastWrite = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly o: StateStoreOptions) {
    this.minIntervalMs = o.minIntervalMs ?? 2000;
    this.now = o.now ?? Date.now;
  }

  /** `namespace/NAME`, for logs. */
  get description(): string {
    return `${this.o.namespace}/${this.o.name}`;
  }

  get size(): number {
    return this.content.handled.size;
  }

  get(key: string): string | undefined {
    return this.content.handled.get(key);
  }

  /** The stored keys starting with `prefix`. */
  keysUnder(prefix: string): string[] {
    const out: string[] = [];
    for (const k of this.content.handled.keys()) if (k.startsWith(prefix)) out.push(k);
    return out;
  }

  hasResource(canonical: string): boolean {
    return this.content.resources.has(canonical);
  }

  addResource(canonical: string): void {
    if (this.content.resources.has(canonical)) return;
    this.content.resources.add(canonical);
    this.touch();
  }

  /** Records the version of `key` all handlers handled (undefined: the object is gone). */
  set(key: string, hash: string | undefined): void {
    const had = this.content.handled.get(key);
    if (had === hash) return;
    if (hash === undefined) this.content.handled.delete(key);
    else this.content.handled.set(key, hash);
    this.changes.set(key, hash ?? null);
    this.touch();
  }

  /** Work for `key` at `hash` (undefined: a deletion) was handed to handlers / finished. */
  started(key: string, hash: string | undefined): void {
    this.inflight.set(key, hash ?? DELETED_MARK);
    this.touch();
  }

  finished(key: string): void {
    if (this.inflight.delete(key)) this.touch();
  }

  /** Forgets the work in flight (leadership lost: it was dropped). */
  clearInflight(): void {
    if (this.inflight.size === 0) return;
    this.inflight.clear();
    this.touch();
  }

  private path(i: number): string {
    return objectPath({ version: 'v1', resource: 'configmaps', namespace: this.o.namespace, name: shardName(this.o.name, i) });
  }

  private async getOne(i: number, signal?: AbortSignal): Promise<ConfigMap | undefined> {
    try {
      return await this.o.client.json<ConfigMap>('GET', this.path(i), { signal, verb: 'get', resource: 'configmaps' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Reads the head and its shards. Throws an API error it cannot get past
   * (403: the RBAC is missing); an invalid content is a result, not an error.
   */
  private async read(signal?: AbortSignal): Promise<{ content: StateContent; result: LoadResult }> {
    this.written = [];
    const head = await this.getOne(0, signal);
    if (!head) {
      this.rvs = [];
      return { content: emptyContent(), result: { status: 'missing' } };
    }
    this.rvs[0] = head.metadata?.resourceVersion;
    try {
      const n = headShards(this.o.name, head.data);
      const datas: Array<Record<string, string> | undefined> = [head.data];
      for (let i = 1; i < n; i++) {
        const cm = await this.getOne(i, signal);
        if (!cm) throw new InvalidStateError(shardName(this.o.name, i), 'announced by the head, but not found');
        this.rvs[i] = cm.metadata?.resourceVersion;
        datas.push(cm.data);
      }
      const content = decodeState(this.o.name, datas);
      datas.forEach((d, i) => { this.written[i] = JSON.stringify(d); });
      return { content, result: { status: 'loaded', keys: content.handled.size, shards: n, clean: content.clean } };
    } catch (err) {
      if (!(err instanceof InvalidStateError)) throw err;
      // The codec names the ConfigMap; the log names its namespace too.
      return { content: emptyContent(), result: { status: 'invalid', reason: err.message.replace(/^state store /, `state store ${this.o.namespace}/`) } };
    }
  }

  /** Reads the store afresh (at start, or when leadership is taken), forgetting what was held. */
  async load(signal?: AbortSignal): Promise<LoadResult> {
    this.cancelTimer();
    await this.writing;
    this.closed = false;
    const { content, result } = await this.read(signal);
    this.content = content;
    this.previousInflight = new Map(content.inflight);
    this.content.inflight = new Map();
    this.inflight.clear();
    this.changes.clear();
    this.writtenGen = this.gen;
    if (result.status === 'invalid') {
      this.o.log.warn(`${result.reason}; ignoring it and catching up from the baseline (nothing runs for what cannot be compared); it is rewritten at the next flush`, { reason: 'state_invalid' });
    }
    return result;
  }

  private touch(): void {
    this.gen++;
    if (this.closed || this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWrite + this.minIntervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runWrite();
    }, wait);
    this.timer.unref?.();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runWrite(clean = false): Promise<void> {
    const p = this.writeAll(clean).finally(() => {
      this.writing = undefined;
      if (!this.closed && this.gen !== this.writtenGen) this.touch();
    });
    this.writing = p;
    return p;
  }

  /**
   * Writes now (waiting for a write going on), marking the store clean:
   * at shutdown and before a hand-over. No more batched writes after it
   * until the next load().
   */
  async flush(): Promise<void> {
    this.cancelTimer();
    this.closed = true;
    await this.writing;
    this.cancelTimer();
    this.content.clean = true;
    await this.runWrite(true);
  }

  /** One flush: encode, write the ConfigMaps that changed, and on a conflict re-read, merge, retry. */
  private async writeAll(clean: boolean): Promise<void> {
    const gen = this.gen;
    const snapshot = new Map(this.changes);
    this.content.inflight = new Map(this.inflight);
    this.content.clean = clean;
    this.lastWrite = this.now();
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      try {
        const datas = encodeState(this.content, this.content.shards);
        this.content.shards = datas.length;
        // Shards first: the head announces them.
        for (let i = datas.length - 1; i >= 0; i--) {
          const text = JSON.stringify(datas[i]);
          if (text !== this.written[i]) {
            await this.writeOne(i, datas[i]!);
            this.written[i] = text;
          }
        }
        for (const [k, v] of snapshot) if (this.changes.get(k) === v) this.changes.delete(k);
        this.writtenGen = gen;
        return;
      } catch (err) {
        if (!(err instanceof WriteConflict)) {
          this.stats.failures++;
          this.o.log.error(`state store ${this.description}: write failed: ${oneLine(err)}; retrying in ${this.minIntervalMs / 1000}s`, { reason: 'state_write_failed' });
          return;
        }
        this.stats.conflicts++;
        this.o.log.warn(`state store ${this.description}: another writer changed it; re-reading and merging`, { reason: 'state_conflict' });
        try {
          await this.merge();
        } catch (e) {
          this.stats.failures++;
          this.o.log.error(`state store ${this.description}: re-read failed: ${oneLine(e)}`, { reason: 'state_write_failed' });
          return;
        }
      }
    }
    this.stats.failures++;
    this.o.log.error(`state store ${this.description}: still conflicting after ${MAX_CONFLICT_RETRIES} re-reads; retrying later`, { reason: 'state_conflict' });
  }

  /**
   * The store as now served, with this instance's unwritten changes laid
   * over it. A store now missing or invalid (deleted or edited by hand) is
   * rewritten from what this instance holds.
   */
  private async merge(): Promise<void> {
    const { content, result } = await this.read();
    if (result.status !== 'loaded') {
      if (result.status === 'invalid') this.o.log.warn(`${result.reason}; rewriting it from what this instance holds`, { reason: 'state_invalid' });
      return;
    }
    for (const [k, v] of this.changes) (v === null ? content.handled.delete(k) : content.handled.set(k, v));
    for (const r of this.content.resources) content.resources.add(r);
    content.shards = Math.max(content.shards, this.content.shards);
    content.inflight = this.content.inflight;
    content.clean = this.content.clean;
    this.content = content;
  }

  private async writeOne(i: number, data: Record<string, string>): Promise<void> {
    const name = shardName(this.o.name, i);
    const rv = this.rvs[i];
    const body = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name, namespace: this.o.namespace, labels: { ...MANAGED_BY, [STATE_LABEL]: this.o.name }, ...(rv ? { resourceVersion: rv } : {}) },
      data,
    };
    let cm: ConfigMap;
    try {
      this.stats.writes++;
      cm = rv === undefined
        ? await this.o.client.json<ConfigMap>('POST', collectionPath({ version: 'v1', resource: 'configmaps', namespace: this.o.namespace }), { body, verb: 'create', resource: 'configmaps' })
        : await this.o.client.json<ConfigMap>('PUT', this.path(i), { body, verb: 'update', resource: 'configmaps' });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || (err.status === 404 && rv !== undefined))) {
        // Learn the version now served (none: it was deleted), so the retry after the merge can write.
        this.rvs[i] = (await this.getOne(i))?.metadata?.resourceVersion;
        throw new WriteConflict(name);
      }
      throw err;
    }
    this.rvs[i] = cm.metadata?.resourceVersion;
  }
}
