/**
 * CMWATCH_SNAPSHOT_DIR: for each handler run, a private directory (mode
 * 0700, under the system temp dir) holding `<resource>.json` per
 * `--snapshot` resource, the cache's List as it stood when the run began,
 * all caches read at the same instant. The chain of one event shares it;
 * it is removed when the chain ends, so no run sees another's later state.
 * Before the first run, handlers wait until every cache has synced.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../base/logger.js';

/** One snapshot resource, as the dispatcher sees it (watch/snapshot-cache.ts). */
export interface SnapshotSource {
  /** The file is `<name>.json`. */
  readonly name: string;
  readonly synced: boolean;
  whenSynced(): Promise<void>;
  listJson(): string;
}

export interface TakenSnapshot {
  readonly dir: string;
  release(): Promise<void>;
}

export class SnapshotDirs {
  private announced = false;

  constructor(private readonly sources: readonly SnapshotSource[], private readonly log: Logger) {}

  /** Waits until every cache has synced; false when `signal` aborted first. */
  async ready(signal: AbortSignal): Promise<boolean> {
    const waiting = this.sources.filter((s) => !s.synced);
    if (waiting.length === 0) return true;
    if (!this.announced) {
      this.announced = true;
      this.log.info(`handlers wait for the snapshot cache${waiting.length > 1 ? 's' : ''} of ${waiting.map((s) => s.name).join(', ')} to sync`, { reason: 'snapshot_sync' });
    }
    if (signal.aborted) return false;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<false>((resolve) => {
      onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([Promise.all(waiting.map((s) => s.whenSynced())).then(() => true), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  /** A new directory with every snapshot file as of now. */
  async take(): Promise<TakenSnapshot> {
    // Read every cache before the first await: one instant for all files.
    const files = this.sources.map((s) => ({ file: `${s.name}.json`, text: s.listJson() }));
    const dir = await mkdtemp(join(tmpdir(), 'cmwatch-snapshot-'));
    const release = () => rm(dir, { recursive: true, force: true }).catch(() => {});
    try {
      await Promise.all(files.map((f) => writeFile(join(dir, f.file), f.text, { mode: 0o400 })));
    } catch (err) {
      await release();
      throw err;
    }
    return { dir, release };
  }
}
