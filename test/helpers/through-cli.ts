/**
 * Errors as the CLI sees them. Nothing below cli/ chooses an exit code; the
 * CLI's one mapping (exitCodeFor in src/cli/exit-codes.ts) records it on the
 * error when the error reaches the CLI. Tests of engine functions that check
 * which exit code an error ends in pass the error through that mapping.
 */
import { exitCodeFor } from '../../src/cli/exit-codes.js';

/** The error, after the CLI's mapping recorded its exit code. */
export function seenByCli<E>(err: E): E {
  exitCodeFor(err);
  return err;
}

/** The promise, whose rejection goes through the CLI's mapping first. */
export function throughCli<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw seenByCli(err);
  });
}
