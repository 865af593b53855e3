/**
 * The engine's value parsers, for a flag: a bad value becomes the UsageError
 * naming the flag (src/cli/flag-errors.ts), e.g.
 * `--stall-timeout: invalid duration "soon"`.
 */
import { parseDuration } from '../base/duration.js';
import { parseListenAddress, type ListenAddress } from '../ops/listen-address.js';
import { checkFlag } from './flag-errors.js';

/** A duration flag's value in milliseconds (500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds: base/duration.ts). */
export function durationValue(text: string, flag: string): number {
  return checkFlag(flag, () => parseDuration(text));
}

/** A HOST:PORT flag's value (--health-addr, --metrics-addr). */
export function listenAddressValue(text: string, flag: string): ListenAddress {
  return checkFlag(flag, () => parseListenAddress(text));
}
