/**
 * Errors raised while working out how to reach and authenticate to the API
 * (issue #6). Each message names the file, the context and the field. They
 * carry a code and their cause; the CLI maps the codes to exit codes
 * (src/cli/exit-codes.ts: configuration mistakes exit 2, nothing has been
 * started). Where the fix is a cmwatch flag, the error carries a stable
 * `reason` and a hint without flags; the CLI gives the hint that names the
 * flag (src/cli/connection-hints.ts).
 */
import { CmwatchError } from '../base/errors.js';

/** A CmwatchError class of one code, constructed as `new X(message, hint?, cause?, reason?)`. */
function connectionErrorClass(code: string, name: string) {
  return class extends CmwatchError {
    constructor(message: string, hint?: string, cause?: unknown, readonly reason?: string) {
      super(code, message, { hint, cause });
      this.name = name;
    }
  };
}

/** A kubeconfig that cannot be used as it is: missing, unparsable, or a bad field. */
export const KubeconfigError = connectionErrorClass('E_KUBECONFIG', 'KubeconfigError');
export type KubeconfigError = InstanceType<typeof KubeconfigError>;

/** A file named by a connection setting or by the in-cluster layout cannot be used. */
export const ConnectionConfigError = connectionErrorClass('E_CONNECTION_CONFIG', 'ConnectionConfigError');
export type ConnectionConfigError = InstanceType<typeof ConnectionConfigError>;

/** An exec credential plugin failed: not found, non-zero exit, bad output. */
export const ExecPluginError = connectionErrorClass('E_EXEC_PLUGIN', 'ExecPluginError');
export type ExecPluginError = InstanceType<typeof ExecPluginError>;

/** A credential that worked before cannot be refreshed (e.g. a token file vanished). */
export const CredentialError = connectionErrorClass('E_CREDENTIAL', 'CredentialError');
export type CredentialError = InstanceType<typeof CredentialError>;
