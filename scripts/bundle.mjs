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
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
      if (/childProcess\.(?!spawn\b)/.test(src)) throw new Error(`bundle: commander's ${args.path} uses more of node:child_process than spawn: widen the stand-in below`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: src.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * esbuild puts a module in a chunk by the set of entry points that reach it
 * (the entry, and every `import()` target), so the modules main.js reaches
 * came out as 17 chunks (one per set of commands sharing them), and Node
 * loads each as an ES module of its own: importing them took 15–24 ms, the
 * same code as one module 8–11 ms (issue #18, `cmwatch --help`). Every
 * `import()` target here is loaded only after main.js (entry → main → a
 * command → its actions), so each is built as if it also imported main.js:
 * the modules main reaches then share one set, one chunk. Nothing changes at
 * run time, as long as no target is also reached statically from main.js or
 * entry.js (then the added import would be a cycle): the build checks that.
 */
const src = join(root, 'dist', 'src');
const mainModule = join(src, 'cli', 'main.js');
function lazyTargets(dir, found = new Set()) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) lazyTargets(p, found);
    else if (e.name.endsWith('.js')) {
      for (const m of readFileSync(p, 'utf8').matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) found.add(resolve(dirname(p), m[1]));
    }
  }
  return found;
}
const lazy = lazyTargets(src);
if (!lazy.has(mainModule)) throw new Error('bundle: dist/src/cli/main.js is no longer loaded with import(): the chunk layout below assumes it is');
const afterMain = {
  name: 'after-main',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!lazy.has(args.path) || args.path === mainModule) return undefined;
      const rel = relative(dirname(args.path), mainModule);
      const spec = rel.startsWith('.') ? rel : `./${rel}`;
      return { contents: `import ${JSON.stringify(spec)};\n${readFileSync(args.path, 'utf8')}`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: { entry: 'dist/src/cli/entry.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and comments out, names kept: the source V8 keeps for lazy compiles is 456 KB
  // instead of 647 (0.26 MiB less heap in a running watch) and `cmwatch --help` parses less
  // (issue #18). A stack trace still names the functions, but a chunk is now a line or a few, so
  // its positions are columns; dist/src (tsc's output, unbundled) has the readable lines.
  minifyWhitespace: true,
  plugins: [bundleCommander, afterMain],
  // commander is CommonJS: its require() calls of Node's modules need a require in an ES module.
  banner: { js: "import { createRequire as __cmwatchRequire } from 'node:module'; const require = __cmwatchRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});

/** The modules reached from `from` by static imports alone (esbuild's view of the inputs). */
function staticClosure(inputs, from) {
  const seen = new Set();
  const todo = [from];
  while (todo.length > 0) {
    const p = todo.pop();
    if (seen.has(p) || !inputs[p]) continue;
    seen.add(p);
    for (const i of inputs[p].imports) if (i.kind === 'import-statement' && !i.external) todo.push(i.path);
  }
  return seen;
}
const inputs = result.metafile.inputs;
const rel = (p) => relative(root, p).split('\\').join('/');
for (const from of ['dist/src/cli/main.js', 'dist/src/cli/entry.js']) {
  const reached = staticClosure(inputs, from);
  const bad = [...lazy].map(rel).filter((t) => t !== 'dist/src/cli/main.js' && reached.has(t));
  if (bad.length > 0) throw new Error(`bundle: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} loaded with import() and also imported statically from ${from}: the after-main layout would make a cycle`);
}

/**
 * The root's help text for entry.js (`cmwatch --help` alone, not on a
 * terminal): what main.ts's program prints there, for each name a bin runs
 * it under, rendered from tsc's output of the same sources in a child
 * process with a bare environment (the text must not depend on where it was
 * built; test/unit/cli/root-help.test.ts compares it with a live render).
 */
const { execFileSync } = await import('node:child_process');
const render = `
  const { renderRootHelp } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'src', 'cli', 'root-help.js')).href)});
  process.stdout.write(JSON.stringify({ cmwatch: renderRootHelp('cmwatch'), 'kubectl cmwatch': renderRootHelp('kubectl cmwatch') }));
`;
const texts = execFileSync(process.execPath, ['--input-type=module', '-e', render], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
writeFileSync(join(outdir, 'root-help.json'), texts);
