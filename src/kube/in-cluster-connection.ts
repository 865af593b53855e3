/**
 * The in-cluster connection: https://KUBERNETES_SERVICE_HOST:PORT with the
 * pod's service-account token (re-read as the kubelet rotates it) and CA.
 */
import { join } from 'node:path';
import { normalizeServer } from './connection.js';
import type { ResolveContext, ResolvedConnection } from './connection-settings.js';
import { TokenFileCredential } from './credentials.js';
import { DirectConnection } from './direct-connection.js';
import { displayPath } from './display-path.js';
import { inClusterFileExists, saDir, tokenSubject } from './in-cluster.js';
import { readPemFlag, type TlsSettings } from './tls.js';

/** The in-cluster connection; undefined when not in a pod (no service host, port or token). The namespace is resolve.ts's. */
export async function inClusterConnection(o: ResolveContext): Promise<ResolvedConnection | undefined> {
  const host = o.env.KUBERNETES_SERVICE_HOST;
  const port = o.env.KUBERNETES_SERVICE_PORT;
  const dir = saDir(o.env);
  const tokenFile = join(dir, 'token');
  if (!host || !port || !inClusterFileExists(tokenFile, 'the in-cluster service-account token', o.home)) return undefined;
  const server = normalizeServer(`https://${host.includes(':') ? `[${host}]` : host}:${port}`, 'KUBERNETES_SERVICE_HOST/PORT');
  const caFile = join(dir, 'ca.crt');
  const tls: TlsSettings = { insecureSkipTlsVerify: false, caSource: `the in-cluster CA ${displayPath(caFile, o.home)}` };
  if (inClusterFileExists(caFile, 'the in-cluster CA', o.home)) tls.ca = await readPemFlag(caFile, 'the in-cluster CA', o.home);
  else {
    tls.caSource = `the system CAs (no ${displayPath(caFile, o.home)})`;
    o.log.warn(`in-cluster: no ${displayPath(caFile, o.home)}; verifying ${server} against the system CAs`);
  }
  const credentials = new TokenFileCredential(tokenFile, { what: 'the in-cluster service-account token', home: o.home, onWarn: (m) => o.log.warn(m) });
  const first = await credentials.current(); // a failure here is a start-up error, like any configuration error
  const sub = tokenSubject((first.headers.authorization ?? '').replace(/^Bearer /, ''));
  const conn = new DirectConnection({ server, description: 'in-cluster service account', serverSource: 'KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (in-cluster)', identity: sub ?? 'the pod\'s service account', tls, credentials });
  return { conn, mode: 'in-cluster' };
}
