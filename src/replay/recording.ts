/**
 * Reading a recording for `cmwatch replay`: NDJSON, one `{"type","object"}`
 * event per line, as `cmwatch -o json` prints it. The type is SYNC, ADDED,
 * MODIFIED or DELETED and the object a ConfigMap with a metadata.name.
 * BOOKMARK lines (from a raw API watch stream) are ignored; blank lines too.
 * Any other line is malformed: it is reported with its line number, and the
 * caller decides what to do (replay skips it and exits 2 at the end).
 * Lines are read with bounded memory (base/line-framer.ts): a line longer
 * than maxLineBytes is malformed and is not buffered whole.
 */
import { EVENT_TYPES, type EventType, type K8sObject, type WatchEvent } from '../api/types.js';
import { LineFramer } from '../base/line-framer.js';
import { MAX_LINE_BYTES } from '../watch/ndjson.js';
import { unparsableDetails } from '../base/safe-text.js';

export type RecordedLine =
  | { line: number; event: WatchEvent }
  | { line: number; ignored: string }
  | { line: number; error: string };

/** Validates one parsed line; returns the event or why it is not one. */
export function toEvent(value: unknown): WatchEvent | { ignored: string } | { error: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'not a JSON object' };
  const v = value as { type?: unknown; object?: unknown };
  if (typeof v.type !== 'string') return { error: 'no "type" string' };
  if (v.type === 'BOOKMARK') return { ignored: 'BOOKMARK' };
  if (!(EVENT_TYPES as readonly string[]).includes(v.type)) {
    return { error: `unknown event type "${v.type.slice(0, 40)}" (expected ${EVENT_TYPES.join(', ')})` };
  }
  if (!v.object || typeof v.object !== 'object' || Array.isArray(v.object)) return { error: 'no "object"' };
  const obj = v.object as K8sObject;
  const m = obj.metadata;
  if (!m || typeof m !== 'object' || typeof m.name !== 'string' || m.name === '') return { error: 'the object has no metadata.name' };
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return { error: 'metadata.namespace is not a string' };
  return { type: v.type as EventType, object: obj };
}

function parseLine(text: string): WatchEvent | { ignored: string } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Described, not quoted: the line may be a Secret cut in half (base/safe-text.ts).
    return { error: `not JSON (${unparsableDetails(text, err)})` };
  }
  return toEvent(value);
}

export async function* readRecording(input: AsyncIterable<Buffer | string>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<RecordedLine> {
  const framer = new LineFramer({ maxLineBytes, overflow: 'truncate' });
  let line = 0;
  let out: RecordedLine[] = [];
  const onLine = (bytes: Buffer, _total: number, cut: number) => {
    line++;
    if (cut > 0) {
      out.push({ line, error: `line longer than ${maxLineBytes} bytes` });
      return;
    }
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    const r = parseLine(text);
    out.push('type' in r ? { line, event: r } : { line, ...r });
  };
  for await (const chunk of input) {
    framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, onLine);
    yield* take();
  }
  framer.end(onLine);
  yield* take();

  function take(): RecordedLine[] {
    const lines = out;
    out = [];
    return lines;
  }
}
