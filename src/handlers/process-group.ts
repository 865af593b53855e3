/**
 * Process groups of running handlers. Each handler is spawned as the leader
 * of its own process group, so its whole tree (children, grandchildren, a
 * `sleep` left in the background) can be signalled at once.
 *
 * The registry of live groups lets cmwatch kill every handler tree
 * synchronously when it exits for any reason (second signal, crash), so no
 * handler outlives it.
 */
import { readdirSync, readFileSync } from 'node:fs';

const live = new Set<number>();
let hooked = false;

/** Sends a signal to a whole group; false if no process is left in it. */
export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while any process of the group is alive. Zombies do not count: an
 * orphan reparented to an init that does not reap (as in some containers)
 * stays a zombie forever but is dead. Reads /proc on Linux; elsewhere any
 * member, zombie or not, counts.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let pids: string[];
  try {
    pids = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const p of pids) {
    if (p.charCodeAt(0) < 48 || p.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'latin1');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') return true;
  }
  return false;
}

/** Remembers a live group so that it is killed if cmwatch exits first. */
export function trackGroup(pgid: number): void {
  live.add(pgid);
  if (!hooked) {
    hooked = true;
    process.on('exit', killAllGroups);
  }
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}

/** SIGKILLs every tracked group now (synchronous; safe in an 'exit' handler). */
export function killAllGroups(): number {
  let n = 0;
  for (const pgid of live) if (signalGroup(pgid, 'SIGKILL')) n++;
  live.clear();
  return n;
}

export function trackedGroups(): number {
  return live.size;
}

/** The tracked groups that still have a live process (for "did not end after SIGKILL"). */
export function aliveGroups(): number[] {
  return [...live].filter(groupAlive);
}
