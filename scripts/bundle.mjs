#!/usr/bin/env node
// npm run build (after tsc): bundles tsc's output for the CLI, from
// dist/src/cli/entry.js, into dist/bundle/, which the bins import. One file
// per entry and shared chunks in place of ~60 modules: Node resolves,
// reads and compiles far fewer files before `cmwatch --help` answers
// (issue #18, cold start). The dependencies (node_modules) stay imports;
// each `import()` (the run-*.js commands, the actions, prom-client…) stays
// a chunk of its own, loaded when it runs. dist/bundle/ is rewritten whole.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { entry: 'dist/src/cli/entry.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
