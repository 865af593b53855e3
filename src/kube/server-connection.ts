/**
 * A connection to an API server URL given directly, with a bearer token
 * (static or from a file, re-read as it rotates), a CA and a client
 * certificate. A plain http:// URL without credentials is a kubectl proxy.
 */
import { X509Certificate } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { normalizeServer, proxyConnection } from './connection.js';
import type { ConnectionSettings, ResolveContext, ResolvedConnection } from './connection-settings.js';
import { NoCredential, StaticCredential, TokenFileCredential, type CredentialSource } from './credentials.js';
import { DirectConnection, primed } from './direct-connection.js';
import { displayPath } from './display-path.js';
import { readPemFlag, type TlsSettings } from './tls.js';

function subjectCN(cert: Buffer): string | undefined {
  try {
    const subject = new X509Certificate(cert).subject;
    return /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  } catch {
    return undefined;
  }
}

async function serverTls(s: ConnectionSettings, server: string, o: ResolveContext): Promise<TlsSettings> {
  const L = o.labels;
  const abs = (p: string) => resolvePath(o.cwd, p);
  const tls: TlsSettings = {
    insecureSkipTlsVerify: !!s.insecureSkipTlsVerify,
    caSource: s.certificateAuthority ? `${L.certificateAuthority} ${displayPath(abs(s.certificateAuthority), o.home)}` : `the system CAs (no ${L.certificateAuthority} given)`,
  };
  if (s.certificateAuthority) tls.ca = await readPemFlag(abs(s.certificateAuthority), L.certificateAuthority, o.home);
  if (s.clientCertificate && s.clientKey) {
    tls.cert = await readPemFlag(abs(s.clientCertificate), L.clientCertificate, o.home);
    tls.key = await readPemFlag(abs(s.clientKey), L.clientKey, o.home);
  }
  if (s.insecureSkipTlsVerify) o.log.warn(`${L.insecureSkipTlsVerify}: the certificate of ${server} is not verified; anyone on the network path can pose as the API server`);
  return tls;
}

function serverCredentials(s: ConnectionSettings, o: ResolveContext): CredentialSource {
  if (s.token) return StaticCredential.token(s.token, `the ${o.labels.token} bearer token`);
  if (s.tokenFile) {
    return new TokenFileCredential(resolvePath(o.cwd, s.tokenFile), { what: o.labels.tokenFile, home: o.home, onWarn: (m) => o.log.warn(m) });
  }
  return new NoCredential();
}

/** The connection to `s.server`; the credential is fetched once here so that a broken one fails at start. */
export async function serverConnection(s: ConnectionSettings, o: ResolveContext): Promise<ResolvedConnection> {
  const source = s.serverSource ?? 'server';
  const server = normalizeServer(s.server!, source);
  const https = server.startsWith('https:');
  const hasCredentials = !!(s.token || s.tokenFile || s.clientCertificate || s.clientKey);
  if (!https && !hasCredentials) return { conn: proxyConnection(server, source), mode: 'server' };

  let tls: TlsSettings | undefined;
  if (https) tls = await serverTls(s, server, o);
  else o.log.warn(`${source} ${server} is plain http: the credentials are sent unencrypted`);
  const credentials = serverCredentials(s, o);
  const certCN = tls?.cert ? subjectCN(tls.cert) : undefined;
  const identity = s.token || s.tokenFile ? credentials.describe : tls?.cert ? `client certificate${certCN ? ` CN=${certCN}` : ''}` : 'anonymous';
  const conn = await primed(new DirectConnection({ server, description: source, identity, serverSource: source, tls, credentials }));
  return { conn, mode: 'server' };
}
