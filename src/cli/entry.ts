/**
 * What the bins run first: `cmwatch --version` (or `-V`, alone) is answered
 * here, from package.json, before the command line's modules load (issue
 * #18: cold start within 1.5× of `node -e 0`); anything else sets V8's
 * settings for a small sidecar (ops/v8-defaults.ts), starts the idle
 * collection (ops/idle-gc.ts) and loads main.ts.
 * The answer is the one commander gives: the version and a newline.
 */
import { ownVersion } from '../base/own-package.js';
import { applyV8Defaults } from '../ops/v8-defaults.js';
import { startIdleCollection } from '../ops/idle-gc.js';

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
  // Before the command line's modules load: the heap settings then hold from the first allocation.
  applyV8Defaults();
  // A quiet process gives back what its last burst left (ops/idle-gc.ts).
  startIdleCollection();
  const { main } = await import('./main.js');
  await main(argv, name);
}
