/**
 * What the bins run first: `cmwatch --version` (or `-V`, alone) is answered
 * here, from package.json, before the command line's modules load (issue
 * #18: cold start within 1.5× of `node -e 0`); anything else loads main.ts,
 * which sets V8's settings for a small sidecar (ops/v8-defaults.ts) and starts
 * the idle collection (ops/idle-gc.ts) when a command that keeps running
 * starts (cli/long-running.ts).
 * The answer is the one commander gives: the version and a newline.
 */
import { ownVersion } from '../base/own-package.js';

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
  const { main } = await import('./main.js');
  await main(argv, name);
}
