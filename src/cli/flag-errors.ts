/**
 * Bad values reported below cli/ (InvalidValueError: a reason and the value,
 * no flag) re-worded as the UsageError the user sees: the flag's name in
 * front, and a hint that names flags where one helps. The messages are the
 * ones cmwatch always printed, e.g. `--exec: unbalanced ' in "./h.sh 'a"`.
 */
import { InvalidValueError, UsageError } from '../base/errors.js';

/** Hints that name flags, by `flag reason`; other reasons keep the checker's hint. */
const FLAG_HINTS: Readonly<Record<string, string>> = {
  '--exec empty': 'give an executable path, e.g. --exec ./handler.sh',
  '--exec-dir missing': 'give a directory of executable handler files, e.g. --exec-dir ./handlers.d',
  '--exec-dir not-a-directory': 'give a directory; for one program use --exec',
};

/** The UsageError for a bad value of `flag`; any other error is returned as it is. */
export function asFlagError(err: unknown, flag: string): unknown {
  if (!(err instanceof InvalidValueError)) return err;
  return new UsageError(`${flag}: ${err.message}`, FLAG_HINTS[`${flag} ${err.reason}`] ?? err.hint, err);
}

/** Runs the check of a flag's value; a bad value becomes a UsageError naming the flag. */
export function checkFlag<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw asFlagError(err, flag);
  }
}
