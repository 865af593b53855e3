/**
 * Connection errors whose fix is a cmwatch flag carry a stable `reason` and a
 * hint without flags (src/kube/errors.ts); when one reaches the CLI it gets
 * the hint that names the flag, e.g.
 * `context "prod" not found (have: fake) (hint: pick one with --context NAME; …)`.
 */
import { NAMESPACE_RULE } from '../api/names.js';
import { CmwatchError } from '../base/errors.js';

/** Hints by `code reason`. */
const HINTS: Readonly<Record<string, string>> = {
  'E_KUBECONFIG no-current-context': 'pass --context NAME, or run kubectl config use-context NAME',
  'E_KUBECONFIG context-not-found': 'pick one with --context NAME; kubectl config get-contexts lists them',
  'E_KUBECONFIG context-namespace-invalid': `${NAMESPACE_RULE}; or pass -n NS`,
  'E_KUBECONFIG proxy-url': 'reach the API server directly, or run kubectl proxy and pass --server http://localhost:8001',
  'E_KUBECONFIG unreadable': 'check the path given to --kubeconfig or in KUBECONFIG',
  'E_KUBECONFIG kubeconfig-missing': 'fix or unset KUBECONFIG (unset, ~/.kube/config is used), pass --kubeconfig FILE, or --server URL (http://localhost:8001 for kubectl proxy)',
  'E_CONNECTION_CONFIG pod-namespace-invalid': 'pass -n NS or set WATCH_NAMESPACE',
};

/** The error with the hint that names the flag, when its code and reason have one; else the error as it is. */
export function withFlagHint(err: unknown): unknown {
  if (!(err instanceof CmwatchError)) return err;
  const reason = (err as { reason?: unknown }).reason;
  const key = `${err.code} ${String(reason)}`;
  if (typeof reason !== 'string' || !Object.hasOwn(HINTS, key)) return err;
  return new CmwatchError(err.code, err.message, { hint: HINTS[key], cause: err });
}

/** The advice of a request deadline's hint, naming the flag that sets it. */
export const RAISE_REQUEST_TIMEOUT = 'raise --request-timeout (0: no deadline) if it is only slow';
