/**
 * cmwatch's own package.json and the folder it is in, found from wherever
 * this module runs: dist/src/base/ (tsc's output, as the tests load it) or
 * dist/bundle/ (the esbuild bundle the bins load, scripts/bundle.mjs), in a
 * checkout, an npm install or the container image. Nothing may count its
 * way up with '../..' from import.meta.url: the bundle moves every module.
 * The walk stops at the first package.json named cmwatch; the answer is
 * kept for the process.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OwnPackage {
  /** The folder holding cmwatch's package.json. */
  root: string;
  version: string;
}

let found: OwnPackage | undefined;

function readPackage(dir: string): { name?: unknown; version?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as { name?: unknown; version?: unknown };
}

export function ownPackage(): OwnPackage {
  if (found) return found;
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); ; ) {
    const pkg = readPackage(dir);
    if (pkg?.name === 'cmwatch' && typeof pkg.version === 'string') return (found = { root: dir, version: pkg.version });
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find cmwatch's package.json above ${here}`);
    dir = up;
  }
}

/** The version in cmwatch's package.json. */
export function ownVersion(): string {
  return ownPackage().version;
}
