/**
 * Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1), as
 * kubectl runs them: the command with its args and extra env, plus
 * KUBERNETES_EXEC_INFO; an ExecCredential JSON on stdout; the plugin's stderr
 * reported when it fails.
 *
 * interactiveMode: Never never gives the plugin a terminal; IfAvailable gives
 * it cmwatch's stdin when that is a terminal; Always requires one and fails
 * clearly when stdin is not a terminal (a daemon, a pipe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { ExecPluginError } from './errors.js';
import { safePrefix } from '../base/safe-text.js';
import type { ExecEntry } from './kubeconfig-types.js';

/** spec.cluster of KUBERNETES_EXEC_INFO, sent when provideClusterInfo is true. */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  /** base64 of the PEM bytes, as Go encodes []byte. */
  'certificate-authority-data'?: string;
  config?: unknown;
}

export interface ExecPluginOptions {
  /** Where the plugin is configured, for messages: `kubeconfig F: user "u" (context "c")`. */
  where: string;
  stdinIsTTY: boolean;
  /** Base environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  cluster?: ExecClusterInfo;
  /** Kill a non-interactive plugin that runs longer than this; default 60 s. */
  timeoutMs?: number;
  /** Lines the plugin wrote on stderr when it succeeded (kubectl shows them). */
  onStderr?: (line: string) => void;
}

export interface ExecResult {
  token?: string;
  clientCertificateData?: Buffer;
  clientKeyData?: Buffer;
  /** Epoch ms; undefined: valid until the server says otherwise (401). */
  expiresAt?: number;
}

const MAX_OUTPUT = 1 << 20;
/** A non-interactive plugin that has not answered by then is killed (ExecPluginOptions.timeoutMs). */
const DEFAULT_TIMEOUT_MS = 60_000;

function stderrSummary(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return '(nothing on stderr)';
  const joined = lines.slice(-5).join(' | ');
  return joined.length > 400 ? joined.slice(0, 400) + '…' : joined;
}

/** KUBERNETES_EXEC_INFO as kubectl builds it. */
export function execInfo(exec: ExecEntry, interactive: boolean, cluster?: ExecClusterInfo): string {
  const spec: Record<string, unknown> = { interactive };
  if (exec.provideClusterInfo && cluster) spec.cluster = cluster;
  return JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
}

/**
 * Runs the plugin once and returns the credential it printed. The parts:
 * pluginEnv (what it is given), startPlugin (spawn), captureOutput (bounded
 * stdout/stderr), the timeout that kills a plugin waiting for input, and
 * credentialOf (its exit and stdout judged at close). The first of timeout,
 * 'error' and 'close' settles the promise; the others are ignored.
 */
export function runExecPlugin(exec: ExecEntry, o: ExecPluginOptions): Promise<ExecResult> {
  const name = `exec plugin "${basename(exec.command)}" (${o.where})`;
  if (exec.interactiveMode === 'Always' && !o.stdinIsTTY) {
    return Promise.reject(new ExecPluginError(
      `${name}: interactiveMode is Always but standard input is not a terminal`,
      'run cmwatch from a terminal, or use a plugin configuration with interactiveMode: Never or IfAvailable',
    ));
  }
  const interactive = exec.interactiveMode !== 'Never' && o.stdinIsTTY;
  const env = pluginEnv(exec, o, interactive);
  return new Promise<ExecResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = startPlugin(exec, env, interactive);
    } catch (cause) {
      reject(new ExecPluginError(`${name}: cannot start: ${(cause as Error).message}`, exec.installHint ?? 'check users[].user.exec.command', cause));
      return;
    }
    const output = captureOutput(child);
    let timer: NodeJS.Timeout | undefined;
    const settle = settleOnce(() => clearTimeout(timer));
    const timeoutMs = interactive ? 0 : (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(() => reject(noAnswer(name, timeoutMs, output.err)));
      }, timeoutMs);
    }
    child.on('error', (cause: NodeJS.ErrnoException) => settle(() => reject(startError(exec, name, cause))));
    child.on('close', (code, signal) => settle(() => {
      try {
        resolve(credentialOf(exec, o, name, code, signal, output));
      } catch (e) {
        reject(e);
      }
    }));
  });
}

/** The plugin's environment: the base, the configured extra env, and KUBERNETES_EXEC_INFO. */
function pluginEnv(exec: ExecEntry, o: ExecPluginOptions, interactive: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env) };
  for (const e of exec.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = execInfo(exec, interactive, o.cluster);
  return env;
}

/** Spawns the plugin: an interactive one shares cmwatch's stdin and stderr. May throw (bad arguments). */
function startPlugin(exec: ExecEntry, env: NodeJS.ProcessEnv, interactive: boolean): ChildProcess {
  return spawn(exec.command, exec.args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'] });
}

interface CapturedOutput {
  readonly out: string;
  readonly err: string;
}

/** Collects stdout and (when piped) stderr, each up to MAX_OUTPUT. */
function captureOutput(child: ChildProcess): CapturedOutput {
  const c = { out: '', err: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    if (c.out.length < MAX_OUTPUT) c.out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (c.err.length < MAX_OUTPUT) c.err += d;
  });
  return c;
}

/** Runs only the first function given, after `cleanup`. */
function settleOnce(cleanup: () => void): (fn: () => void) => void {
  let settled = false;
  return (fn) => {
    if (settled) return;
    settled = true;
    cleanup();
    fn();
  };
}

function noAnswer(name: string, timeoutMs: number, stderr: string): ExecPluginError {
  return new ExecPluginError(`${name}: no answer after ${Math.round(timeoutMs / 1000)}s; killed (stderr: ${stderrSummary(stderr)})`,
    'a plugin that waits for input needs a terminal; run it once by hand to see what it wants');
}

/** The child's 'error': the command is missing, or cannot be started. */
function startError(exec: ExecEntry, name: string, cause: NodeJS.ErrnoException): ExecPluginError {
  return cause.code === 'ENOENT'
    ? new ExecPluginError(`${name}: command "${exec.command}" not found`, exec.installHint?.replace(/\s+/g, ' ').trim() ?? 'install the plugin or fix users[].user.exec.command', cause)
    : new ExecPluginError(`${name}: cannot start: ${cause.message}`, 'check users[].user.exec.command', cause);
}

/** At close: a non-zero exit or a signal is an error; else stdout's credential (its stderr lines go to onStderr). Throws ExecPluginError. */
function credentialOf(exec: ExecEntry, o: ExecPluginOptions, name: string, code: number | null, signal: NodeJS.Signals | null, output: CapturedOutput): ExecResult {
  if (code !== 0) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    throw new ExecPluginError(`${name} ${how}: ${stderrSummary(output.err)}`, 'run the plugin by hand to see why; check its login');
  }
  const r = parseExecCredential(output.out, exec.apiVersion, name);
  if (o.onStderr) for (const l of output.err.split('\n')) if (l.trim()) o.onStderr(l.trim());
  return r;
}

/** Checks the plugin's stdout: an ExecCredential of the configured apiVersion with a token or a certificate and key. */
export function parseExecCredential(stdout: string, apiVersion: string, name = 'exec plugin'): ExecResult {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    // At most a prefix that stops before any token or key (base/safe-text.ts): the output may be a credential cut short.
    const head = safePrefix(stdout.trim(), 80);
    throw new ExecPluginError(`${name}: stdout is not JSON${head ? `: ${JSON.stringify(head)}` : ' (empty)'}`, 'the plugin must print an ExecCredential object on stdout');
  }
  const d = doc as { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  if (typeof doc !== 'object' || doc === null || d.kind !== 'ExecCredential') {
    throw new ExecPluginError(`${name}: stdout is not an ExecCredential (kind ${JSON.stringify(d?.kind)})`, 'the plugin must print an ExecCredential object on stdout');
  }
  if (d.apiVersion !== apiVersion) {
    throw new ExecPluginError(`${name}: returned apiVersion ${JSON.stringify(d.apiVersion)}, but the kubeconfig asks for ${apiVersion}`, 'set exec.apiVersion to the version the plugin speaks');
  }
  const s = d.status;
  if (!s || typeof s !== 'object') throw new ExecPluginError(`${name}: returned no status`, 'the ExecCredential needs status.token or status.clientCertificateData and clientKeyData');
  const str = (k: string): string | undefined => {
    const v = s[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new ExecPluginError(`${name}: status.${k} is not a string`, 'fix the plugin output');
    return v;
  };
  const token = str('token');
  const cert = str('clientCertificateData');
  const key = str('clientKeyData');
  if ((cert && !key) || (!cert && key)) {
    throw new ExecPluginError(`${name}: returned ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}`, 'a client certificate needs its key');
  }
  if (!token && !cert) throw new ExecPluginError(`${name}: returned neither a token nor a client certificate`, 'the ExecCredential needs status.token or status.clientCertificateData and clientKeyData');
  let expiresAt: number | undefined;
  const exp = str('expirationTimestamp');
  if (exp !== undefined) {
    expiresAt = Date.parse(exp);
    if (Number.isNaN(expiresAt)) throw new ExecPluginError(`${name}: status.expirationTimestamp ${JSON.stringify(exp)} is not a time`, 'use RFC 3339, e.g. 2026-01-01T00:00:00Z');
  }
  return {
    token,
    clientCertificateData: cert ? Buffer.from(cert) : undefined,
    clientKeyData: key ? Buffer.from(key) : undefined,
    expiresAt,
  };
}
