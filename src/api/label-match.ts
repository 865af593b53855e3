/**
 * Evaluates a parsed label selector against an object's labels, as the API
 * server does for `labelSelector=` (used where there is no server: replay).
 */
import type { Requirement } from './label-selector.js';

export function labelsMatch(reqs: readonly Requirement[], labels: Record<string, string> | undefined = {}): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key]! : undefined;
    switch (r.op) {
      case 'exists': return has;
      case '!': return !has;
      case '=': case '==': return has && v === r.values[0];
      case '!=': return !has || v !== r.values[0];
      case 'in': return has && r.values.includes(v!);
      case 'notin': return !has || !r.values.includes(v!);
      case '>': return has && /^-?\d+$/.test(v!) && Number(v) > Number(r.values[0]);
      case '<': return has && /^-?\d+$/.test(v!) && Number(v) < Number(r.values[0]);
    }
  });
}
