/**
 * Errors raised while working out how to reach and authenticate to the API
 * (issue #6). Configuration mistakes exit 2 like usage errors: nothing has
 * been started. Each message names the file, the context and the field.
 */
import { CmwatchError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';

/** A kubeconfig that cannot be used as it is: missing, unparsable, or a bad field. */
export class KubeconfigError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_KUBECONFIG', message, { hint, cause, exitCode: ExitCode.Usage });
    this.name = 'KubeconfigError';
  }
}

/** A file named by a connection flag or by the in-cluster layout cannot be used. */
export class ConnectionConfigError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_CONNECTION_CONFIG', message, { hint, cause, exitCode: ExitCode.Usage });
    this.name = 'ConnectionConfigError';
  }
}

/** An exec credential plugin failed: not found, non-zero exit, bad output. */
export class ExecPluginError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_EXEC_PLUGIN', message, { hint, cause, exitCode: ExitCode.Usage });
    this.name = 'ExecPluginError';
  }
}

/** A credential that worked before cannot be refreshed (e.g. a token file vanished). */
export class CredentialError extends CmwatchError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_CREDENTIAL', message, { hint, cause, exitCode: ExitCode.Usage });
    this.name = 'CredentialError';
  }
}
