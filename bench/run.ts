/**
 * `npm run bench [-- --quick] [-- --baseline=REV] [-- --only=coldstart,inproc,throughput,cr,handlers,memory,resources,idle,relist,snapshot,plane,state] [-- --no-plane] [-- --update-readme]`
 * `node dist/bench/run.js --render=bench/results/results.json [--update-readme]` re-renders a finished run.
 *
 * Runs the measures of issue #8 against the bench server (and the real
 * control plane when its binaries are built), prints progress, and writes
 * bench/results/{results.json,latest.md,chart.svg}. Every run is bounded in
 * time; all traffic is on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { InprocResult } from './inproc.js';
import type { PlaneResults } from './plane.js';
import type { StateResults } from './plane-state.js';
import { ROOT } from './proc.js';
import { renderMarkdown, renderSummary, renderSvg } from './report.js';
import { prepareBaseline, renderBaselineComparison, type Baseline } from './baseline.js';
import { cmwatch, V8_OWN_LABEL, V8_OWN_SETTINGS, type PeerKind } from './peers.js';
import { crThroughputPeers, resourcesSuite, type ResourcesResult } from './resources.js';
import { idleSuite, snapshotSuite, type IdleResult, type SnapshotResult } from './footprint.js';
import { relistSuite, type RelistResult } from './relist.js';
import {
  bookHandlerRun, coldStart, handlerRun, inproc, memoryRun, throughputPeers, throughputRun,
  type ColdStart, type MemoryRun, type Run,
} from './suites.js';

export interface Results {
  meta: {
    date: string;
    /** The commit benchmarked, and whether the work tree had changes. */
    commit: string;
    mode: 'full' | 'quick';
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    kubectl: string;
    clientNode: string;
    loadBefore: number[];
    loadAfter: number[];
    seconds: number;
    reps: number;
    /** The arguments the run was given (older results have none). */
    args?: string[];
    notes: string[];
    /** --baseline: the other commit measured in the same run. */
    baseline?: string;
  };
  coldstart?: ColdStart;
  inproc?: InprocResult[];
  throughput?: Array<{ peer: string; size: number; m: number; runs: Run[] }>;
  handlers?: Array<{ label: string; runs: Run[] }>;
  memory?: Array<{ peer: string; n: number; phases: number[]; runs: MemoryRun[] }>;
  plane?: PlaneResults;
  /** Event throughput for a custom resource of 1 KiB (bench/resources.ts). */
  cr?: Array<{ peer: string; size: number; m: number; runs: Run[] }>;
  /** RSS watching 1 resource against 3, above Node's floor. */
  resources?: ResourcesResult;
  /** RSS idle on 100 ConfigMaps, beside Node's floor (bench/footprint.ts). */
  idle?: IdleResult;
  /** RSS of `cmwatch -A` listing and relisting N ConfigMaps (bench/relist.ts). */
  relist?: RelistResult;
  /** RSS with --snapshot of 10,000 Widgets beside the plain run (bench/footprint.ts). */
  snapshot?: SnapshotResult;
  /** --state with many keys beside the plain run, real control plane (bench/plane-state.ts). */
  state?: StateResults;
}

const SUITES = ['coldstart', 'inproc', 'throughput', 'cr', 'handlers', 'memory', 'resources', 'idle', 'relist', 'snapshot', 'plane', 'state'] as const;

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : '';
}

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'not found';
  }
}

function planeBuilt(): boolean {
  if (process.env.CMWATCH_CLUSTER_BIN) return true;
  try {
    execFileSync('bash', [join(ROOT, 'test', 'cluster', 'build.sh')], { stdio: 'ignore', env: { ...process.env, CMWATCH_MIN_FREE_GIB: '1000000' } });
    return true; // a cache hit; a cold build would have been refused by the free-disk floor
  } catch {
    return false;
  }
}

/** --render=results.json: writes latest.md and chart.svg (and the README with --update-readme) from a finished run. */
function render(file: string): void {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const outDir = arg('out') || join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.md'), renderMarkdown(r));
  writeFileSync(join(outDir, 'chart.svg'), renderSvg(r));
  process.stdout.write(`rendered ${file} into ${outDir}\n`);
  if (arg('update-readme') !== undefined) updateReadme(renderSummary(r));
}

async function main(): Promise<void> {
  const renderFrom = arg('render');
  if (renderFrom) return render(renderFrom);
  const quick = arg('quick') !== undefined;
  const only = arg('only')?.split(',').filter(Boolean);
  const skip = new Set(arg('skip')?.split(',').filter(Boolean) ?? []);
  if (arg('no-plane') !== undefined) {
    skip.add('plane');
    skip.add('state');
  }
  const want = (s: (typeof SUITES)[number]) => (!only || only.includes(s)) && !skip.has(s);
  const outDir = arg('out') || join(ROOT, 'bench', 'results');
  const reps = Number(arg('reps') ?? (quick ? 1 : 3));
  const started = Date.now();
  const log = (l: string) => process.stdout.write(l + '\n');

  const clientNodePkg = join(ROOT, 'bench', 'node_modules', '@kubernetes', 'client-node', 'package.json');
  const r: Results = {
    meta: {
      date: new Date().toISOString(),
      commit: tool('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) + (tool('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : ''),
      mode: quick ? 'quick' : 'full',
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kubectl: tool('kubectl', ['version', '--client', '-o', 'json']).match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? 'not found',
      clientNode: existsSync(clientNodePkg) ? (JSON.parse(readFileSync(clientNodePkg, 'utf8')) as { version: string }).version : 'not installed',
      loadBefore: loadavg(),
      loadAfter: [],
      seconds: 0,
      reps,
      args: process.argv.slice(2),
      notes: [],
    },
  };
  log(`cmwatch bench (${r.meta.mode}): ${r.meta.cpus} × ${r.meta.cpuModel}, Node ${r.meta.node}, load ${r.meta.loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  if (r.meta.loadBefore[0]! > r.meta.cpus * 0.75) {
    const note = `the machine was busy when the run started (load ${r.meta.loadBefore[0]!.toFixed(2)} on ${r.meta.cpus} CPUs): timings are noisy`;
    r.meta.notes.push(note);
    log(`warning: ${note}`);
  }

  const baselineRev = arg('baseline');
  const baseline = baselineRev ? prepareBaseline(baselineRev, log) : undefined;
  if (baseline) r.meta.baseline = baseline.commit;
  try {
    await suites(r, { quick, want, reps, log, baseline });
  } finally {
    baseline?.remove();
  }

  r.meta.loadAfter = loadavg();
  r.meta.seconds = (Date.now() - started) / 1000;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  const md = renderMarkdown(r) + (baseline ? '\n' + renderBaselineComparison(r, baseline.label) : '');
  writeFileSync(join(outDir, 'latest.md'), md);
  writeFileSync(join(outDir, 'chart.svg'), renderSvg(r));
  log(`\n${md}`);
  log(`wrote ${join(outDir, 'results.json')}, latest.md and chart.svg in ${r.meta.seconds.toFixed(0)} s`);
  if (arg('update-readme') !== undefined) updateReadme(renderSummary(r));
}

interface SuiteContext {
  quick: boolean;
  want: (s: (typeof SUITES)[number]) => boolean;
  reps: number;
  log: (l: string) => void;
  baseline: Baseline | undefined;
}

interface MemorySpec {
  kind: PeerKind;
  label: string;
  runs: number;
  capS: number;
  n?: number;
  nodeArgs?: readonly string[];
  baseline?: Baseline;
}

/** Runs the chosen suites into r; long because it lists them, one block each, in their order. */
async function suites(r: Results, { quick, want, reps, log, baseline }: SuiteContext): Promise<void> {
  if (want('coldstart')) {
    log('\n== cold start');
    r.coldstart = coldStart(quick ? 5 : 15);
  }

  if (want('inproc')) {
    log('\n== event throughput in one process (measure 1)');
    r.inproc = [];
    for (const [size, m] of [[1024, quick ? 30_000 : 100_000], [65536, quick ? 1000 : 3000]] as const) {
      const res = await inproc({ size, n: 100, m, reps: quick ? 1 : 5 });
      r.inproc.push(res);
      log(`  ${size / 1024} KiB: JSON.parse ${res.jsonParse.map(Math.round).join(', ')}; pipeline ${res.pipeline.map(Math.round).join(', ')} events/s`);
    }
  }

  if (want('throughput')) {
    log('\n== event throughput against the peers, bench server (measure 1)');
    r.throughput = [];
    for (const size of [1024, 65536]) {
      const specs = throughputPeers(quick, size);
      if (baseline) {
        const own = specs.find((x) => x.kind === 'cmwatch' && !x.label)!;
        specs.splice(1, 0, { ...own, label: baseline.label, start: (u) => cmwatch({ server: u }, { bin: baseline.bin, label: baseline.label }) });
      }
      const rows = specs.map((s) => ({ peer: s.label ?? s.kind, size, m: s.m, runs: [] as Run[] }));
      for (let rep = 0; rep < reps; rep++) {
        // Interleaved, so a busy moment of the machine hits every contender alike.
        for (let i = 0; i < specs.length; i++) {
          try {
            rows[i]!.runs.push(await throughputRun(specs[i]!, size, 100, log));
          } catch (err) {
            log(`  ${rows[i]!.peer}: failed: ${(err as Error).message.slice(0, 300)}`);
          }
        }
      }
      r.throughput.push(...rows);
    }
  }

  if (want('cr')) {
    log('\n== event throughput for a custom resource of 1 KiB, bench server (measure 1)');
    const specs = crThroughputPeers(quick);
    const rows = specs.map((s) => ({ peer: s.label ?? s.kind, size: 1024, m: s.m, runs: [] as Run[] }));
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < specs.length; i++) {
        try {
          rows[i]!.runs.push(await throughputRun(specs[i]!, 1024, 100, log));
        } catch (err) {
          log(`  ${rows[i]!.peer}: failed: ${(err as Error).message.slice(0, 300)}`);
        }
      }
    }
    r.cr = rows;
  }

  if (want('handlers')) {
    log('\n== handler throughput, /bin/true (measure 2)');
    const k = quick ? 300 : 1000;
    const rows = [
      { label: 'cmwatch --exec /bin/true --concurrency 1', runs: [] as Run[], run: () => handlerRun(1, k, log) },
      { label: 'cmwatch --exec /bin/true --concurrency 4', runs: [] as Run[], run: () => handlerRun(4, k, log) },
      { label: 'book loop, /bin/true per MODIFIED', runs: [] as Run[], run: () => bookHandlerRun(quick ? 5 : 10, log) },
    ];
    for (let rep = 0; rep < reps; rep++) {
      for (const row of rows) {
        try {
          row.runs.push(await row.run());
        } catch (err) {
          log(`  ${row.label}: failed: ${(err as Error).message.slice(0, 300)}`);
        }
      }
    }
    r.handlers = rows.map(({ label, runs }) => ({ label, runs }));
  }

  if (want('memory')) {
    log('\n== memory: 10,000 ConfigMaps of 1 KiB, then 1,000,000 events (measure 4)');
    const n = 10_000;
    const phases = quick ? [10_000, 40_000, 50_000] : [100_000, 400_000, 500_000];
    r.memory = [];
    const specs = [
      { kind: 'cmwatch', label: 'cmwatch', runs: reps, capS: 120 },
      ...(baseline ? [{ kind: 'cmwatch', label: baseline.label, runs: reps, capS: 120, baseline }] : []),
      { kind: 'cmwatch', label: V8_OWN_LABEL, runs: quick ? 1 : 2, capS: 120, nodeArgs: V8_OWN_SETTINGS },
      { kind: 'cmwatch', label: 'cmwatch, 1 ConfigMap instead of 10,000 (its floor)', runs: 1, capS: 120, n: 1 },
      { kind: 'informer', label: '@kubernetes/client-node informer', runs: quick ? 1 : 2, capS: 120 },
      { kind: 'kubectl', label: 'kubectl get --watch', runs: 1, capS: quick ? 20 : 150 },
    ] as const;
    for (const spec of specs as readonly MemorySpec[]) {
      const rowN = spec.n ?? n;
      const row = { peer: spec.label, n: rowN, phases, runs: [] as MemoryRun[] };
      for (let i = 0; i < spec.runs; i++) {
        try {
          row.runs.push(await memoryRun(spec.kind, rowN, phases, spec.capS, log, spec.nodeArgs ? [...spec.nodeArgs] : undefined, spec.baseline));
        } catch (err) {
          log(`  ${row.peer}: failed: ${(err as Error).message.slice(0, 300)}`);
        }
      }
      r.memory.push(row);
    }
  }

  /** A note in the results and on the progress log. */
  const note = (text: string) => {
    r.meta.notes.push(text);
    log(`  ${text}`);
  };
  /** Runs a suite; a failure is a note, so the other suites' results are still written. */
  const guarded = async (failed: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      note(`${failed}: ${(err as Error).message.slice(0, 300)}`);
    }
  };
  /** A suite on the real control plane: skipped, with a note, when its binaries are not built. */
  const onPlane = async (skipped: string, failed: string, run: () => Promise<void>) => {
    if (!planeBuilt()) return note(`the real control plane is not built (npm run cluster:build): ${skipped} skipped`);
    await guarded(failed, run);
  };

  if (want('resources')) {
    log('\n== memory: watching 3 resources against 1 (measure 4)');
    await guarded('the resources suite failed', async () => { r.resources = await resourcesSuite(quick, reps, log); });
  }
  if (want('idle')) {
    log('\n== memory: idle on 100 ConfigMaps, beside node -e 0 (measure 4)');
    await guarded('the idle suite failed', async () => { r.idle = await idleSuite(quick, reps, log); });
  }
  if (want('relist')) {
    log('\n== memory: list and relist of N ConfigMaps in all namespaces (measure 4)');
    await guarded('the relist suite failed', async () => { r.relist = await relistSuite(quick, reps, log); });
  }
  if (want('snapshot')) {
    log('\n== memory: --snapshot of 10,000 Widgets beside the plain run (measure 4)');
    await guarded('the snapshot suite failed', async () => { r.snapshot = await snapshotSuite(reps, log); });
  }

  if (want('plane')) {
    log('\n== the real control plane (measures 1, 3, 4)');
    await onPlane('its measures were', 'the control plane run failed', async () => {
      const { planeSuite } = await import('./plane.js');
      r.plane = await planeSuite(quick ? { n: 2000, updates: 1000, latencyChanges: 100, warmup: 10, steadyMs: 5000 } : { n: 10_000, updates: 5000, latencyChanges: 500, warmup: 20, steadyMs: 30_000 }, log);
    });
  }

  if (want('state')) {
    log(`\n== --state with ${quick ? '4,000' : '20,000'} keys beside the plain run, real control plane (measure 4)`);
    await onPlane('the --state measures were', 'the --state run failed', async () => {
      const { stateSuite } = await import('./plane-state.js');
      r.state = await stateSuite(quick ? { n: 4000, updates: 1000, settleMs: 5000 } : { n: 20_000, updates: 1000, settleMs: 10_000 }, log);
    });
  }
}

/** Replaces the text between the bench markers of the README's Benchmarks section. */
function updateReadme(md: string): void {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const a = '<!-- bench:start -->';
  const b = '<!-- bench:end -->';
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0 || j < i) {
    process.stdout.write('README.md has no bench markers; not updated\n');
    return;
  }
  writeFileSync(file, text.slice(0, i + a.length) + '\n' + md.trim() + '\n' + text.slice(j));
  process.stdout.write('README.md updated\n');
}

await main();
