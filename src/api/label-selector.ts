/**
 * Validation of Kubernetes label selectors (the string form used in
 * `labelSelector=`), following apimachinery's grammar:
 *   selector    = requirement ("," requirement)*
 *   requirement = ["!"] key | key ("=" | "==" | "!=") value
 *               | key ("in" | "notin") "(" value ("," value)* ")"
 *               | key (">" | "<") integer
 * A key is [prefix "/"] name; a prefix is a DNS subdomain (<= 253), a name
 * (<= 63) is alphanumeric at both ends with "-", "_", "." inside. A value
 * is empty or a name.
 */

import { isDns1123Subdomain } from './names.js';

export type Operator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | '>' | '<';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type SelectorResult = { ok: true; requirements: Requirement[] } | { ok: false; error: string };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function keyError(key: string): string | undefined {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (!prefix) return `key "${key}": empty prefix before "/"`;
    if (!isDns1123Subdomain(prefix)) {
      return `key "${key}": prefix "${prefix}" is not a DNS subdomain`;
    }
  }
  if (!name) return `key "${key}": empty name`;
  if (name.length > 63) return `key "${key}": name longer than 63 characters`;
  if (!NAME.test(name)) return `key "${key}": name must be alphanumeric at both ends, with only "-", "_" or "." inside`;
  return undefined;
}

export function valueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `value "${value.slice(0, 20)}…": longer than 63 characters`;
  if (!NAME.test(value)) return `value "${value}": must be alphanumeric at both ends, with only "-", "_" or "." inside`;
  return undefined;
}

type Tok = { t: 'id' | 'op' | '(' | ')' | ',' | '!'; v: string; at: number };

function tokenize(s: string): Tok[] | string {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === ' ' || ch === '\t') { i++; continue; }
    if (ch === '(' || ch === ')' || ch === ',') { out.push({ t: ch, v: ch, at: i }); i++; continue; }
    if (ch === '!' && s[i + 1] === '=') { out.push({ t: 'op', v: '!=', at: i }); i += 2; continue; }
    if (ch === '!') { out.push({ t: '!', v: '!', at: i }); i++; continue; }
    if (ch === '=' && s[i + 1] === '=') { out.push({ t: 'op', v: '==', at: i }); i += 2; continue; }
    if (ch === '=' || ch === '>' || ch === '<') { out.push({ t: 'op', v: ch, at: i }); i++; continue; }
    const m = /^[^\s(),!=<>]+/.exec(s.slice(i));
    if (!m) return `unexpected character "${ch}" at position ${i}`;
    out.push({ t: 'id', v: m[0], at: i });
    i += m[0].length;
  }
  return out;
}

export function parseSelector(input: string): SelectorResult {
  if (input.trim() === '') return { ok: false, error: 'empty selector (it would match every pod)' };
  const toks = tokenize(input);
  if (typeof toks === 'string') return { ok: false, error: toks };
  const reqs: Requirement[] = [];
  let p = 0;
  const peek = () => toks[p];
  const fail = (msg: string): SelectorResult => ({ ok: false, error: msg });

  for (;;) {
    let negate = false;
    if (peek()?.t === '!') { negate = true; p++; }
    const k = peek();
    if (!k || k.t !== 'id') return fail(`expected a label key at position ${k?.at ?? input.length}`);
    p++;
    const ke = keyError(k.v);
    if (ke) return fail(ke);
    const next = peek();
    if (negate) {
      reqs.push({ key: k.v, op: '!', values: [] });
    } else if (!next || next.t === ',') {
      reqs.push({ key: k.v, op: 'exists', values: [] });
    } else if (next.t === 'op') {
      p++;
      const v = peek();
      let value = '';
      if (v && v.t === 'id') { value = v.v; p++; }
      if (next.v === '>' || next.v === '<') {
        if (!/^-?\d+$/.test(value)) return fail(`key "${k.v}": "${next.v}" needs an integer value`);
      } else {
        const ve = valueError(value);
        if (ve) return fail(ve);
      }
      reqs.push({ key: k.v, op: next.v as Operator, values: [value] });
    } else if (next.t === 'id' && (next.v === 'in' || next.v === 'notin')) {
      p++;
      if (peek()?.t !== '(') return fail(`key "${k.v}": "${next.v}" must be followed by "(values)"`);
      p++;
      const values: string[] = [];
      for (;;) {
        const v = peek();
        let value = '';
        if (v && v.t === 'id') { value = v.v; p++; }
        const ve = valueError(value);
        if (ve) return fail(ve);
        values.push(value);
        const sep = peek();
        if (sep?.t === ',') { p++; continue; }
        if (sep?.t === ')') { p++; break; }
        return fail(`key "${k.v}": missing ")" in "${next.v}" list`);
      }
      if (values.length === 1 && values[0] === '' ) return fail(`key "${k.v}": "${next.v}" needs at least one value`);
      reqs.push({ key: k.v, op: next.v, values });
    } else {
      return fail(`unexpected "${next.v}" after key "${k.v}" at position ${next.at}`);
    }
    const sep = peek();
    if (!sep) break;
    if (sep.t !== ',') return fail(`expected "," at position ${sep.at}, found "${sep.v}"`);
    p++;
    if (!peek()) return fail('trailing ","');
  }
  return { ok: true, requirements: reqs };
}
