/**
 * The built-in actions, by name: the one place that knows which actions
 * exist, what they fire on and how they run. The CLI validates --action
 * against it and binds the chosen entry to its context; the dispatcher only
 * sees the bound action's name (its log and metrics label) and its run.
 *
 * Entries load their implementation when they first run, so that reading
 * the registry (flag validation, --help, --version) does not pull in the
 * HTTP client.
 */
import type { KubeClient } from '../../kube/client.js';
import type { Logger } from '../../base/logger.js';
import type { EventType, WatchEvent } from '../../api/types.js';
import type { Action, ActionResult } from '../action-run.js';
import type { AutoMode } from './restart-targets.js';

/** rollout-restart's flags. */
export interface RestartSettings {
  /** --auto (opt-in), --auto-all (all), neither (off). */
  auto: AutoMode;
  /** --debounce. */
  debounceMs: number;
  /** --max-restarts-per-minute; 0: no limit. */
  maxPerMinute: number;
  /** The throttle's window: 60 s (shorter only in tests). */
  windowMs: number;
}

/** evict-pods's flags. */
export interface EvictSettings {
  /** --max-unavailable. */
  maxUnavailable: number;
  /** --ready-timeout: how long to wait for replacements to be Ready. */
  readyTimeoutMs: number;
}

/** What an action may use, given by the CLI. */
export interface ActionContext {
  client: KubeClient;
  log: Logger;
  /** Annotations that carry a pod selector (--selector-annotation). */
  selectorAnnotations: readonly string[];
  /** Log what would be done, do nothing (--dry-run). */
  dryRun: boolean;
  /** The root signal (shutdown): long-lived action state (rollout-restart's schedule) stops at it. */
  signal?: AbortSignal;
  /** Data lines (--dry-run patches) on stdout. */
  print?: (line: string) => void;
  restart?: RestartSettings;
  evict?: EvictSettings;
  /** Given the reading of the restarts pending, for the metric. */
  onRestartsPending?: (read: () => number) => void;
}

export interface ActionEntry {
  /** --action's value; also the `handler` label of its runs in logs and metrics. */
  name: string;
  /** Event types it fires on. */
  on: ReadonlySet<EventType>;
  /** It honours --dry-run. */
  dryRun: boolean;
  /** A few words for --help, after the name. */
  summary: string;
  /** Must end soon after `signal` aborts; ok=false is retried. */
  run(ev: WatchEvent, key: string, ctx: ActionContext, signal: AbortSignal): Promise<ActionResult>;
}

/** An entry bound to its context: what the handler engine runs. */
export interface BoundAction {
  name: string;
  on: ReadonlySet<string>;
  run: Action;
}

const deletePodsEntry: ActionEntry = {
  name: 'delete-pods',
  on: new Set<EventType>(['MODIFIED']),
  dryRun: true,
  summary: "the book's controller",
  async run(ev, key, ctx, signal) {
    const { deletePods } = await import('./delete-pods.js');
    return deletePods(ev, key, { client: ctx.client, log: ctx.log, annotations: ctx.selectorAnnotations, dryRun: ctx.dryRun, signal });
  },
};

/** rollout-restart's state, one per bound context: target finder and restart schedule. */
const restartState = new WeakMap<ActionContext, Promise<import('./rollout-restart.js').RolloutRestartDeps>>();

async function restartDeps(ctx: ActionContext): Promise<import('./rollout-restart.js').RolloutRestartDeps> {
  const [{ Discovery }, { TargetFinder }, { Restarter }] = await Promise.all([
    import('../../kube/discovery.js'), import('./restart-targets.js'), import('./restarter.js'),
  ]);
  const s = ctx.restart ?? { auto: 'off', debounceMs: 2000, maxPerMinute: 0, windowMs: 60_000 };
  const restarter = new Restarter({
    client: ctx.client, log: ctx.log, debounceMs: s.debounceMs, maxPerMinute: s.maxPerMinute, windowMs: s.windowMs,
    dryRun: ctx.dryRun, print: ctx.print ?? ((line) => process.stdout.write(line + '\n')), signal: ctx.signal ?? new AbortController().signal,
  });
  ctx.onRestartsPending?.(() => restarter.pending);
  const finder = new TargetFinder({ client: ctx.client, discovery: new Discovery(ctx.client), log: ctx.log, auto: s.auto });
  return { finder, restarter, log: ctx.log, selectorAnnotations: ctx.selectorAnnotations };
}

const rolloutRestartEntry: ActionEntry = {
  name: 'rollout-restart',
  on: new Set<EventType>(['SYNC', 'ADDED', 'MODIFIED']),
  dryRun: true,
  summary: 'patch the pod template of the workloads using the ConfigMap or Secret with its content hash',
  async run(ev, key, ctx, signal) {
    let deps = restartState.get(ctx);
    if (!deps) {
      deps = restartDeps(ctx);
      restartState.set(ctx, deps);
    }
    const { rolloutRestart } = await import('./rollout-restart.js');
    return rolloutRestart(ev, key, await deps, signal);
  },
};

const evictPodsEntry: ActionEntry = {
  name: 'evict-pods',
  on: new Set<EventType>(['MODIFIED']),
  dryRun: true,
  summary: 'delete-pods through the Eviction API, honouring PodDisruptionBudgets',
  async run(ev, key, ctx, signal) {
    const { evictPods } = await import('./evict-pods.js');
    const e = ctx.evict ?? { maxUnavailable: 1, readyTimeoutMs: 300_000 };
    return evictPods(ev, key, { client: ctx.client, log: ctx.log, annotations: ctx.selectorAnnotations, dryRun: ctx.dryRun, signal, ...e });
  },
};

const ACTIONS: readonly ActionEntry[] = [deletePodsEntry, evictPodsEntry, rolloutRestartEntry];

/** The names of the built-in actions, in registry order. */
export function actionNames(): string[] {
  return ACTIONS.map((a) => a.name);
}

/** For --help: each action's name and summary, e.g. "delete-pods (the book's controller)". */
export function actionHelp(): string {
  return ACTIONS.map((a) => `${a.name} (${a.summary})`).join(', ');
}

/** The names of the actions that honour --dry-run. */
export function dryRunActionNames(): string[] {
  return ACTIONS.filter((a) => a.dryRun).map((a) => a.name);
}

export function findAction(name: string): ActionEntry | undefined {
  return ACTIONS.find((a) => a.name === name);
}

/** The named action bound to its context; throws a RangeError for a name not in the registry (the CLI checks first). */
export function bindAction(name: string, ctx: ActionContext): BoundAction {
  const entry = findAction(name);
  if (!entry) throw new RangeError(`no built-in action "${name}"; the built-in actions are ${actionNames().join(', ')}`);
  return { name: entry.name, on: entry.on, run: (ev, key, signal) => entry.run(ev, key, ctx, signal) };
}
