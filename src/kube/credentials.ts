/**
 * Credential sources: what authenticates each request, with caching and
 * refresh. A source hands out a Credential (headers, and for exec plugins
 * possibly a client certificate); after a 401 the connection asks it to
 * refresh, passing back the headers object that was rejected, so many
 * requests that fail together cause one refresh, not one each.
 *
 * - static token, basic auth: never change;
 * - token file (kubeconfig tokenFile, --token-file, the in-cluster token):
 *   re-read at least every minute and after a 401, since bound
 *   service-account tokens rotate;
 * - exec plugin: cached until its expirationTimestamp, re-run after a 401.
 */
import { readFile } from 'node:fs/promises';
import { CredentialError } from './errors.js';
import { displayPath } from './display-path.js';
import type { ExecEntry } from './kubeconfig-types.js';
import { runExecPlugin, type ExecPluginOptions, type ExecResult } from './exec-plugin.js';

export interface Credential {
  /** Sent with every request. Its identity names this credential in refresh(). */
  headers: Record<string, string>;
  clientCert?: { cert: Buffer; key: Buffer };
}

export interface CredentialSource {
  /** What authenticates, for the start-up line. Never the secret itself. */
  readonly describe: string;
  current(): Promise<Credential>;
  /**
   * After a 401 to a request that carried `used` (the headers object from
   * current()). Resolves true when a different credential is now available
   * and the request is worth retrying.
   */
  refresh(used: Record<string, string> | undefined): Promise<boolean>;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** No credentials of our own (kubectl proxy, or an anonymous --server). */
export class NoCredential implements CredentialSource {
  readonly describe = 'no credentials';
  private readonly cred: Credential = { headers: {} };
  async current(): Promise<Credential> {
    return this.cred;
  }
  async refresh(_used?: Record<string, string>): Promise<boolean> {
    return false;
  }
}

/** A fixed credential: a token from the command line or the kubeconfig, basic auth, a client certificate alone. */
export class StaticCredential implements CredentialSource {
  constructor(private readonly cred: Credential, readonly describe: string) {}
  static token(token: string, describe: string): StaticCredential {
    return new StaticCredential({ headers: bearer(token) }, describe);
  }
  static basic(username: string, password: string, describe: string): StaticCredential {
    return new StaticCredential({ headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } }, describe);
  }
  async current(): Promise<Credential> {
    return this.cred;
  }
  async refresh(_used?: Record<string, string>): Promise<boolean> {
    return false;
  }
}

export interface TokenFileOptions {
  /** e.g. `--token-file`, `tokenFile of kubeconfig F: user "u" (context "c")`, `the in-cluster token`. */
  what: string;
  /** Re-read when the token is older than this; default 60 s. */
  maxAgeMs?: number;
  now?: () => number;
  /** A re-read failed but the previous token is kept. */
  onWarn?: (msg: string) => void;
  home?: string;
}

/** A token in a file, re-read when older than maxAgeMs and after a 401 (kubelet rotates projected tokens). */
export class TokenFileCredential implements CredentialSource {
  readonly describe: string;
  private cred: Credential | undefined;
  private token = '';
  private readAt = 0;
  private inflight: Promise<void> | undefined;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** How many times the file was read (tests). */
  reads = 0;

  constructor(readonly file: string, private readonly o: TokenFileOptions) {
    this.maxAgeMs = o.maxAgeMs ?? 60_000;
    this.now = o.now ?? Date.now;
    this.describe = `the token in ${displayPath(file, o.home)}`;
  }

  async current(): Promise<Credential> {
    if (!this.cred || this.now() - this.readAt >= this.maxAgeMs) await this.reread();
    return this.cred!;
  }

  async refresh(used: Record<string, string> | undefined): Promise<boolean> {
    if (this.inflight) {
      // Another 401 is already re-reading: share its outcome.
      await this.inflight;
      return this.cred !== undefined && used !== this.cred.headers;
    }
    // The token changed since that request was sent: retry with the new one.
    if (used !== undefined && this.cred && used !== this.cred.headers) return true;
    const before = this.token;
    await this.reread();
    return this.token !== before;
  }

  private reread(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      this.reads++;
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
      const msg = `${this.o.what} ${displayPath(this.file, this.o.home)}: cannot read (${code})`;
      if (!this.cred) throw new CredentialError(msg, 'check the path and its permissions', cause);
      this.o.onWarn?.(`${msg}; keeping the token read before`);
      this.readAt = this.now();
      return;
    }
    const token = text.trim();
    if (!token) {
      const msg = `${this.o.what} ${displayPath(this.file, this.o.home)} is empty`;
      if (!this.cred) throw new CredentialError(msg, 'the file must hold a bearer token');
      this.o.onWarn?.(`${msg}; keeping the token read before`);
      this.readAt = this.now();
      return;
    }
    this.readAt = this.now();
    if (token !== this.token || !this.cred) {
      this.token = token;
      this.cred = { headers: bearer(token) };
    }
  }
}

export interface ExecCredentialOptions extends ExecPluginOptions {
  now?: () => number;
  /** The runner (tests may count calls); default runExecPlugin. */
  run?: (exec: ExecEntry, o: ExecPluginOptions) => Promise<ExecResult>;
}

/** An exec plugin's credential, cached until its expirationTimestamp and re-run after a 401. */
export class ExecCredential implements CredentialSource {
  readonly describe: string;
  private cred: Credential | undefined;
  private expiresAt: number | undefined;
  private inflight: Promise<Credential> | undefined;
  private readonly now: () => number;
  /** How many times the plugin ran (tests). */
  runs = 0;

  constructor(private readonly exec: ExecEntry, private readonly o: ExecCredentialOptions) {
    this.now = o.now ?? Date.now;
    this.describe = `exec plugin ${exec.command.split('/').pop()}`;
  }

  private fresh(): boolean {
    return this.cred !== undefined && (this.expiresAt === undefined || this.now() < this.expiresAt);
  }

  async current(): Promise<Credential> {
    if (this.fresh()) return this.cred!;
    return this.rerun();
  }

  async refresh(used: Record<string, string> | undefined): Promise<boolean> {
    if (this.inflight) {
      const c = await this.inflight;
      return c.headers !== used;
    }
    if (used !== undefined && this.cred && used !== this.cred.headers && this.fresh()) return true;
    const before = this.cred;
    const after = await this.rerun();
    return !before || !sameCredential(before, after);
  }

  private rerun(): Promise<Credential> {
    this.inflight ??= this.run().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async run(): Promise<Credential> {
    this.runs++;
    const r = await (this.o.run ?? runExecPlugin)(this.exec, this.o);
    const cred: Credential = { headers: r.token ? bearer(r.token) : {} };
    if (r.clientCertificateData && r.clientKeyData) cred.clientCert = { cert: r.clientCertificateData, key: r.clientKeyData };
    this.cred = cred;
    this.expiresAt = r.expiresAt;
    return cred;
  }
}

function sameCredential(a: Credential, b: Credential): boolean {
  if (a.headers.authorization !== b.headers.authorization) return false;
  const ca = a.clientCert;
  const cb = b.clientCert;
  if (!ca || !cb) return ca === cb;
  return ca.cert.equals(cb.cert) && ca.key.equals(cb.key);
}
