/**
 * The layout's one rule, checked: data flows one way. A file of a stage
 * imports only its own stage and the stages before it in STAGES (type-only
 * imports included), so the engine never reaches up into ops/ or cli/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from '../../helpers/cli.js';

const STAGES = ['base', 'api', 'kube', 'watch', 'queue', 'handlers', 'replay', 'ops', 'cli'];
const SRC = join(ROOT, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

test('src/ has exactly the stages of the layout', () => {
  // Folders with no .ts file in them (left behind by a move: git does not track empty folders) do not count.
  const dirs = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && tsFiles(join(SRC, e.name)).length > 0).map((e) => e.name).sort();
  assert.deepEqual(dirs, [...STAGES].sort());
});

test('every import goes to the same stage or an earlier one', () => {
  const wrong: string[] = [];
  const spec = /(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of tsFiles(SRC)) {
    const stage = relative(SRC, file).split('/')[0]!;
    for (const m of readFileSync(file, 'utf8').matchAll(spec)) {
      const target = relative(SRC, normalize(join(dirname(file), m[1]!))).split('/')[0]!;
      if (STAGES.indexOf(target) > STAGES.indexOf(stage)) wrong.push(`${relative(ROOT, file)} imports ${m[1]} (${stage} → ${target})`);
    }
  }
  assert.deepEqual(wrong, []);
});
