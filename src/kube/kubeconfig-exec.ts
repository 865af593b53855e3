/**
 * A user's `exec:` entry (a credential plugin), validated as client-go
 * validates it when the user is resolved, not when the file is read, so a
 * broken entry of an unused user does not fail.
 */
import { KubeconfigError } from './errors.js';
import { FieldReader, isObj, typeName } from './kubeconfig-fields.js';
import { EXEC_API_VERSIONS, type ExecApiVersion, type ExecEntry, type InteractiveMode } from './kubeconfig-types.js';

function execEnv(raw: Record<string, unknown>, where: string): ExecEntry['env'] {
  const envRaw = raw.env ?? [];
  if (!Array.isArray(envRaw)) throw new KubeconfigError(`${where}: exec.env must be a list of {name, value}`, 'e.g. env: [{name: AWS_PROFILE, value: dev}]');
  return envRaw.map((e, i) => {
    if (!isObj(e) || typeof e.name !== 'string' || e.name === '') {
      throw new KubeconfigError(`${where}: exec.env[${i}] has no name`, 'each entry of exec.env needs name: and value:');
    }
    if (e.value !== undefined && e.value !== null && typeof e.value !== 'string') {
      throw new KubeconfigError(`${where}: exec.env[${i}] (${e.name}): value must be a string, got ${typeName(e.value)}`, 'quote the value');
    }
    return { name: e.name, value: (e.value as string | undefined) ?? '' };
  });
}

function interactiveMode(r: FieldReader, raw: Record<string, unknown>, apiVersion: string, where: string): InteractiveMode {
  let mode = r.str(raw, 'interactiveMode');
  if (mode === undefined) {
    // v1 requires it; v1beta1 defaults to IfAvailable (client-go's defaulting).
    if (apiVersion === 'client.authentication.k8s.io/v1') {
      throw new KubeconfigError(`${where}: exec.interactiveMode is not set (required with ${apiVersion})`, 'add interactiveMode: Never (or IfAvailable, Always)');
    }
    mode = 'IfAvailable';
  }
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') {
    throw new KubeconfigError(`${where}: exec.interactiveMode "${mode}" is not one of Never, IfAvailable, Always`, 'use interactiveMode: Never for a daemon');
  }
  return mode;
}

/** The exec entry of the user at `where`, checked field by field. */
export function validateExec(raw: Record<string, unknown>, where: string): ExecEntry {
  const r = new FieldReader(`${where}: exec`);
  const command = r.str(raw, 'command');
  if (!command) throw new KubeconfigError(`${where}: exec.command is not set`, 'set users[].user.exec.command to the credential plugin, e.g. aws or kubelogin');
  const apiVersion = r.str(raw, 'apiVersion');
  if (!apiVersion) throw new KubeconfigError(`${where}: exec.apiVersion is not set`, `use ${EXEC_API_VERSIONS.join(' or ')}`);
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new KubeconfigError(`${where}: exec.apiVersion "${apiVersion}" is not supported`, `use ${EXEC_API_VERSIONS.join(' or ')}`);
  }
  const args = raw.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new KubeconfigError(`${where}: exec.args must be a list of strings`, 'quote each argument');
  }
  const env = execEnv(raw, where);
  const mode = interactiveMode(r, raw, apiVersion, where);
  return {
    command, args: args as string[], env, apiVersion: apiVersion as ExecApiVersion,
    installHint: r.str(raw, 'installHint'),
    provideClusterInfo: r.bool(raw, 'provideClusterInfo'),
    interactiveMode: mode,
  };
}
