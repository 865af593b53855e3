/**
 * Helpers for the direct-access tests (issue #6): an environment isolated
 * from the developer's kubeconfig and service account, kubeconfig files
 * (written as JSON, which is YAML), token files and a fake in-cluster
 * service-account directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tmp(prefix = 'cmwatch-direct-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** HOME without a kubeconfig, no KUBECONFIG, not in a cluster: the resolution order starts from nothing. */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: tmp('cmwatch-home-'),
    KUBECONFIG: undefined,
    KUBERNETES_SERVICE_HOST: undefined,
    KUBERNETES_SERVICE_PORT: undefined,
    CMWATCH_SA_DIR: join(tmpdir(), 'cmwatch-no-such-sa-dir'),
    ...extra,
  };
}

export function writeFile(path: string, content: string | Buffer, mode = 0o600): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
  return path;
}

export interface KubeconfigSpec {
  server: string;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  namespace?: string;
  context?: string;
  clusterName?: string;
  userName?: string;
  currentContext?: string | null;
}

/** A one-context kubeconfig written as JSON (valid YAML). */
export function kubeconfig(path: string, s: KubeconfigSpec): string {
  const ctx = s.context ?? 'fake';
  const clusterName = s.clusterName ?? 'fake-cluster';
  const userName = s.userName ?? 'fake-user';
  const doc: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: s.server, ...s.cluster } }],
    users: [{ name: userName, user: { ...s.user } }],
    contexts: [{ name: ctx, context: { cluster: clusterName, user: userName, ...(s.namespace ? { namespace: s.namespace } : {}) } }],
  };
  if (s.currentContext !== null) doc['current-context'] = s.currentContext ?? ctx;
  return writeFile(path, JSON.stringify(doc, null, 2));
}

/** An unsigned JWT-shaped token whose `sub` claim is `sub` (the fake API does not verify it). */
export function fakeJwt(sub: string, nonce = '1'): string {
  const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'none' })}.${b({ sub, nonce })}.sig`;
}

/** A service-account directory: token, ca.crt, namespace. */
export function saDir(token: string, ca: Buffer, namespace: string): string {
  const dir = tmp('cmwatch-sa-');
  writeFile(join(dir, 'token'), token);
  writeFile(join(dir, 'ca.crt'), ca);
  writeFile(join(dir, 'namespace'), namespace);
  return dir;
}
