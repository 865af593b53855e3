#!/usr/bin/env node
// npm run build (after tsc): bundles tsc's output for the CLI, from
// dist/src/cli/entry.js, into dist/bundle/, which the bins import. One file
// per entry and shared chunks in place of ~60 modules: Node resolves,
// reads and compiles far fewer files before `cmwatch --help` answers
// (issue #18, cold start). The dependencies (node_modules) stay imports,
// except commander, which every command line parses with: bundled, it is
// compiled with the rest instead of going through Node's CommonJS loader
// and export scan (7 files), and its node:child_process (used only to run
// executable subcommands, which cmwatch has none of) is required when first
// used. Each `import()` (the run-*.js commands, the actions, prom-client…)
// stays a chunk of its own, loaded when it runs. dist/bundle/ is rewritten whole.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

/** Every package is external but commander; commander's command.js gets child_process on first use. */
const bundleCommander = {
  name: 'bundle-commander',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path === 'commander' || args.importer.includes(`${join('node_modules', 'commander')}`)) return undefined;
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!src.includes(eager)) throw new Error(`bundle: commander's ${args.path} no longer requires node:child_process as expected`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: src.replace(eager, lazy), loader: 'js' };
    });
  },
};

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
  plugins: [bundleCommander],
  // commander is CommonJS: its require() calls of Node's modules need a require in an ES module.
  banner: { js: "import { createRequire as __cmwatchRequire } from 'node:module'; const require = __cmwatchRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
