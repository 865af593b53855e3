/**
 * What the bins run first: `cmwatch --version` (or `-V`, alone) is answered
 * here, from package.json, before the command line's modules load (issue
 * #18: cold start within 1.5× of `node -e 0`); anything else loads main.ts,
 * which sets V8's settings for a small sidecar (ops/v8-defaults.ts) and starts
 * the idle collection (ops/idle-gc.ts) when a command that keeps running
 * starts (cli/long-running.ts).
 * The answer is the one commander gives: the version and a newline.
 *
 * `cmwatch --help` (or `-h`) alone, on a stdout that is not a terminal, is
 * answered from dist/bundle/root-help.json: the root's help text as
 * commander prints it there (80 columns, no colour), rendered by the build
 * (scripts/bundle.mjs) from the same program main.ts builds. Loading,
 * compiling and building that program took about two thirds of what `--help`
 * spent above `node -e 0` (issue #18, cold start). A terminal gets the help
 * built live (commander wraps it to the terminal's width), and so does a run
 * without the file (tsc's unbundled output).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownPackage, ownVersion } from '../base/own-package.js';

/** The file the build writes into dist/bundle/: { [program name]: the root help text }. */
export const ROOT_HELP_FILE = 'root-help.json';

/** `cmwatch --help` (or `-h`) alone: the root's own help. */
export function rootHelpOnly(args: readonly string[]): boolean {
  return args.length === 1 && (args[0] === '--help' || args[0] === '-h');
}

/** The root help text the build rendered for `name`, when the arguments ask for it alone; else undefined. */
export function builtRootHelp(args: readonly string[], name: string, dir?: string): string | undefined {
  if (!rootHelpOnly(args)) return undefined;
  let texts: Record<string, string>;
  try {
    // Found from the package's root, not from import.meta.url: the bundle moves this code into a chunk.
    texts = JSON.parse(readFileSync(join(dir ?? join(ownPackage().root, 'dist', 'bundle'), ROOT_HELP_FILE), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
  return Object.hasOwn(texts, name) ? texts[name] : undefined;
}

/** The version line when the arguments ask for the version alone, else undefined. */
export function versionOnly(args: readonly string[]): string | undefined {
  if (args.length !== 1 || (args[0] !== '--version' && args[0] !== '-V')) return undefined;
  return `${ownVersion()}\n`;
}

export async function run(argv: string[] = process.argv, name = 'cmwatch'): Promise<void> {
  const version = versionOnly(argv.slice(2));
  if (version !== undefined) {
    process.stdout.write(version);
    return;
  }
  const help = builtRootHelp(argv.slice(2), name);
  if (help !== undefined && !(await import('node:tty')).isatty(1)) {
    process.stdout.write(help);
    return;
  }
  const { main } = await import('./main.js');
  await main(argv, name);
}
