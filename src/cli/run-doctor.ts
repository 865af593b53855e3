/**
 * `cmwatch doctor [RESOURCE...] [watch flags]`: checks what usually goes
 * wrong, one line each on stdout, `✓ …` or `✗ … (hint: …)`: the connection
 * and where it came from, the server answering, each RESOURCE, each
 * namespace existing, RBAC for every verb the mode needs
 * (SelfSubjectAccessReview, doctor-needs.ts), the handlers, and jq/curl on
 * PATH when a handler script uses them. Exit 1 when any line is ✗.
 */
import { readFileSync } from 'node:fs';
import { oneLine } from '../base/errors.js';
import { ApiError } from '../api/api-error.js';
import type { ApiResource } from '../api/resource.js';
import { Logger } from '../ops/log.js';
import { KubeClient } from '../kube/client.js';
import { Discovery } from '../kube/discovery.js';
import { objectPath } from '../api/object-path.js';
import { resolveCommand } from '../handlers/executable.js';
import { splitCommand } from '../handlers/command.js';
import { connect } from './connect.js';
import { execSpec } from './handler-options.js';
import { accessNeeds, grantHint, needText, type AccessNeed } from './doctor-needs.js';
import { ExitCode } from './exit-codes.js';
import { writeStdout } from './stdout.js';
import type { WatchConfig } from './options.js';

export interface DoctorConfig {
  /** The watch configuration, handlers not checked (doctor reports them as lines instead). */
  watch: WatchConfig;
  exec: string[];
}

class Report {
  failed = 0;
  async line(ok: boolean, text: string, hint?: string): Promise<void> {
    if (!ok) this.failed++;
    await writeStdout(`${ok ? '✓' : '✗'} ${text}${!ok && hint ? ` (hint: ${hint})` : ''}\n`);
  }
}

/** The checks, in the order a newcomer trips over them; see the file's comment. Long, as a list of steps. */
export async function runDoctor(cfg: DoctorConfig, signal: AbortSignal): Promise<number> {
  const r = new Report();
  const w = cfg.watch;
  const log = new Logger({ level: 'error', format: 'text', write: () => {} });
  let connected;
  try {
    connected = await connect(w, log);
  } catch (err) {
    await r.line(false, `connection: ${oneLine(err)}`);
    await checkHandlers(cfg.exec, r);
    return ExitCode.Failure;
  }
  const { conn } = connected;
  const files = connected.kubeconfigFiles?.length ? `, kubeconfig ${connected.kubeconfigFiles.join(':')}` : '';
  await r.line(true, `connection: ${connected.summary}${files}`);
  const client = new KubeClient(conn, { requestTimeoutMs: Math.min(w.requestTimeoutMs || 10_000, 10_000) });
  try {
    try {
      const v = await client.json<{ gitVersion?: string }>('GET', '/version', { signal, verb: 'get' });
      await r.line(true, `API server ${v.gitVersion ?? '(no version)'} answers at ${conn.server}`);
    } catch (err) {
      await r.line(false, `API server at ${conn.server}: ${oneLine(err)}`);
      await checkHandlers(cfg.exec, r);
      return ExitCode.Failure;
    }
    const discovery = new Discovery(client, { signal });
    const resources = await resolveAll(w.resources.length ? w.resources : ['configmaps'], discovery, r, 'resource');
    const snapshots = await resolveAll(w.snapshots, discovery, r, '--snapshot');
    const finalizers = await resolveAll(w.finalizers.map((f) => f.resource ?? w.resources[0] ?? 'configmaps'), discovery, r, '--finalizer');
    for (const ns of connected.namespaces ?? []) await checkNamespace(client, ns, r, signal);
    const needs = accessNeeds({
      resources, namespaces: connected.namespaces, action: w.action, leaderElection: w.leaderElection,
      state: w.state, stateNamespace: w.stateNamespace, snapshots, finalizers,
    });
    for (const need of needs) await checkAccess(client, need, r, signal);
  } finally {
    await conn.close().catch(() => {});
  }
  await checkHandlers(cfg.exec, r);
  return r.failed ? ExitCode.Failure : ExitCode.Ok;
}

async function resolveAll(names: readonly string[], discovery: Discovery, r: Report, label: string): Promise<ApiResource[]> {
  const out: ApiResource[] = [];
  for (const name of names) {
    try {
      const res = await discovery.resolve(name);
      if (res.status !== 'resolved') {
        await r.line(false, `${label} ${name}: the server does not serve ${res.resource} in group ${res.group} (yet)`, 'apply its CRD, or check the name with kubectl api-resources');
        continue;
      }
      const a = res.resource;
      await r.line(true, `${label} ${name}: ${a.canonical} (${a.group ? `${a.group}/` : ''}${a.version} ${a.kind}, ${a.namespaced ? 'namespaced' : 'cluster-scoped'})`);
      out.push(a);
    } catch (err) {
      await r.line(false, `${label} ${name}: ${oneLine(err)}`);
    }
  }
  return out;
}

async function checkNamespace(client: KubeClient, ns: string, r: Report, signal: AbortSignal): Promise<void> {
  try {
    await client.json('GET', objectPath({ group: '', version: 'v1', resource: 'namespaces', name: ns }), { signal, verb: 'get' });
    await r.line(true, `namespace ${ns} exists`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) await r.line(false, `namespace ${ns} does not exist`, `create it (kubectl create namespace ${ns}) or fix -n`);
    else if (err instanceof ApiError && err.status === 403) await r.line(false, `namespace ${ns}: cannot tell whether it exists (may not get namespaces)`, 'check it with kubectl get namespace, or grant get on namespaces');
    else await r.line(false, `namespace ${ns}: ${oneLine(err)}`);
  }
}

async function checkAccess(client: KubeClient, n: AccessNeed, r: Report, signal: AbortSignal): Promise<void> {
  const body = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb: n.verb, group: n.group, resource: n.resource, subresource: n.subresource, namespace: n.namespace } },
  };
  try {
    const res = await client.json<{ status?: { allowed?: boolean; reason?: string } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { signal, verb: 'create', body });
    if (res.status?.allowed) await r.line(true, `RBAC: may ${needText(n)} (${n.why})`);
    else await r.line(false, `RBAC: may not ${needText(n)} (${n.why})`, grantHint(n));
  } catch (err) {
    await r.line(false, `RBAC: cannot ask whether it may ${needText(n)}: ${oneLine(err)}`);
  }
}

/** Each --exec program exists and is executable; jq and curl are on PATH when a handler script uses them. */
async function checkHandlers(exec: readonly string[], r: Report): Promise<void> {
  const tools = new Map<string, string>();
  for (const cmd of exec) {
    try {
      const spec = execSpec(cmd);
      const { path } = resolveCommand(spec.argv[0]!);
      await r.line(true, `handler ${cmd}: ${path} is executable`);
      let text = '';
      try {
        text = readFileSync(path, 'utf8').slice(0, 256 * 1024);
      } catch {
        // unreadable scripts: nothing to scan
      }
      for (const tool of ['jq', 'curl']) if (new RegExp(`(^|[^\\w.-])${tool}([^\\w.-]|$)`, 'm').test(text)) tools.set(tool, path);
    } catch (err) {
      const argv0 = (() => { try { return splitCommand(cmd)[0] ?? cmd; } catch { return cmd; } })();
      await r.line(false, `handler ${argv0}: ${oneLine(err).replace(/^--exec: /, '')}`);
    }
  }
  for (const [tool, user] of tools) {
    const found = resolveCommand(tool);
    if (found.check === 'ok') await r.line(true, `${tool} on PATH (${found.path}), used by ${user}`);
    else await r.line(false, `${tool} is not on PATH, but ${user} uses it`, `install ${tool} (e.g. apt-get install ${tool}), or put it on PATH`);
  }
}
