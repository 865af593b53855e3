/**
 * The benchmark's workload: N objects of a given size (ConfigMaps unless
 * said: bench/kinds.ts), then M MODIFIED events that each change one of them
 * (key i mod N, a new resource version and a new `seq`, and a Widget's
 * generation, so change detection delivers every one of them).
 *
 * The same functions render the bench server's bytes and the in-process
 * JSON.parse baseline's lines, so both see exactly the same payload.
 */

import { CONFIGMAPS, KINDS, cmName, slotValue, type BenchKind, type KeyParts, type ResourceName } from './kinds.js';

export { NAMESPACE, SELECTOR_ANNOTATION, cmName, type KeyParts } from './kinds.js';
/** The resource version of the list; event i has LIST_RV + 1 + i. */
export const LIST_RV = 1000;

export interface WorkloadShape {
  /** Objects in the list. */
  n: number;
  /** Target size of one object's JSON, in bytes (1024 or 65536). */
  size: number;
  /** The kind of the objects (default: configmaps). */
  resource?: ResourceName;
}

/** The name of the object whose ADDED event ends phase p (it is not in the list). */
export function markerName(p: number): string {
  return `bench-end-${p}`;
}

/**
 * A config-file-like text whose JSON encoding is exactly `escapedLength`
 * bytes (quotes and newlines included, so JSON.parse meets escapes as in a
 * real nginx.conf or application.properties).
 */
export function configText(escapedLength: number): string {
  let s = '';
  let escaped = 0;
  for (let i = 0; escaped < escapedLength; i++) {
    const line = `option_${String(i).padStart(4, '0')} = "v${((i * 2654435761) >>> 0).toString(36)}"\n`;
    s += line;
    escaped += JSON.stringify(line).length - 2;
  }
  while (JSON.stringify(s).length - 2 > escapedLength) s = s.slice(0, -1);
  // Trimming may have cut an escape in two (a lone backslash is not removed by slice): pad with plain text.
  while (JSON.stringify(s).length - 2 < escapedLength) s += '#';
  return s;
}

const overheadCache = new Map<string, string>();

/** The payload text for a size: an object's JSON is then about `size` bytes. */
export function payloadFor(size: number, resource: ResourceName = 'configmaps'): string {
  const key = `${resource}:${size}`;
  let p = overheadCache.get(key);
  if (p === undefined) {
    const kind = KINDS[resource];
    const probe = kind.parts(0, '', kind.name(0));
    const fixed = probe.segs.reduce((x, seg) => x + seg.length, 0) - kind.encodedLength(0) + probe.slots.length * '1234567'.length;
    const room = Math.max(16, size - fixed);
    if (kind.encodedLength(3) === 3) {
      p = configText(room);
    } else {
      // Base64 (a Secret): the raw text's escapes do not matter, only its length, 3 bytes per 4 of room.
      let raw = Math.floor((room * 3) / 4);
      while (raw > 16 && kind.encodedLength(raw) > room) raw--;
      p = configText(raw * 2).slice(0, raw);
    }
    overheadCache.set(key, p);
  }
  return p;
}

/** A ConfigMap's parts (the plane suite writes these through the real API). */
export function keyParts(k: number, payload: string, name = cmName(k)): KeyParts {
  return CONFIGMAPS.parts(k, payload, name);
}

/** One object's JSON. */
export function objectJson(parts: KeyParts, rv: number, seq: number): string {
  let s = parts.segs[0]!;
  for (let j = 0; j < parts.slots.length; j++) s += slotValue(parts.slots[j]!, rv, seq) + parts.segs[j + 1]!;
  return s;
}

export function eventLine(type: string, parts: KeyParts, rv: number, seq: number): string {
  return `{"type":"${type}","object":${objectJson(parts, rv, seq)}}\n`;
}

/** Renders the workload: the list items, event lines and markers, as strings or straight into buffers. */
export class Workload {
  readonly parts: KeyParts[];
  readonly payload: string;
  readonly kind: BenchKind;

  constructor(readonly shape: WorkloadShape) {
    this.kind = KINDS[shape.resource ?? 'configmaps'];
    this.payload = payloadFor(shape.size, this.kind.resource);
    this.parts = [];
    for (let k = 0; k < shape.n; k++) this.parts.push(this.kind.parts(k, this.payload, this.kind.name(k)));
  }

  /** Resource version of event i (0-based, counted over all phases). */
  rv(i: number): number {
    return LIST_RV + 1 + i;
  }

  listItem(k: number): string {
    return objectJson(this.parts[k]!, LIST_RV - this.shape.n + k, 0);
  }

  /** The i-th MODIFIED event line (with its newline). */
  line(i: number): string {
    return eventLine('MODIFIED', this.parts[i % this.shape.n]!, this.rv(i), i + 1);
  }

  /** The ADDED event of phase p's marker, a small object of the same kind that is not in the list. */
  markerLine(p: number, rv: number): string {
    const parts = this.kind.parts(900_000 + p, 'end', markerName(p));
    return eventLine('ADDED', parts, rv, 0);
  }
}

/** Writes event lines into buffers of about `chunk` bytes without building strings per event. */
export class LineEncoder {
  /** Per key, its segments as buffers (segments equal across keys share one buffer). */
  private readonly segs: Buffer[][];
  private readonly slots: readonly KeyParts['slots'][number][];
  private readonly pre = Buffer.from('{"type":"MODIFIED","object":');
  private readonly post = Buffer.from('}\n');
  readonly maxLine: number;

  constructor(private readonly w: Workload) {
    const interned = new Map<string, Buffer>();
    const buf = (s: string) => {
      let b = interned.get(s);
      if (!b) interned.set(s, (b = Buffer.from(s)));
      return b;
    };
    this.segs = w.parts.map((p) => p.segs.map(buf));
    this.slots = w.parts[0]?.slots ?? [];
    const longest = this.segs.reduce((m, s) => Math.max(m, s.reduce((x, b) => x + b.length, 0)), 0);
    this.maxLine = this.pre.length + longest + 20 * this.slots.length + this.post.length;
  }

  /** Writes event i at `at` and returns the offset after it. */
  write(buf: Buffer, at: number, i: number): number {
    const segs = this.segs[i % this.w.shape.n]!;
    const rv = this.w.rv(i);
    at += this.pre.copy(buf, at);
    at += segs[0]!.copy(buf, at);
    for (let j = 0; j < this.slots.length; j++) {
      const slot = this.slots[j]!;
      at += buf.write(slot === 'rv' ? String(rv) : slot === 'seq' ? String(i + 1) : slotValue(slot, rv, i + 1), at, 'latin1');
      at += segs[j + 1]!.copy(buf, at);
    }
    at += this.post.copy(buf, at);
    return at;
  }
}
