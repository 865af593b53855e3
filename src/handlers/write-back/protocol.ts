/**
 * The write-back protocol: the JSON lines a handler appends to its
 * CMWATCH_OUTPUT file, parsed and checked without a cluster (live and in
 * `cmwatch replay` alike). One line is one operation:
 *
 *   {"status": {…}}                         merge patch of the triggering object's /status
 *   {"status": {…}, "of": {apiVersion, kind, name[, namespace]}}   … of another object
 *   {"apply": {<manifest>}[, "owned": false]}  server-side apply, owned by the triggering object
 *   {"event": {type, reason[, message][, action]}[, "of": {…}]}     an events.k8s.io/v1 Event
 *   {"delete": {apiVersion, kind, name[, namespace][, uid]}}        a delete
 *
 * Blank lines are skipped (they still count for line numbers). Anything else
 * is an InvalidWriteBackLine naming the handler, the line number and what is
 * wrong, and never quoting a value (a line may carry a Secret).
 */
import { CmwatchError } from '../../base/errors.js';
import { isRecord } from '../../base/records.js';
import { unparsableDetails } from '../../base/safe-text.js';
import { dns1123LabelError, objectNameError } from '../../api/object-path.js';
import type { K8sObject } from '../../api/types.js';

/** An object a line names: `of`, a delete's target. Namespace absent: the event's (for a namespaced kind). */
export interface ObjectTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export type EventKind = 'Normal' | 'Warning';

export type WriteOp =
  | { op: 'status'; of?: ObjectTarget; status: Record<string, unknown> }
  | { op: 'apply'; manifest: K8sObject; owned: boolean }
  | { op: 'event'; of?: ObjectTarget; type: EventKind; reason: string; message: string; action?: string }
  | { op: 'delete'; target: ObjectTarget; uid?: string };

/** One operation and where it came from. */
export interface WriteLine {
  handler: string;
  /** 1-based line number in the handler's CMWATCH_OUTPUT file. */
  line: number;
  op: WriteOp;
}

/** A line that is not a valid operation: nothing of the run's write-back is applied. */
export class InvalidWriteBackLine extends CmwatchError {
  constructor(readonly handler: string, readonly line: number, readonly why: string, hint?: string) {
    super('E_WRITE_BACK_LINE', `write-back: ${handler} CMWATCH_OUTPUT line ${line}: ${why}; nothing was applied`, {
      hint: hint ?? 'see "Operators in bash" in the README for the line types',
    });
    this.name = 'InvalidWriteBackLine';
  }
}

export const OPS = ['status', 'apply', 'event', 'delete'] as const;
/** events.k8s.io/v1 limits: reason and action 128 characters, note 1 KiB. */
export const EVENT_REASON_MAX = 128;
export const EVENT_NOTE_MAX_BYTES = 1024;

const API_VERSION = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

type Check = (why: string, hint?: string) => never;

/** Parses one handler's whole file; throws InvalidWriteBackLine at the first bad line. */
export function parseOutput(handler: string, text: string): WriteLine[] {
  const out: WriteLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    out.push({ handler, line: i + 1, op: parseLine(raw, (why, hint) => { throw new InvalidWriteBackLine(handler, i + 1, why, hint); }) });
  });
  return out;
}

function parseLine(raw: string, fail: Check): WriteOp {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    fail(`not JSON (${unparsableDetails(raw, err)})`, 'write one JSON object per line, e.g. jq -c');
  }
  if (!isRecord(v)) fail('not a JSON object', 'each line is one object such as {"status": {...}}');
  const ops = OPS.filter((k) => k in v);
  for (const k of Object.keys(v)) {
    if (!(OPS as readonly string[]).includes(k) && k !== 'of' && k !== 'owned') fail(`unknown key ${JSON.stringify(k)}`, `a line has one of ${OPS.join(', ')}, with "of" (status, event) or "owned" (apply)`);
  }
  if (ops.length !== 1) fail(ops.length === 0 ? `no operation (one of ${OPS.join(', ')})` : `more than one operation (${ops.join(', ')})`, 'write one operation per line');
  const op = ops[0]!;
  if ('of' in v && op !== 'status' && op !== 'event') fail(`"of" does not apply to ${op}`, op === 'delete' ? 'a delete names its object itself' : 'an apply names its object in the manifest');
  if ('owned' in v && op !== 'apply') fail(`"owned" only applies to apply`);
  const of = 'of' in v ? target(v.of, 'of', fail) : undefined;
  switch (op) {
    case 'status':
      if (!isRecord(v.status)) fail('"status" is not an object', 'the status line is a JSON merge patch of /status, e.g. {"status": {"phase": "Ready"}}');
      return { op, status: v.status, ...(of ? { of } : {}) };
    case 'apply':
      if ('owned' in v && typeof v.owned !== 'boolean') fail('"owned" is not true or false');
      return { op, manifest: manifest(v.apply, fail), owned: v.owned !== false };
    case 'event':
      return { ...event(v.event, fail), ...(of ? { of } : {}) };
    case 'delete': {
      const d = v.delete;
      if (!isRecord(d)) fail('"delete" is not an object', 'e.g. {"delete": {"apiVersion": "v1", "kind": "Pod", "name": "p"}}');
      const { uid, ...rest } = d;
      if (uid !== undefined && (typeof uid !== 'string' || uid === '')) fail('delete.uid is not a non-empty string');
      return { op, target: target(rest, 'delete', fail), ...(uid !== undefined ? { uid: uid as string } : {}) };
    }
  }
}

/** `of` or a delete's target: apiVersion, kind, name and an optional namespace, nothing else. */
function target(v: unknown, what: string, fail: Check): ObjectTarget {
  if (!isRecord(v)) fail(`"${what}" is not an object`, 'name the object with apiVersion, kind, name and optionally namespace');
  for (const k of Object.keys(v)) {
    if (!['apiVersion', 'kind', 'name', 'namespace'].includes(k)) fail(`${what}: unknown key ${JSON.stringify(k)}`, 'name the object with apiVersion, kind, name and optionally namespace');
  }
  const t = identity(v.apiVersion, v.kind, what, fail);
  const nameWhy = objectNameError(v.name);
  if (nameWhy) fail(`${what}.name: ${nameWhy}`);
  if (v.namespace !== undefined) {
    const nsWhy = dns1123LabelError(v.namespace);
    if (nsWhy) fail(`${what}.namespace: ${nsWhy}`);
  }
  return { ...t, name: v.name as string, ...(v.namespace !== undefined ? { namespace: v.namespace as string } : {}) };
}

function identity(apiVersion: unknown, kind: unknown, what: string, fail: Check): { apiVersion: string; kind: string } {
  if (apiVersion === undefined) fail(`${what}: missing apiVersion`, 'e.g. "apiVersion": "apps/v1"');
  if (typeof apiVersion !== 'string' || !API_VERSION.test(apiVersion)) fail(`${what}.apiVersion is not like v1 or group/v1`);
  if (kind === undefined) fail(`${what}: missing kind`, 'e.g. "kind": "Deployment"');
  if (typeof kind !== 'string' || !KIND.test(kind)) fail(`${what}.kind is not a Kind name like Deployment`);
  return { apiVersion, kind };
}

function manifest(v: unknown, fail: Check): K8sObject {
  if (!isRecord(v)) fail('"apply" is not an object', 'give the full manifest, e.g. {"apply": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}}');
  identity(v.apiVersion, v.kind, 'apply', fail);
  const m = v.metadata;
  if (!isRecord(m)) fail('apply: missing metadata', 'a manifest needs metadata.name');
  if (m.generateName !== undefined && m.name === undefined) fail('apply: metadata.generateName is not supported', 'server-side apply needs metadata.name');
  const nameWhy = objectNameError(m.name);
  if (nameWhy) fail(`apply.metadata.name: ${nameWhy}`);
  if (m.namespace !== undefined) {
    const nsWhy = dns1123LabelError(m.namespace);
    if (nsWhy) fail(`apply.metadata.namespace: ${nsWhy}`);
  }
  if (m.ownerReferences !== undefined && !Array.isArray(m.ownerReferences)) fail('apply.metadata.ownerReferences is not a list');
  return v as K8sObject;
}

function event(v: unknown, fail: Check): Extract<WriteOp, { op: 'event' }> {
  if (!isRecord(v)) fail('"event" is not an object', 'e.g. {"event": {"type": "Normal", "reason": "Synced", "message": "..."}}');
  for (const k of Object.keys(v)) {
    if (!['type', 'reason', 'message', 'action'].includes(k)) fail(`event: unknown key ${JSON.stringify(k)}`, 'an event has type, reason, message and optionally action');
  }
  if (v.type !== 'Normal' && v.type !== 'Warning') fail('event.type is not "Normal" or "Warning"');
  if (typeof v.reason !== 'string' || v.reason === '') fail('event: missing reason', 'a short CamelCase word, e.g. "reason": "Restarted"');
  if (v.reason.length > EVENT_REASON_MAX) fail(`event.reason is longer than ${EVENT_REASON_MAX} characters (${v.reason.length})`);
  if (v.message !== undefined && typeof v.message !== 'string') fail('event.message is not a string');
  const message = (v.message as string | undefined) ?? '';
  const bytes = Buffer.byteLength(message);
  if (bytes > EVENT_NOTE_MAX_BYTES) fail(`event.message is ${bytes} bytes; the API takes at most ${EVENT_NOTE_MAX_BYTES}`, 'shorten it');
  if (v.action !== undefined && (typeof v.action !== 'string' || v.action === '' || v.action.length > EVENT_REASON_MAX)) fail(`event.action is not a string of 1 to ${EVENT_REASON_MAX} characters`);
  return { op: 'event', type: v.type, reason: v.reason, message, ...(v.action !== undefined ? { action: v.action as string } : {}) };
}
