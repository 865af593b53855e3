/**
 * A kubeconfig user's credentials, assembled as kubectl assembles them: the
 * client certificate and key (inline data or files), and one authentication
 * method (a static token wins over tokenFile and over an exec plugin).
 * Pure: files are not read here (see tls.ts and credentials.ts).
 */
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { KubeconfigError } from './errors.js';
import { validateExec } from './kubeconfig-exec.js';
import type { KubeconfigAuth, PemRef, UserEntry } from './kubeconfig-types.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a *-data field: base64 of PEM. */
export function pemData(value: string, field: string, where: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new KubeconfigError(`${where}: ${field} is not valid base64`, `${field} holds base64-encoded PEM, e.g. the output of base64 -w0 < file.pem`);
  }
  const data = Buffer.from(compact, 'base64');
  if (!data.toString('latin1').includes('-----BEGIN ')) {
    throw new KubeconfigError(`${where}: ${field} does not decode to PEM (no "-----BEGIN" line)`, `${field} holds base64-encoded PEM, e.g. the output of base64 -w0 < file.pem`);
  }
  return data;
}

/** Inline data wins over the file, as in kubectl. */
function pemRef(data: string | undefined, file: string | undefined, field: string, where: string): PemRef | undefined {
  if (data) return { field: `${field}-data`, where, data: pemData(data, `${field}-data`, where) };
  return file ? { field, where, file } : undefined;
}

export interface UserCredentials {
  clientCertificate?: PemRef;
  clientKey?: PemRef;
  auth: KubeconfigAuth;
}

function clientCertificate(user: UserEntry, uw: string): Pick<UserCredentials, 'clientCertificate' | 'clientKey'> {
  if (user.clientCertificate && user.clientCertificateData) {
    throw new KubeconfigError(`${uw}: client-certificate and client-certificate-data are both set`, 'remove one of them');
  }
  if (user.clientKey && user.clientKeyData) {
    throw new KubeconfigError(`${uw}: client-key and client-key-data are both set`, 'remove one of them');
  }
  const hasCert = !!(user.clientCertificate || user.clientCertificateData);
  const hasKey = !!(user.clientKey || user.clientKeyData);
  if (hasCert && !hasKey) throw new KubeconfigError(`${uw}: client-certificate is set but client-key is not`, 'a client certificate needs its key: set client-key or client-key-data');
  if (hasKey && !hasCert) throw new KubeconfigError(`${uw}: client-key is set but client-certificate is not`, 'set client-certificate or client-certificate-data');
  return {
    clientCertificate: pemRef(user.clientCertificateData, user.clientCertificate, 'client-certificate', uw),
    clientKey: pemRef(user.clientKeyData, user.clientKey, 'client-key', uw),
  };
}

function authMethod(user: UserEntry, uw: string): KubeconfigAuth {
  const methods: string[] = [];
  if (user.token || user.tokenFile) methods.push(user.token ? 'token' : 'tokenFile');
  if (user.username || user.password) methods.push('username/password');
  if (methods.length > 1) throw new KubeconfigError(`${uw}: more than one authentication method (${methods.join(', ')})`, 'keep only one of them');
  if ((user.username && !user.password) || (!user.username && user.password)) {
    throw new KubeconfigError(`${uw}: ${user.username ? 'password' : 'username'} is not set`, 'basic authentication needs both username and password');
  }
  // kubectl: a static token wins over tokenFile and over an exec plugin.
  let auth: KubeconfigAuth = { kind: 'none' };
  if (user.token) auth = { kind: 'token', token: user.token };
  else if (user.tokenFile) auth = { kind: 'token-file', file: user.tokenFile };
  else if (user.username && user.password) auth = { kind: 'basic', username: user.username, password: user.password };
  else if (user.exec) auth = { kind: 'exec', exec: validateExec(user.exec, uw) };
  // An exec entry that loses to another method must still be valid.
  if (user.exec && auth.kind !== 'exec') validateExec(user.exec, uw);
  if (auth.kind === 'exec') {
    // A relative command with a '/' is taken from the folder of the file that defines it.
    const cmd = auth.exec.command;
    if (cmd.includes('/') && !isAbsolute(cmd)) auth.exec.command = resolvePath(dirname(user.file), cmd);
  }
  return auth;
}

/** The user at `uw` (`kubeconfig F: user "u" (context "c")`): its client certificate and authentication. */
export function userCredentials(user: UserEntry, uw: string): UserCredentials {
  if (user.authProvider) {
    throw new KubeconfigError(`${uw}: auth-provider "${user.authProvider}" is not supported`, 'use an exec credential plugin instead, e.g. kubelogin (OIDC), gke-gcloud-auth-plugin or aws eks get-token');
  }
  const cert = clientCertificate(user, uw);
  return { ...cert, auth: authMethod(user, uw) };
}
