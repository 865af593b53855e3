import { InvalidValueError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** What a duration may look like, for help texts and hints. */
export const DURATION_FORMS = '500ms, 30s, 5m, 1h, 1m30s; a bare number is seconds';
export const DURATION_HINT = `use a number with a unit, e.g. ${DURATION_FORMS}`;

/**
 * Parses a duration such as `500ms`, `30s`, `5m`, `1h` or `1m30s` into
 * milliseconds. A bare number is seconds (`30` is `30s`), as kubectl's
 * --request-timeout takes it; the help and the error hint say so. A bad
 * value is an InvalidValueError (reason `invalid-duration`); the CLI names
 * the flag.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (s === '' || matched !== s.length) {
    throw new InvalidValueError('invalid-duration', text, `invalid duration "${text}"`, DURATION_HINT);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
