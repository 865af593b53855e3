/**
 * The benchmark's workload: N ConfigMaps of a given size, then M MODIFIED
 * events that each change one of them (key i mod N, a new resource version
 * and a new `seq`, so change detection delivers every one of them).
 *
 * The same functions render the bench server's bytes and the in-process
 * JSON.parse baseline's lines, so both see exactly the same payload.
 */

export const NAMESPACE = 'bench';
export const SELECTOR_ANNOTATION = 'k8spatterns.io/podDeleteSelector';
/** The resource version of the list; event i has LIST_RV + 1 + i. */
export const LIST_RV = 1000;

export interface WorkloadShape {
  /** ConfigMaps in the list. */
  n: number;
  /** Target size of one object's JSON, in bytes (1024 or 65536). */
  size: number;
}

export function cmName(k: number): string {
  return `cm-${String(k).padStart(5, '0')}`;
}

/** The name of the ConfigMap whose ADDED event ends phase p (it is not in the list). */
export function markerName(p: number): string {
  return `bench-end-${p}`;
}

function uid(k: number): string {
  return `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
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

/** The parts of one key's objects that do not change between events. */
export interface KeyParts {
  /** `{"kind":…,"metadata":{…,"resourceVersion":"` */
  head: string;
  /** `"},"data":{"seq":"` */
  mid: string;
  /** `","config.ini":"<payload>"}}` */
  tail: string;
}

const overheadCache = new Map<number, string>();

/** The payload text for a size: the object's JSON is then about `size` bytes. */
export function payloadFor(size: number): string {
  let p = overheadCache.get(size);
  if (p === undefined) {
    const probe = keyParts(0, '');
    const fixed = probe.head.length + '1234567'.length + probe.mid.length + '1234567'.length + probe.tail.length;
    p = configText(Math.max(16, size - fixed));
    overheadCache.set(size, p);
  }
  return p;
}

export function keyParts(k: number, payload: string, name = cmName(k)): KeyParts {
  const meta = {
    name, namespace: NAMESPACE, uid: uid(k), creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { app: 'bench' }, annotations: { [SELECTOR_ANNOTATION]: `app=bench-${k}` },
  };
  const m = JSON.stringify(meta);
  return {
    head: `{"kind":"ConfigMap","apiVersion":"v1","metadata":${m.slice(0, -1)},"resourceVersion":"`,
    mid: '"},"data":{"seq":"',
    tail: `","config.ini":${JSON.stringify(payload)}}}`,
  };
}

/** One object's JSON. */
export function objectJson(parts: KeyParts, rv: number, seq: number): string {
  return parts.head + rv + parts.mid + seq + parts.tail;
}

export function eventLine(type: string, parts: KeyParts, rv: number, seq: number): string {
  return `{"type":"${type}","object":${objectJson(parts, rv, seq)}}\n`;
}

/** Renders the workload: the list items, event lines and markers, as strings or straight into buffers. */
export class Workload {
  readonly parts: KeyParts[];
  readonly payload: string;

  constructor(readonly shape: WorkloadShape) {
    this.payload = payloadFor(shape.size);
    this.parts = [];
    for (let k = 0; k < shape.n; k++) this.parts.push(keyParts(k, this.payload));
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

  /** The ADDED event of phase p's marker, a small ConfigMap that is not in the list. */
  markerLine(p: number, rv: number): string {
    const parts = keyParts(900_000 + p, 'end', markerName(p));
    return eventLine('ADDED', parts, rv, 0);
  }
}

/** Writes event lines into buffers of about `chunk` bytes without building strings per event. */
export class LineEncoder {
  private readonly heads: Buffer[];
  private readonly mid: Buffer;
  private readonly tail: Buffer;
  private readonly pre = Buffer.from('{"type":"MODIFIED","object":');
  private readonly post = Buffer.from('}\n');
  readonly maxLine: number;

  constructor(private readonly w: Workload) {
    this.heads = w.parts.map((p) => Buffer.from(p.head));
    this.mid = Buffer.from(w.parts[0]!.mid);
    this.tail = Buffer.from(w.parts[0]!.tail);
    this.maxLine = this.pre.length + Math.max(...this.heads.map((h) => h.length)) + 20 + this.mid.length + 20 + this.tail.length + this.post.length;
  }

  /** Writes event i at `at` and returns the offset after it. */
  write(buf: Buffer, at: number, i: number): number {
    at += this.pre.copy(buf, at);
    at += this.heads[i % this.w.shape.n]!.copy(buf, at);
    at += buf.write(String(this.w.rv(i)), at, 'latin1');
    at += this.mid.copy(buf, at);
    at += buf.write(String(i + 1), at, 'latin1');
    at += this.tail.copy(buf, at);
    at += this.post.copy(buf, at);
    return at;
  }
}
