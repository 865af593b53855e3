/**
 * Validation of Kubernetes field selectors (the string form used in
 * `fieldSelector=`), with the rules of apimachinery's fields.ParseSelector
 * (pkg/fields/selector.go, checked against v0.36.3, which the API server
 * applies before anything else):
 *   selector = term ("," term)*     an empty term (",," or a trailing ",") is skipped
 *   term     = field op value       op: the first "!=", "==" or "=" in the term
 * A "," preceded by a backslash does not end a term. In a value, "\\", "\,"
 * and "\=" stand for "\", "," and "="; any other backslash sequence, a lone
 * trailing backslash, and an unescaped "=" are errors. The empty string
 * selects everything. No other escape exists: "\!" is an error on the server
 * too ("invalid escape sequence: \!").
 *
 * One check goes further than ParseSelector: an empty field ("=x") is refused
 * here, since no resource has a field "" and the server refuses it anyway.
 * Which fields a resource supports is the server's to say (metadata.name and
 * metadata.namespace everywhere, a few more on some kinds).
 */

export type FieldOperator = '=' | '==' | '!=';

export interface FieldTerm {
  field: string;
  op: FieldOperator;
  /** The value with its escapes undone. */
  value: string;
}

export type FieldSelectorResult = { ok: true; terms: FieldTerm[] } | { ok: false; error: string };

/** The terms, split at every "," that no backslash escapes; the escapes stay in the terms. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Where the first operator starts, and which; at each position "!=" then "==" then "=". */
function findOperator(term: string): { at: number; op: FieldOperator } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith('!=', i)) return { at: i, op: '!=' };
    if (term.startsWith('==', i)) return { at: i, op: '==' };
    if (term[i] === '=') return { at: i, op: '=' };
  }
  return undefined;
}

/** A value with its escapes undone, or what is wrong with it. */
export function unescapeFieldValue(raw: string): { ok: true; value: string } | { ok: false; error: string } {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\') {
      const next = raw[i + 1];
      if (next === undefined) return { ok: false, error: 'the value ends with a lone "\\" (write "\\\\" for a backslash)' };
      if (next !== '\\' && next !== ',' && next !== '=') {
        return { ok: false, error: `invalid escape sequence "\\${next}" in the value (the escapes are \\\\, \\, and \\=)` };
      }
      out += next;
      i++;
    } else if (ch === '=') {
      return { ok: false, error: 'unescaped "=" in the value (write "\\=")' };
    } else {
      out += ch;
    }
  }
  return { ok: true, value: out };
}

/** Parses a field selector; see the file's comment for the rules. */
export function parseFieldSelector(input: string): FieldSelectorResult {
  const terms: FieldTerm[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') continue;
    const found = findOperator(term);
    if (!found) return { ok: false, error: `term "${term}" has no operator (use field=value, field==value or field!=value)` };
    const field = term.slice(0, found.at);
    if (field === '') return { ok: false, error: `term "${term}" has no field before "${found.op}"` };
    const v = unescapeFieldValue(term.slice(found.at + found.op.length));
    if (!v.ok) return { ok: false, error: `term "${term}": ${v.error}` };
    terms.push({ field, op: found.op, value: v.value });
  }
  return { ok: true, terms };
}

/** Whether an object's field values (field path → value; absent: "") satisfy every term. */
export function fieldsMatch(terms: readonly FieldTerm[], fields: Readonly<Record<string, string>>): boolean {
  return terms.every((t) => ((fields[t.field] ?? '') === t.value) === (t.op !== '!='));
}
