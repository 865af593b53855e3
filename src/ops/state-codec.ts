/**
 * The --state store's content, as kept in ConfigMaps: what is encoded
 * where, how it shards past ~900 KiB, and what counts as invalid.
 *
 * Store NAME (the head) has data keys:
 *   format    `cmwatch.io/state/v1`
 *   shards    how many ConfigMaps hold entries: NAME, then NAME-1 … NAME-(n-1)
 *   resources the resources whose baseline was taken (one canonical name a line)
 *   inflight  work handed to handlers whose success was not recorded yet
 *             (`KEY HASH`, `-` for a deletion): after a crash, a catch-up of
 *             exactly that version is counted as a possible repeat
 *   clean     `true` when the last writer stopped cleanly (shutdown, hand-over)
 *   entries   this shard's `KEY HASH` lines, sorted
 * Shard NAME-i has `format` and `entries`. KEY is `resource/namespace/name`
 * (namespace empty for a cluster-scoped object); HASH is the 22-character
 * content fingerprint (watch/fingerprint.ts).
 *
 * A key lives in shard fnv1a(KEY) mod n, so a change rewrites only its own
 * shard; n grows (never shrinks) when a shard would pass SHARD_LIMIT_BYTES.
 */
import { CmwatchError } from '../base/errors.js';

export const STATE_FORMAT = 'cmwatch.io/state/v1';
/** Below the API's 1 MiB object limit, with room for metadata. */
export const SHARD_LIMIT_BYTES = 900 * 1024;
const HASH = /^[A-Za-z0-9+/]{22}$/;
const KEY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9-]*\/[^\s/]+$/;
export const DELETED_MARK = '-';

/** What the store holds, decoded. */
export interface StateContent {
  /** KEY → fingerprint of the last version all handlers handled. */
  handled: Map<string, string>;
  /** KEY → fingerprint (or DELETED_MARK) of work started and not recorded. */
  inflight: Map<string, string>;
  /** Canonical resource names whose baseline was taken. */
  resources: Set<string>;
  clean: boolean;
  /** Number of shard ConfigMaps (at least 1). */
  shards: number;
}

export function emptyContent(): StateContent {
  return { handled: new Map(), inflight: new Map(), resources: new Set(), clean: true, shards: 1 };
}

/** The store's content cannot be read: a hand edit, a foreign writer. */
export class InvalidStateError extends CmwatchError {
  constructor(readonly configMap: string, reason: string) {
    super('E_STATE_INVALID', `state store ${configMap}: ${reason}`, {
      hint: `delete the ConfigMap (kubectl delete cm -l cmwatch.io/state) to start from a new baseline, or restore it; cmwatch rewrites it at its next flush`,
    });
    this.name = 'InvalidStateError';
  }
}

/** The name of shard i of store `name`. */
export function shardName(name: string, i: number): string {
  return i === 0 ? name : `${name}-${i}`;
}

/** 32-bit FNV-1a of a key: its shard is this modulo the shard count. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

function lines(map: ReadonlyMap<string, string>, keys: readonly string[]): string {
  let s = '';
  for (const k of keys) s += `${k} ${map.get(k)}\n`;
  return s;
}

/**
 * The data of each ConfigMap, head first. The shard count is at least
 * `minShards` (the count already in use: keys never move back) and grows
 * until every ConfigMap fits.
 */
export function encodeState(c: StateContent, minShards = 1): Array<Record<string, string>> {
  const keys = [...c.handled.keys()].sort();
  const inflight = lines(c.inflight, [...c.inflight.keys()].sort());
  const head = { format: STATE_FORMAT, resources: [...c.resources].sort().join('\n'), inflight, clean: String(c.clean) };
  const headBytes = Buffer.byteLength(head.resources) + Buffer.byteLength(inflight) + 200;
  for (let n = Math.max(1, minShards, c.shards); ; n++) {
    const parts: string[][] = Array.from({ length: n }, () => []);
    for (const k of keys) parts[shardOf(k, n)]!.push(k);
    const texts = parts.map((p) => lines(c.handled, p));
    const fits = texts.every((t, i) => Buffer.byteLength(t) + (i === 0 ? headBytes : 100) <= SHARD_LIMIT_BYTES);
    if (!fits && n < 4096) continue;
    return texts.map((entries, i) => (i === 0 ? { ...head, shards: String(n), entries } : { format: STATE_FORMAT, entries }));
  }
}

/** The shard count the head says, checked; InvalidStateError if it is not one. */
export function headShards(name: string, data: Record<string, string> | undefined): number {
  if (!data || data.format !== STATE_FORMAT) throw new InvalidStateError(name, `format is ${JSON.stringify(data?.format ?? null)}, not "${STATE_FORMAT}"`);
  const n = Number(data.shards);
  if (!/^[1-9][0-9]{0,3}$/.test(data.shards ?? '') || !Number.isInteger(n)) throw new InvalidStateError(name, `shards is ${JSON.stringify(data.shards ?? null)}, not a count`);
  return n;
}

function parseLines(cm: string, field: string, text: string | undefined, into: Map<string, string>, allowDeleted: boolean): void {
  if (text === undefined) throw new InvalidStateError(cm, `no ${field}`);
  let no = 0;
  for (const line of text.split('\n')) {
    no++;
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const hash = line.slice(sp + 1);
    if (sp <= 0 || !KEY.test(key) || !(HASH.test(hash) || (allowDeleted && hash === DELETED_MARK))) {
      throw new InvalidStateError(cm, `${field} line ${no} is not "resource/namespace/name fingerprint"`);
    }
    into.set(key, hash);
  }
}

/** Decodes the head and its shards (data in shard order); InvalidStateError on anything unexpected. */
export function decodeState(name: string, datas: ReadonlyArray<Record<string, string> | undefined>): StateContent {
  const head = datas[0];
  const shards = headShards(name, head);
  if (datas.length !== shards) throw new InvalidStateError(name, `${shards} shard(s) announced, ${datas.length} found`);
  const c = emptyContent();
  c.shards = shards;
  c.clean = head!.clean === 'true';
  for (const r of (head!.resources ?? '').split('\n')) if (r !== '') c.resources.add(r);
  parseLines(name, 'inflight', head!.inflight ?? '', c.inflight, true);
  datas.forEach((d, i) => {
    const cm = shardName(name, i);
    if (i > 0 && d?.format !== STATE_FORMAT) throw new InvalidStateError(cm, `format is ${JSON.stringify(d?.format ?? null)}, not "${STATE_FORMAT}"`);
    const mine = new Map<string, string>();
    parseLines(cm, 'entries', d!.entries, mine, false);
    for (const [k, v] of mine) {
      if (shardOf(k, shards) !== i) throw new InvalidStateError(cm, `key ${k} is in the wrong shard`);
      c.handled.set(k, v);
    }
  });
  return c;
}
