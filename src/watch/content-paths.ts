/**
 * Content by field paths: a comma list such as `.spec, .metadata.labels,
 * .data.key` replaces the default content (shell-operator's jqFilter,
 * without jq). The grammar is jq's path subset:
 *
 *   list    = path ("," path)*              spaces around a path are allowed
 *   path    = "." | step+
 *   step    = "." name | "." string | "[" string "]" | "." "[" string "]"
 *           | "[" index "]" | "." "[" index "]"
 *   name    = [A-Za-z0-9_-]+                a key with other characters is quoted:
 *   string  = a JSON string                 .metadata.labels["app.kubernetes.io/name"]
 *   index   = 0 | [1-9][0-9]*               an array element
 *
 * `.` alone is the whole object. A path that does not reach a value (a
 * missing key, an index past the end, a step into a string) is *absent*,
 * which is not the same content as `null`. Paths are compared by their
 * steps, so `.data.key` and `.data["key"]` are the same path (given twice,
 * it counts once).
 */
import { InvalidValueError } from '../base/errors.js';
import { ABSENT, canonicalText } from './canonical.js';
import type { ContentFunction } from './content.js';

/** One step: a key of an object or an index of an array. */
export type PathStep = string | number;

/** Why a path list was refused (the `reason` of ContentPathError). */
export type ContentPathReason =
  | 'content_path_empty'
  | 'content_path_no_dot'
  | 'content_path_empty_step'
  | 'content_path_bad_character'
  | 'content_path_bad_string'
  | 'content_path_bad_index';

const HINT = 'give field paths separated by ",", e.g. .spec,.metadata.labels,.data["app.properties"]';

/**
 * A path list that cannot be parsed: `value` (and `path`) is the offending
 * path, `position` where it went wrong, as an offset of the whole list; the
 * message gives it as an offset of the path.
 */
export class ContentPathError extends InvalidValueError {
  constructor(reason: ContentPathReason, readonly path: string, readonly position: number, why: string) {
    super(reason, path, `content path ${JSON.stringify(path)}: ${why}`, HINT);
    this.name = 'ContentPathError';
  }
}

const NAME_CHAR = /[A-Za-z0-9_-]/;

/** Parses a comma list of paths into their steps; throws ContentPathError for the first bad path. */
export function parseContentPaths(list: string): PathStep[][] {
  const p = new PathParser(list);
  const out: PathStep[][] = [];
  do out.push(p.path()); while (p.comma());
  return out;
}

/** A cursor over the list; each method reads one part of the grammar. */
class PathParser {
  private i = 0;
  private start = 0;
  constructor(private readonly s: string) {}

  /** The path being read, up to the next comma outside a string (for messages). */
  private current(): string {
    let j = this.start;
    let quoted = false;
    for (; j < this.s.length; j++) {
      const c = this.s[j];
      if (quoted && c === '\\') j++;
      else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) break;
    }
    return this.s.slice(this.start, j).trim();
  }

  /** Throws for the current path: `why`, then where (`offset`, of the list) as an offset of the path. */
  private fail(reason: ContentPathReason, offset: number, why: string): never {
    throw new ContentPathError(reason, this.current(), offset, `${why} at offset ${offset - this.start}`);
  }

  private spaces(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  /** After a path: true past a comma, false at the end. */
  comma(): boolean {
    this.spaces();
    if (this.i >= this.s.length) return false;
    if (this.s[this.i] !== ',') this.fail('content_path_bad_character', this.i, `unexpected ${JSON.stringify(this.s[this.i])}`);
    this.i++;
    return true;
  }

  path(): PathStep[] {
    this.spaces();
    this.start = this.i;
    const c = this.s[this.i];
    if (c === undefined || c === ',') this.fail('content_path_empty', this.i, 'empty path (a path starts with ".", e.g. .spec)');
    if (c !== '.') this.fail('content_path_no_dot', this.i, 'a path starts with "."');
    const steps: PathStep[] = [];
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === '.') {
        this.i++;
        const next = this.s[this.i];
        if (next === '[') continue;
        if (next === '"') steps.push(this.string());
        else if (next !== undefined && NAME_CHAR.test(next)) steps.push(this.name());
        else if (steps.length === 0 && this.i - 1 === this.start && this.atPathEnd()) return steps;
        else this.fail('content_path_empty_step', this.i - 1, 'no field name after "."');
      } else if (ch === '[') {
        steps.push(this.bracket());
      } else if (this.atPathEnd()) {
        break;
      } else {
        this.fail('content_path_bad_character', this.i, `unexpected ${JSON.stringify(ch)}`);
      }
    }
    return steps;
  }

  private atPathEnd(): boolean {
    const c = this.s[this.i];
    return c === undefined || c === ',' || c === ' ' || c === '\t';
  }

  private name(): string {
    const from = this.i;
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i]!)) this.i++;
    return this.s.slice(from, this.i);
  }

  /** A JSON string at the cursor, decoded. */
  private string(): string {
    const from = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail('content_path_bad_string', from, 'unterminated string');
    this.i++;
    try {
      const key = JSON.parse(this.s.slice(from, this.i)) as string;
      if (key === '') this.fail('content_path_empty_step', from, 'empty field name');
      return key;
    } catch (err) {
      if (err instanceof ContentPathError) throw err;
      return this.fail('content_path_bad_string', from, 'not a JSON string');
    }
  }

  /** `[string]` or `[index]`. */
  private bracket(): PathStep {
    const from = this.i;
    this.i++;
    let step: PathStep;
    if (this.s[this.i] === '"') {
      step = this.string();
    } else {
      const m = /^[0-9]+/.exec(this.s.slice(this.i));
      if (!m) this.fail('content_path_bad_index', this.i, 'no index (0, 1, …) or quoted key after "["');
      const digits = m[0];
      if (digits.length > 1 && digits[0] === '0') this.fail('content_path_bad_index', this.i, `index ${digits} has a leading zero`);
      step = Number(digits);
      if (!Number.isSafeInteger(step)) this.fail('content_path_bad_index', this.i, `index ${digits} too large`);
      this.i += digits.length;
    }
    if (this.s[this.i] !== ']') this.fail('content_path_bad_character', from, 'unclosed "["');
    this.i++;
    return step;
  }
}

/** The value at `steps` in `v`, or undefined when the path does not reach one. */
export function valueAt(v: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = v;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return undefined;
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

/**
 * A content function of the given paths (a comma list, parsed now, so a bad
 * list fails at once with ContentPathError). Its text: `p` + N `:`, then for
 * each distinct path in the order given, the canonical text of its steps and
 * of its value (`-` for absent; canonical.ts).
 */
export function contentPaths(list: string): ContentFunction {
  const seen = new Set<string>();
  const paths: Array<{ steps: PathStep[]; text: string }> = [];
  for (const steps of parseContentPaths(list)) {
    const text = canonicalText(steps);
    if (seen.has(text)) continue;
    seen.add(text);
    paths.push({ steps, text });
  }
  const head = 'p' + paths.length + ':';
  return (obj) => {
    let s = head;
    for (const p of paths) {
      const v = valueAt(obj, p.steps);
      s += p.text + (v === undefined ? ABSENT : canonicalText(v));
    }
    return s;
  };
}
