/**
 * --baseline=REV: another commit of cmwatch, built beside this one so that
 * both run in the same bench run (same machine, same moment, interleaved).
 * REV is exported with `git archive` into a temporary folder, given this
 * checkout's node_modules (a symlink: the dependencies must be the same for
 * the comparison to mean anything, and nothing is downloaded) and compiled
 * with this checkout's TypeScript, then bundled with its own
 * scripts/bundle.mjs if it has one (its bins import the bundle; older
 * commits' bins import tsc's output). Only its bin/cmwatch.js is used: the
 * process-level measures (throughput against the peers, memory) get a row
 * "cmwatch @REV" next to "cmwatch".
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './proc.js';

export interface Baseline {
  /** As given, e.g. HEAD~1 or 52a7a7d. */
  rev: string;
  /** The short commit it resolved to. */
  commit: string;
  /** Its bin/cmwatch.js. */
  bin: string;
  /** The row label: "cmwatch @52a7a7d". */
  label: string;
  remove(): void;
}

export function prepareBaseline(rev: string, log: (l: string) => void): Baseline {
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), `cmwatch-baseline-${commit}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    log(`baseline: building cmwatch @${commit} (${rev}) in ${dir}`);
    execFileSync('bash', ['-c', 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', 'archive', ROOT, commit, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
    const bundle = join(dir, 'scripts', 'bundle.mjs');
    if (existsSync(bundle)) execFileSync(process.execPath, [bundle], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    const bin = join(dir, 'bin', 'cmwatch.js');
    if (!existsSync(bin)) throw new Error(`${rev} has no bin/cmwatch.js`);
    return { rev, commit, bin, label: `cmwatch @${commit}`, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

interface RateRow { peer: string; size: number; runs: Array<{ rate: number; cpuMsPer1k: number }> }
interface MemRow { peer: string; runs: Array<{ synced?: { hwm: number }; points: Array<{ hwm: number }> }> }

function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

function peakOf(run: MemRow['runs'][number]): number {
  return Math.max(run.synced?.hwm ?? 0, ...run.points.map((p) => p.hwm));
}

/**
 * The comparison the redesign issue asks for: this commit against the
 * baseline, from the same run. A regression is more than 5% fewer events/s,
 * more CPU per event, or a higher peak RSS.
 */
export function renderBaselineComparison(r: { throughput?: RateRow[]; memory?: MemRow[] }, label: string): string {
  const L = [`### This commit against ${label} (same run)`, '', '| measure | this commit | baseline | change | verdict |', '|---|---|---|---|---|'];
  const row = (name: string, now: number, then: number, higherIsBetter: boolean, unit: string) => {
    const change = now / then - 1;
    const worse = higherIsBetter ? -change : change;
    const verdict = !Number.isFinite(change) ? 'n/a' : worse > 0.05 ? '**regression > 5%**' : 'ok';
    const f = (x: number) => (Number.isFinite(x) ? `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)} ${unit}` : 'n/a');
    L.push(`| ${name} | ${f(now)} | ${f(then)} | ${Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%` : 'n/a'} | ${verdict} |`);
  };
  for (const size of [1024, 65536]) {
    const own = r.throughput?.find((t) => t.peer === 'cmwatch' && t.size === size);
    const base = r.throughput?.find((t) => t.peer === label && t.size === size);
    if (!own || !base) continue;
    const kib = `${size / 1024} KiB`;
    row(`events/s, ${kib}`, median(own.runs.map((x) => x.rate)), median(base.runs.map((x) => x.rate)), true, 'ev/s');
    row(`CPU per 1,000 events, ${kib}`, median(own.runs.map((x) => x.cpuMsPer1k)), median(base.runs.map((x) => x.cpuMsPer1k)), false, 'ms');
  }
  const ownMem = r.memory?.find((m) => m.peer === 'cmwatch');
  const baseMem = r.memory?.find((m) => m.peer === label);
  if (ownMem && baseMem) {
    row('peak RSS, 10,000 ConfigMaps + events', median(ownMem.runs.map(peakOf)) / 2 ** 20, median(baseMem.runs.map(peakOf)) / 2 ** 20, false, 'MiB');
  }
  return L.join('\n') + '\n';
}
