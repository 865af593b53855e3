/**
 * Runs a handler program once, exactly as cmwatch's engine would for one
 * event: the contract's stdin (handlerStdin) and environment (handlerEnv),
 * from the real contract module, so new CMWATCH_* variables reach it too.
 */
import { spawn } from 'node:child_process';
import { handlerEnv, handlerStdin } from '../../src/handlers/contract.js';
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../../src/api/selector-annotation.js';
import type { EventType, K8sObject } from '../../src/api/types.js';

export interface HandlerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runHandler(path: string, type: EventType, object: K8sObject, server: string, timeoutMs = 60_000): Promise<HandlerRun> {
  const ev = { type, object };
  const env = handlerEnv(ev, { server, selectorAnnotations: DEFAULT_SELECTOR_ANNOTATIONS });
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a handler may exit without reading stdin
    child.stdin.end(handlerStdin(ev));
  });
}
