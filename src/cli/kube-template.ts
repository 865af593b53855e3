/**
 * kubectl's JSONPath template (`-o jsonpath=TEMPLATE`), parsed: literal text,
 * `{EXPR}` actions, `{range EXPR}…{end}` and quoted literals such as
 * `{"\n"}`. This file only parses (synchronously, so a bad template is a
 * usage error before anything starts); kube-template-eval.ts evaluates.
 *
 * kubectl's paths are a dialect, not RFC 9535 JSONPath: a field name runs to
 * the next `.` or `[` and may hold `-` and `/` (`\.` is a literal dot, for
 * annotation keys like `k8spatterns\.io/podDeleteSelector`), and a path is
 * relative to the current node (`.`/`@`) unless it starts with `$`. Each path
 * is translated here into an RFC 9535 query (`$['metadata']['name']`), whose
 * brackets (`[*]`, `[0]`, `[1:3]`, `[?(@.type=="Ready")]`, `['a.b']`) pass
 * through as written; the library evaluates that query.
 */
import { UsageError } from '../base/errors.js';

/** One path: an RFC 9535 query, from the root or the current node; its first field name, if any. */
export interface TemplatePath {
  query: string;
  fromRoot: boolean;
  firstField: string | undefined;
  source: string;
}

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'paths'; paths: TemplatePath[] }
  | { kind: 'range'; path: TemplatePath; body: TemplateNode[] };

export const TEMPLATE_HINT = `kubectl's JSONPath syntax, e.g. -o jsonpath='{.metadata.name}{"\\n"}' or '{range .items[*]}{.metadata.name}{"\\n"}{end}'`;

/** Where a template error is reported: `-o jsonpath` or the custom column it came from. */
function bad(where: string, what: string, template: string): UsageError {
  return new UsageError(`${where}: ${what} in template "${template}"`, TEMPLATE_HINT);
}

/** Parses a whole template; `where` names the flag in errors. */
export function parseTemplate(template: string, where = '-o jsonpath'): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: { body: TemplateNode[] }[] = [{ body: root }];
  let i = 0;
  let text = '';
  const flushText = () => {
    if (text !== '') stack[stack.length - 1]!.body.push({ kind: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const c = template[i]!;
    if (c !== '{') {
      if (c === '}') throw bad(where, `"}" at position ${i + 1} without "{"`, template);
      text += c;
      i++;
      continue;
    }
    const close = actionEnd(template, i, where);
    const inside = template.slice(i + 1, close).trim();
    i = close + 1;
    flushText();
    const body = stack[stack.length - 1]!.body;
    if (inside === 'end') {
      if (stack.length === 1) throw bad(where, '{end} without {range}', template);
      stack.pop();
    } else if (/^range(\s|$)/.test(inside)) {
      const expr = inside.slice(5).trim();
      if (expr === '') throw bad(where, '{range} without a path', template);
      const node: TemplateNode = { kind: 'range', path: parsePath(expr, where, template), body: [] };
      body.push(node);
      stack.push(node);
    } else if (inside.startsWith('"')) {
      body.push({ kind: 'text', text: unquote(inside, where, template) });
    } else {
      const words = splitWords(inside);
      if (words.length === 0) throw bad(where, 'an empty {}', template);
      body.push({ kind: 'paths', paths: words.map((w) => parsePath(w, where, template)) });
    }
  }
  flushText();
  if (stack.length > 1) throw bad(where, '{range} without {end}', template);
  return root;
}

/** The index of the `}` closing the action opened at `open` (quotes and brackets skipped). */
function actionEnd(template: string, open: number, where: string): number {
  let depth = 0;
  let quote = '';
  for (let j = open + 1; j < template.length; j++) {
    const c = template[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '}' && depth <= 0) return j;
  }
  throw bad(where, `"{" at position ${open + 1} is never closed`, template);
}

/** A quoted literal, `"\n"`, with JSON's escapes (those of Go's strconv.Unquote that templates use). */
function unquote(inside: string, where: string, template: string): string {
  try {
    const v: unknown = JSON.parse(inside);
    if (typeof v === 'string') return v;
  } catch {
    // reported below
  }
  throw bad(where, `bad quoted text ${inside}`, template);
}

/** Splits an action's content at blanks outside brackets and quotes: `{.a .b}` prints both. */
function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\') cur += s[j++] ?? '';
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    if (!quote && depth === 0 && /\s/.test(c)) {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) words.push(cur);
  return words;
}

/** Translates one kubectl path (`.items[*].metadata.name`, `$.kind`, `..name`) into RFC 9535; see the file's comment. */
export function parsePath(src: string, where: string, template: string): TemplatePath {
  let i = 0;
  let fromRoot = false;
  if (src[0] === '$') (fromRoot = true), i++;
  else if (src[0] === '@') i++;
  else if (src[0] !== '.' && src[0] !== '[') throw bad(where, `path "${src}" must start with "." (e.g. .metadata.name)`, template);
  let query = '$';
  let firstField: string | undefined;
  let first = true;
  while (i < src.length) {
    let descend = false;
    if (src.startsWith('..', i)) (descend = true), (i += 2);
    else if (src[i] === '.') i++;
    if (i >= src.length) {
      if (descend) throw bad(where, `path "${src}" ends in ".."`, template);
      break;
    }
    if (src[i] === '[') {
      const close = bracketEnd(src, i, where, template);
      query += (descend ? '..' : '') + src.slice(i, close + 1);
      i = close + 1;
    } else if (src[i] === '*') {
      query += descend ? '..*' : '[*]';
      i++;
    } else {
      let name = '';
      while (i < src.length && src[i] !== '.' && src[i] !== '[') {
        if (src[i] === '\\' && src[i + 1] === '.') i++;
        name += src[i++];
      }
      if (first && !descend) firstField = name;
      query += `${descend ? '..' : ''}[${JSON.stringify(name)}]`;
    }
    first = false;
  }
  return { query, fromRoot, firstField, source: src };
}

/** The index of the `]` closing the bracket at `open` (nested brackets and quotes skipped). */
function bracketEnd(src: string, open: number, where: string, template: string): number {
  let depth = 0;
  let quote = '';
  for (let j = open; j < src.length; j++) {
    const c = src[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j;
  }
  throw bad(where, `"[" in path "${src}" is never closed`, template);
}
