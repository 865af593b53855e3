/**
 * Evaluates a parsed kubectl JSONPath template (kube-template.ts) against one
 * object, as kubectl prints it: several results of one path joined by a
 * space, strings as they are, numbers and booleans as text, maps and lists
 * as compact JSON; a missing field prints nothing (kubectl's default,
 * --allow-missing-template-keys=true).
 *
 * The root is the event's object. kubectl users' list templates,
 * `{range .items[*]}…{end}` and `{.items[*].metadata.name}`, work unchanged:
 * at the root, `.items` of an object that has no `items` field is the list
 * of that one object.
 *
 * The path queries run on jsonpath-rfc9535 (RFC 9535 JSONPath), imported
 * only when a template is compiled, so `watch` without -o jsonpath never
 * loads it.
 */
import { UsageError } from '../base/errors.js';
import { TEMPLATE_HINT, type TemplateNode, type TemplatePath } from './kube-template.js';

type Query = (input: unknown, expression: string) => unknown[];

/** A compiled template: the text for one object. */
export type Render = (obj: unknown) => string;

/** Loads the library and checks every query once (a bad bracket is a usage error before anything starts). */
export async function compileTemplate(nodes: TemplateNode[], where = '-o jsonpath', template = ''): Promise<Render> {
  const { query } = (await import('jsonpath-rfc9535')) as unknown as { query: Query };
  forEachPath(nodes, (p) => {
    try {
      query({}, p.query);
    } catch (err) {
      throw new UsageError(`${where}: path "${p.source}" is not valid JSONPath in template "${template}"`, TEMPLATE_HINT, err);
    }
  });
  return (obj) => render(nodes, obj, obj, query);
}

function forEachPath(nodes: TemplateNode[], fn: (p: TemplatePath) => void): void {
  for (const n of nodes) {
    if (n.kind === 'paths') n.paths.forEach(fn);
    else if (n.kind === 'range') fn(n.path), forEachPath(n.body, fn);
  }
}

function render(nodes: TemplateNode[], root: unknown, current: unknown, query: Query): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'paths') out += n.paths.map((p) => evaluate(p, root, current, query).map(valueText).join(' ')).join('');
    else for (const item of evaluate(n.path, root, current, query)) out += render(n.body, root, item, query);
  }
  return out;
}

/** The results of one path; `.items` at the root of a single object is that object, as a list of one. */
export function evaluate(p: TemplatePath, root: unknown, current: unknown, query: Query): unknown[] {
  let node = p.fromRoot ? root : current;
  if (node === root && p.firstField === 'items' && isMap(root) && !Object.hasOwn(root, 'items')) node = { items: [root] };
  return query(node, p.query);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** How kubectl prints one value. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
