/**
 * The connection flags (issue #6) and their validation. Which way cmwatch
 * reaches the API is decided later, in src/kube/resolve.ts, from the
 * settings connection-flags.ts makes of them; here only the
 * combinations of flags are checked, as usage errors (exit 2).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { normalizeServer } from '../kube/server-url.js';
import type { ConnectionFlags } from './connection-flags.js';
import { checkFlag } from './flag-errors.js';

/** The connection flags as commander gives them: ConnectionFlags before `server` is traced to its source. */
export type RawConnectionFlags = Omit<ConnectionFlags, 'serverSource'>;

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <url>', 'API server or kubectl proxy URL (env CMWATCH_SERVER); default: the kubeconfig, else in-cluster, else http://localhost:8001 (kubectl proxy)'))
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default its current-context)')
    .option('--token <token>', 'with --server: bearer token (visible in ps; prefer --token-file)')
    .option('--token-file <file>', 'with --server: file holding a bearer token, re-read every minute and after a 401')
    .option('--certificate-authority <file>', 'with an https --server: CA bundle (PEM) that signed the API server\'s certificate')
    .option('--client-certificate <file>', 'with an https --server: client certificate (PEM); needs --client-key')
    .option('--client-key <file>', 'with an https --server: client key (PEM)')
    .option('--insecure-skip-tls-verify', 'with an https --server: do not verify the server\'s certificate (insecure)');
}

function nonEmpty(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === '') throw new UsageError(`${flag}: empty value`, `give ${flag} a value, or leave it out`);
  return v;
}

/** Checks the combinations; CMWATCH_SERVER applies only when neither --kubeconfig nor --context is given. */
export function buildConnectionFlags(f: RawConnectionFlags, env: NodeJS.ProcessEnv = process.env): ConnectionFlags {
  const kubeconfig = nonEmpty(f.kubeconfig, '--kubeconfig');
  const context = nonEmpty(f.context, '--context');
  const serverFlag = nonEmpty(f.server, '--server');
  if (serverFlag !== undefined && (kubeconfig !== undefined || context !== undefined)) {
    throw new UsageError(`--server and ${kubeconfig !== undefined ? '--kubeconfig' : '--context'} exclude each other`,
      'give --server (with --token-file, --certificate-authority…) or a kubeconfig context, not both');
  }
  let server = serverFlag;
  let serverSource: ConnectionFlags['serverSource'] = serverFlag !== undefined ? '--server' : undefined;
  if (server === undefined && kubeconfig === undefined && context === undefined && env.CMWATCH_SERVER) {
    server = env.CMWATCH_SERVER;
    serverSource = 'CMWATCH_SERVER';
  }
  if (server !== undefined) {
    const url = server;
    server = checkFlag(serverSource!, () => normalizeServer(url));
  }

  const token = nonEmpty(f.token, '--token');
  const tokenFile = nonEmpty(f.tokenFile, '--token-file');
  const certificateAuthority = nonEmpty(f.certificateAuthority, '--certificate-authority');
  const clientCertificate = nonEmpty(f.clientCertificate, '--client-certificate');
  const clientKey = nonEmpty(f.clientKey, '--client-key');
  const insecure = !!f.insecureSkipTlsVerify;
  const given = [
    ['--token', token], ['--token-file', tokenFile], ['--certificate-authority', certificateAuthority],
    ['--client-certificate', clientCertificate], ['--client-key', clientKey], ['--insecure-skip-tls-verify', insecure || undefined],
  ].filter(([, v]) => v !== undefined).map(([k]) => k as string);
  if (given.length && server === undefined) {
    throw new UsageError(`${given[0]} needs --server (or CMWATCH_SERVER)`,
      kubeconfig !== undefined || context !== undefined ? 'a kubeconfig carries its own credentials; drop ' + given[0] : 'add --server https://HOST:6443, or put the credentials in a kubeconfig');
  }
  if (token !== undefined && tokenFile !== undefined) throw new UsageError('--token and --token-file exclude each other', 'give one of them (--token-file is re-read when the token rotates)');
  if (clientCertificate !== undefined && clientKey === undefined) throw new UsageError('--client-certificate needs --client-key', 'give the key of the certificate with --client-key FILE');
  if (clientKey !== undefined && clientCertificate === undefined) throw new UsageError('--client-key needs --client-certificate', 'give the certificate with --client-certificate FILE');
  if (insecure && certificateAuthority !== undefined) {
    throw new UsageError('--insecure-skip-tls-verify and --certificate-authority exclude each other', 'verify the server with --certificate-authority, or do not verify it');
  }
  if (server !== undefined && server.startsWith('http:')) {
    const tlsOnly = given.filter((g) => g !== '--token' && g !== '--token-file');
    if (tlsOnly.length) throw new UsageError(`${tlsOnly[0]} applies to an https:// server, but ${serverSource} is ${server}`, 'use https://HOST:PORT, or drop the TLS flags');
  }
  return {
    server, serverSource, token, tokenFile, certificateAuthority, clientCertificate, clientKey,
    insecureSkipTlsVerify: insecure, kubeconfig, context,
  };
}
