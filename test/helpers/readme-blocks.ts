/**
 * Code blocks of README.md marked with `<!-- quickstart: NAME -->` on the line
 * before the fence, so e2e tests run the README's own text, not a retyped copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export function readmeBlocks(marker: string, file = join(ROOT, 'README.md')): Map<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = new Map<string, string>();
  const re = new RegExp(`^<!-- ${marker}: ([\\w-]+) -->$`);
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]!.trim());
    if (!m) continue;
    if (!/^```/.test(lines[i + 1] ?? '')) throw new Error(`README.md:${i + 1}: <!-- ${marker}: ${m[1]} --> is not followed by a fenced block`);
    const body: string[] = [];
    let j = i + 2;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]!); j++) body.push(lines[j]!);
    out.set(m[1]!, body.join('\n'));
    i = j;
  }
  return out;
}
