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
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { ExecPluginError } from './errors.js';
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

/** Runs the plugin once and returns the credential it printed. */
export function runExecPlugin(exec: ExecEntry, o: ExecPluginOptions): Promise<ExecResult> {
  const name = `exec plugin "${basename(exec.command)}" (${o.where})`;
  if (exec.interactiveMode === 'Always' && !o.stdinIsTTY) {
    return Promise.reject(new ExecPluginError(
      `${name}: interactiveMode is Always but standard input is not a terminal`,
      'run cmwatch from a terminal, or use a plugin configuration with interactiveMode: Never or IfAvailable',
    ));
  }
  const interactive = exec.interactiveMode !== 'Never' && o.stdinIsTTY;
  const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env) };
  for (const e of exec.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = execInfo(exec, interactive, o.cluster);

  return new Promise<ExecResult>((resolve, reject) => {
    let child;
    try {
      child = spawn(exec.command, exec.args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'] });
    } catch (cause) {
      reject(new ExecPluginError(`${name}: cannot start: ${(cause as Error).message}`, exec.installHint ?? 'check users[].user.exec.command', cause));
      return;
    }
    let out = '';
    let err = '';
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      fn();
    };
    const timeoutMs = interactive ? 0 : (o.timeoutMs ?? 60_000);
    const timer = timeoutMs > 0 ? setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new ExecPluginError(`${name}: no answer after ${Math.round(timeoutMs / 1000)}s; killed (stderr: ${stderrSummary(err)})`,
        'a plugin that waits for input needs a terminal; run it once by hand to see what it wants')));
    }, timeoutMs) : undefined;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < MAX_OUTPUT) out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < MAX_OUTPUT) err += d;
    });
    child.on('error', (cause: NodeJS.ErrnoException) => {
      done(() => reject(cause.code === 'ENOENT'
        ? new ExecPluginError(`${name}: command "${exec.command}" not found`, exec.installHint?.replace(/\s+/g, ' ').trim() ?? 'install the plugin or fix users[].user.exec.command', cause)
        : new ExecPluginError(`${name}: cannot start: ${cause.message}`, 'check users[].user.exec.command', cause)));
    });
    child.on('close', (code, signal) => {
      done(() => {
        if (code !== 0) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new ExecPluginError(`${name} ${how}: ${stderrSummary(err)}`, 'run the plugin by hand to see why; check its login'));
          return;
        }
        try {
          const r = parseExecCredential(out, exec.apiVersion, name);
          if (o.onStderr) for (const l of err.split('\n')) if (l.trim()) o.onStderr(l.trim());
          resolve(r);
        } catch (e) {
          reject(e);
        }
      });
    });
  });
}

/** Checks the plugin's stdout: an ExecCredential of the configured apiVersion with a token or a certificate and key. */
export function parseExecCredential(stdout: string, apiVersion: string, name = 'exec plugin'): ExecResult {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    const head = stdout.trim().slice(0, 80);
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
