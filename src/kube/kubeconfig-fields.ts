/**
 * Type checks for the fields of a parsed kubeconfig: each error names where
 * the field is (`kubeconfig F: user "u"`), the field and what it holds.
 */
import { isRecord } from '../base/records.js';
import { KubeconfigError } from './errors.js';

export type Obj = Record<string, unknown>;

/** kubeconfig's name for base/records.ts isRecord. */
export const isObj: (v: unknown) => v is Obj = isRecord;

/** `a string`, `a list`, `a mapping`, `null`… for messages. */
export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Reads optional scalar fields of one entry; `where` prefixes every message. */
export class FieldReader {
  constructor(readonly where: string) {}

  /** A string field; absent, null and '' are undefined. */
  str(o: Obj, key: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new KubeconfigError(`${this.where}: ${key} must be a string, got ${typeName(v)}`, 'quote the value in the kubeconfig');
    return v;
  }

  /** A boolean field; absent and null are false. */
  bool(o: Obj, key: string): boolean {
    const v = o[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new KubeconfigError(`${this.where}: ${key} must be true or false, got ${JSON.stringify(v)}`, `write ${key}: true`);
    return v;
  }
}
