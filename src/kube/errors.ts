/**
 * Errors raised while working out how to reach and authenticate to the API
 * (issue #6). Each message names the file, the context and the field. They
 * carry a code and their cause; the CLI maps the codes to exit codes
 * (src/cli/exit-codes.ts: configuration mistakes exit 2, nothing has been
 * started).
 */
import { CmwatchError } from '../util/errors.js';

/** A kubeconfig that cannot be used as it is: missing, unparsable, or a bad field. */
export class KubeconfigError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_KUBECONFIG', message, { hint, cause });
    this.name = 'KubeconfigError';
  }
}

/** A file named by a connection setting or by the in-cluster layout cannot be used. */
export class ConnectionConfigError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_CONNECTION_CONFIG', message, { hint, cause });
    this.name = 'ConnectionConfigError';
  }
}

/** An exec credential plugin failed: not found, non-zero exit, bad output. */
export class ExecPluginError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_EXEC_PLUGIN', message, { hint, cause });
    this.name = 'ExecPluginError';
  }
}

/** A credential that worked before cannot be refreshed (e.g. a token file vanished). */
export class CredentialError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_CREDENTIAL', message, { hint, cause });
    this.name = 'CredentialError';
  }
}
