/**
 * Bad values reported below cli/ (InvalidValueError: a reason and the value,
 * no flag) re-worded as the UsageError the user sees: the flag's name in
 * front, and a hint that names flags where one helps. The messages are the
 * ones cmwatch always printed, e.g. `--exec: unbalanced ' in "./h.sh 'a"`.
 */
import { InvalidValueError, UsageError } from '../base/errors.js';
import { LISTEN_SYNTAX_REASONS } from '../ops/listen-address.js';

/** Hints that name flags, by `flag reason`; other reasons keep the checker's hint. */
const FLAG_HINTS: Readonly<Record<string, string>> = {
  '--exec empty': 'give an executable path, e.g. --exec ./handler.sh',
  '--exec-dir missing': 'give a directory of executable handler files, e.g. --exec-dir ./handlers.d',
  '--exec-dir not-a-directory': 'give a directory; for one program use --exec',
};

/** Hints that show the flag itself in an example, by reason, for any flag. */
const EXAMPLE_HINTS: Readonly<Record<string, (flag: string) => string>> = Object.fromEntries(
  LISTEN_SYNTAX_REASONS.map((reason) => [reason, (flag: string) => `give HOST:PORT, e.g. ${flag} :8080 (all interfaces), 127.0.0.1:8080 or [::1]:8080`]),
);

function flagHint(flag: string, err: InvalidValueError): string | undefined {
  const byFlag = FLAG_HINTS[`${flag} ${err.reason}`];
  if (byFlag !== undefined) return byFlag;
  return Object.hasOwn(EXAMPLE_HINTS, err.reason) ? EXAMPLE_HINTS[err.reason]!(flag) : err.hint;
}

/** The UsageError for a bad value of `flag`; any other error is returned as it is. */
export function asFlagError(err: unknown, flag: string): unknown {
  if (!(err instanceof InvalidValueError)) return err;
  return new UsageError(`${flag}: ${err.message}`, flagHint(flag, err), err);
}

/** Runs the check of a flag's value; a bad value becomes a UsageError naming the flag. */
export function checkFlag<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw asFlagError(err, flag);
  }
}
