/**
 * `cmwatch version` (version-options.ts): cmwatch's and Node's versions,
 * then GET /version of the API server. The first two lines never depend on
 * the cluster; the third says why when it cannot be read (exit 1).
 */
import { oneLine } from '../base/errors.js';
import { ownVersion } from '../base/own-package.js';
import { Logger } from '../ops/log.js';
import { KubeClient } from '../kube/client.js';
import { resolveConnection } from '../kube/resolve.js';
import { connectionSettings } from './connection-flags.js';
import { withFlagHint } from './connection-hints.js';
import { ExitCode } from './exit-codes.js';
import { writeStdout } from './stdout.js';
import type { VersionConfig } from './version-options.js';

interface ServerVersion {
  gitVersion?: string;
  major?: string;
  minor?: string;
}

export async function runVersion(cfg: VersionConfig, signal: AbortSignal): Promise<number> {
  await writeStdout(`cmwatch ${ownVersion()}\nnode ${process.version}\n`);
  if (cfg.client) return ExitCode.Ok;
  // Connection warnings (a missing kubeconfig file…) still go to stderr.
  const log = new Logger({ level: 'warn', format: 'text' });
  let conn;
  try {
    conn = (await resolveConnection(connectionSettings(cfg.connection), { log })).conn;
  } catch (err) {
    await writeStdout(`server: unknown: ${oneLine(withFlagHint(err))}\n`);
    return ExitCode.Failure;
  }
  try {
    const client = new KubeClient(conn, { requestTimeoutMs: cfg.requestTimeoutMs });
    const v = await client.json<ServerVersion>('GET', '/version', { signal, verb: 'get' });
    const text = v.gitVersion ?? (v.major !== undefined ? `v${v.major}.${v.minor ?? '?'}` : 'unknown (GET /version had no gitVersion)');
    await writeStdout(`server ${text} at ${conn.server} (${conn.description})\n`);
    return ExitCode.Ok;
  } catch (err) {
    await writeStdout(`server: unreachable at ${conn.server} (${conn.description}): ${oneLine(err)}\n`);
    return ExitCode.Failure;
  } finally {
    await conn.close().catch(() => {});
  }
}
