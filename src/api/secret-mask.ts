/**
 * Masking a Secret's values in text cmwatch logs on a handler's behalf. A
 * handler gets the Secret on stdin and its stdout and stderr are logged line
 * by line: a handler that prints what it got (`jq .`, a debug echo) would
 * otherwise put the values in cmwatch's log. Every value of `data` (as sent,
 * base64, and decoded when it is UTF-8 text), of `stringData`, and each line
 * of a multi-line value, JSON-escaped too, is replaced by MASK.
 *
 * Limits: values shorter than MIN_MASKED characters are left alone (masking
 * "1" or "on" everywhere would garble the output, and says little); a value
 * the handler transforms (re-encodes, splits) is not recognized. Objects of
 * other kinds (a ConfigMap's data is not secret) are not masked.
 */
import type { K8sObject } from './types.js';

export const MASK = '[redacted]';
export const MIN_MASKED = 4;

/** The UTF-8 text a base64 value stands for, if it is valid base64 of valid UTF-8. */
function decoded(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text.includes('\uFFFD') ? undefined : text;
}

/** The forms of one value a handler's output may show: itself, each of its lines, JSON-escaped. */
function forms(v: string): string[] {
  const out = [v, ...v.split(/\r?\n/)];
  for (const s of [...out]) out.push(JSON.stringify(s).slice(1, -1));
  return out;
}

/** The strings to mask for this object (longest first), or none when it is not a Secret. */
export function secretValues(obj: K8sObject): string[] {
  if (obj.kind !== 'Secret') return [];
  const found = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v !== 'string') return;
    for (const f of forms(v)) if (f.trim().length >= MIN_MASKED) found.add(f);
  };
  const data = obj.data;
  if (data && typeof data === 'object') {
    for (const v of Object.values(data as Record<string, unknown>)) {
      add(v);
      if (typeof v === 'string') add(decoded(v));
    }
  }
  const stringData = obj.stringData;
  if (stringData && typeof stringData === 'object') for (const v of Object.values(stringData as Record<string, unknown>)) add(v);
  return [...found].sort((a, b) => b.length - a.length);
}

/** A function that masks the object's secret values in a line, or undefined when there is nothing to mask. */
export function secretMask(obj: K8sObject): ((line: string) => string) | undefined {
  const values = secretValues(obj);
  if (values.length === 0) return undefined;
  return (line) => {
    let out = line;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  };
}
