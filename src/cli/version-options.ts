/**
 * `cmwatch version`: cmwatch's version, Node's, and the API server's (GET
 * /version), like `kubectl version`. `--client` prints only the first two
 * and never connects. It takes the connection flags of `watch`.
 */
import type { Command } from 'commander';
import { addConnectionOptions, buildConnectionFlags, type RawConnectionFlags } from './connection-options.js';
import type { ConnectionFlags } from './connection-flags.js';
import { durationFlag } from './handler-options.js';

export interface VersionConfig {
  client: boolean;
  connection: ConnectionFlags;
  requestTimeoutMs: number;
}

export interface RawVersionFlags extends RawConnectionFlags {
  client?: boolean;
  requestTimeout: string;
}

export const VERSION_HELP = `
Prints three lines:

  cmwatch 0.1.0
  node v20.19.0
  server v1.35.0 at https://127.0.0.1:6443 (kubeconfig context "kind-kind")

When the server cannot be reached (or refuses GET /version) the last line
says so, with the reason and a hint, and the exit code is 1, as for
kubectl version. --client prints the first two lines and never connects.

Exit codes: 0 ok, 1 the server's version could not be read, 2 usage error.
`;

export function addVersionOptions(cmd: Command): Command {
  return addConnectionOptions(cmd)
    .option('--client', 'print only cmwatch\'s and Node\'s versions; do not connect')
    .option('--request-timeout <duration>', 'deadline of GET /version', '10s');
}

export function buildVersionConfig(f: RawVersionFlags, env: NodeJS.ProcessEnv = process.env): VersionConfig {
  return {
    client: !!f.client,
    connection: buildConnectionFlags(f, env),
    requestTimeoutMs: durationFlag(f.requestTimeout, '--request-timeout'),
  };
}
