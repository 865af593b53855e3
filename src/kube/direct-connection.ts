/**
 * A Connection straight to the API server: one keep-alive undici Agent with
 * the TLS settings, and a credential source for the headers. When an exec
 * plugin hands out a new client certificate, the Agent is replaced (TLS
 * credentials belong to the connection, not to the request); requests in
 * flight on the old one, watches included, finish undisturbed.
 */
import type { Agent, Dispatcher } from './undici.js';
import type { Connection } from './connection.js';
import { watchAgent } from './connection.js';
import type { CredentialSource } from './credentials.js';
import { tlsAgent, type TlsSettings } from './tls.js';

export interface DirectConnectionOptions {
  /** Normalized base URL. */
  server: string;
  description: string;
  identity: string;
  /** Where the URL came from (Connection.serverSource). */
  serverSource?: string;
  /** Undefined for an http:// server. */
  tls: TlsSettings | undefined;
  credentials: CredentialSource;
}

export class DirectConnection implements Connection {
  readonly server: string;
  readonly description: string;
  readonly identity: string;
  readonly caSource: string | undefined;
  readonly serverSource: string | undefined;
  private agent: Agent;
  private agentCert: { cert: Buffer; key: Buffer } | undefined;
  private readonly retired = new Set<Agent>();
  private readonly tls: TlsSettings | undefined;
  private readonly credentials: CredentialSource;

  constructor(o: DirectConnectionOptions) {
    this.server = o.server;
    this.description = o.description;
    this.identity = o.identity;
    this.tls = o.tls;
    this.caSource = o.tls?.caSource;
    this.serverSource = o.serverSource;
    this.credentials = o.credentials;
    this.agent = o.tls ? tlsAgent(o.tls) : watchAgent();
  }

  get dispatcher(): Dispatcher {
    return this.agent;
  }

  async authHeaders(): Promise<Record<string, string>> {
    const c = await this.credentials.current();
    if (c.clientCert && this.tls && !(this.agentCert && this.agentCert.cert.equals(c.clientCert.cert) && this.agentCert.key.equals(c.clientCert.key))) {
      const old = this.agent;
      this.agent = tlsAgent({ ...this.tls, cert: c.clientCert.cert, key: c.clientCert.key });
      this.agentCert = c.clientCert;
      this.retired.add(old);
      // Resolves once the requests in flight on it (watches included) have ended.
      old.close().catch(() => {}).finally(() => this.retired.delete(old));
    }
    return c.headers;
  }

  refreshAfterUnauthorized(used?: Record<string, string>): Promise<boolean> {
    return this.credentials.refresh(used);
  }

  async close(): Promise<void> {
    await Promise.all([this.agent, ...this.retired].map((a) => a.close().catch(() => {})));
  }
}

/** Fetches the credential once (token file read, exec plugin run), so that a broken one fails at start; closes the connection if it does. */
export async function primed<C extends Connection>(conn: C): Promise<C> {
  try {
    await conn.authHeaders();
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
  return conn;
}
