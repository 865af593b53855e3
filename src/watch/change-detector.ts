/**
 * Per-key change detection, shared by the reflector and `cmwatch replay`.
 * Only (resourceVersion, content digest) is remembered per key, never the
 * object. What the content is comes from the content function passed in
 * (content.ts; for ConfigMaps: data, binaryData and the selector annotations).
 *
 * For an event (ADDED/MODIFIED/DELETED) of a known key:
 *   - the same resource version again is a duplicate: skipped;
 *   - an older resource version than the one known is stale: skipped (only
 *     when both are comparable, see api/resource-version.ts);
 *   - the same content under trigger "content" is unchanged: skipped;
 *   - otherwise it is delivered as MODIFIED (or DELETED), whatever the
 *     wire type said (client-go's informer does the same).
 * For an event of an unknown key, `unknownKeys` decides:
 *   - "infer" (the reflector, which listed everything first): ADDED and
 *     MODIFIED are delivered as ADDED, DELETED is skipped (nothing to delete);
 *   - "trust" (replay of a recording that may start mid-stream): the event
 *     is delivered with its own type, and becomes the key's baseline.
 * A relisted object older than the one known is stale too, and a relist
 * whose own resource version is older than a key's does not forget that key.
 */
import { isOlderResourceVersion } from '../api/resource-version.js';
import { contentDigest, fingerprintOf } from './fingerprint.js';
import type { ContentFunction } from './content.js';
import type { K8sObject } from '../api/types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type SkipReason = 'duplicate' | 'unchanged' | 'unknown_delete' | 'stale';
/** `known`: the key's resource version when it was skipped. */
export type Detection = { deliver: ChangeType; hash: string } | { skip: SkipReason; known?: string };

/** How a listed object compares with what was known ('stale': older than it; nothing recorded). */
export type ListedAs = 'ADDED' | 'MODIFIED' | 'unchanged' | 'same' | 'stale';

export interface ChangeDetectorOptions {
  /** What counts as a change: the object → the text that is hashed (content.ts). */
  content: ContentFunction;
  /** "content" skips events whose content did not change; "any" delivers every new resource version. */
  trigger?: 'content' | 'any';
  unknownKeys?: 'infer' | 'trust';
}

interface Known {
  rv: string;
  /** The content's whole digest (fingerprint.ts contentDigest); handed out as its fingerprint. */
  digest: string;
}

/**
 * A known key's new version, recorded in place: its record lives long (the
 * old generation), and a new one per event was garbage there. An equal digest
 * leaves the one kept: fingerprints handed out earlier (kept by catch-up) are
 * views of it.
 */
function update(k: Known, rv: string, digest: string): void {
  k.rv = rv;
  if (k.digest !== digest) k.digest = digest;
}

/**
 * A key as a string of its own, for a key that is kept: one built as
 * `${namespace}/${name}` is a V8 cons string holding its parts, and a copy is
 * one flat string, 32 bytes a key less for as long as the key is known
 * (issue #18; only a new key is copied, not one per event).
 */
function ownCopy(key: string): string {
  if (key.length < 13) return key; // V8 builds a shorter string flat
  const copy = Buffer.from(key).toString();
  return copy === key ? copy : key; // a lone surrogate does not survive UTF-8: then the key itself
}

export class ChangeDetector {
  private readonly known = new Map<string, Known>();
  private readonly content: ContentFunction;
  private readonly trigger: 'content' | 'any';
  private readonly unknownKeys: 'infer' | 'trust';

  constructor(o: ChangeDetectorOptions) {
    this.content = o.content;
    this.trigger = o.trigger ?? 'content';
    this.unknownKeys = o.unknownKeys ?? 'infer';
  }

  /** How many keys are known. */
  get size(): number {
    return this.known.size;
  }

  has(key: string): boolean {
    return this.known.has(key);
  }

  /** The content hash known for a key (undefined: not known). */
  hashOf(key: string): string | undefined {
    const k = this.known.get(key);
    return k && fingerprintOf(k.digest);
  }

  private digest(obj: K8sObject): string {
    return contentDigest(this.content(obj));
  }

  /** A new key's record, under the detector's own copy of the key. */
  private add(key: string, rv: string, digest: string): void {
    this.known.set(ownCopy(key), { rv, digest });
  }

  /** Records an object as the key's baseline (an item of the initial list, a SYNC). */
  remember(key: string, obj: K8sObject): void {
    const rv = obj.metadata?.resourceVersion ?? '';
    const digest = this.digest(obj);
    const prev = this.known.get(key);
    if (prev) update(prev, rv, digest);
    else this.add(key, rv, digest);
  }

  /** One event: records it and says whether (and as what) to deliver it. */
  event(type: ChangeType, key: string, obj: K8sObject): Detection {
    const rv = obj.metadata?.resourceVersion ?? '';
    const prev = this.known.get(key);
    if (prev && isOlderResourceVersion(rv, prev.rv)) return { skip: 'stale', known: prev.rv };
    if (type === 'DELETED') {
      if (!prev && this.unknownKeys === 'infer') return { skip: 'unknown_delete' };
      this.known.delete(key);
      return { deliver: 'DELETED', hash: fingerprintOf(prev?.digest ?? this.digest(obj)) };
    }
    if (prev && rv && prev.rv === rv) return { skip: 'duplicate' };
    const digest = this.digest(obj);
    if (!prev) {
      this.add(key, rv, digest);
      return { deliver: this.unknownKeys === 'trust' ? type : 'ADDED', hash: fingerprintOf(digest) };
    }
    const same = prev.digest === digest;
    update(prev, rv, digest);
    if (same && this.trigger === 'content') return { skip: 'unchanged' };
    return { deliver: 'MODIFIED', hash: fingerprintOf(digest) };
  }

  /** One object of a relist: records it and says how it differs from what was known. */
  listed(key: string, obj: K8sObject): ListedAs {
    const rv = obj.metadata?.resourceVersion ?? '';
    const prev = this.known.get(key);
    if (prev && isOlderResourceVersion(rv, prev.rv)) return 'stale';
    const digest = this.digest(obj);
    if (!prev) {
      this.add(key, rv, digest);
      return 'ADDED';
    }
    const { rv: prevRv, digest: prevDigest } = prev;
    update(prev, rv, digest);
    if (prevDigest !== digest || (this.trigger === 'any' && prevRv !== rv)) return 'MODIFIED';
    return prevRv === rv ? 'same' : 'unchanged';
  }

  /** Makes every known resource version incomparable (''), keeping the hashes: versions are no longer ordered against the past. */
  rebase(): void {
    for (const k of this.known.values()) k.rv = '';
  }

  /**
   * After a relist: forgets every key not seen in it and returns them with
   * their last resource version. A key known at a version newer than the
   * list's own (`listRv`) may have been created after the list was taken: it
   * is kept.
   */
  sweep(seen: ReadonlySet<string>, listRv = ''): Array<{ key: string; rv: string; hash: string }> {
    const gone: Array<{ key: string; rv: string; hash: string }> = [];
    for (const [key, k] of this.known) {
      if (seen.has(key) || isOlderResourceVersion(listRv, k.rv)) continue;
      this.known.delete(key);
      gone.push({ key, rv: k.rv, hash: fingerprintOf(k.digest) });
    }
    return gone;
  }
}
