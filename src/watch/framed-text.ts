/**
 * The length-framed text a content function builds (content.ts,
 * canonical.ts): every key and value with its length, no escaping, so the
 * text is unambiguous and no large value is copied to escape it. Its hash is
 * fingerprint.ts's.
 */

/** A value with its length: `=LEN:TEXT` for a string, `~LEN:JSON` for anything else (the API sends only strings in maps). */
export function framedValue(v: unknown): string {
  if (typeof v === 'string') return '=' + v.length + ':' + v;
  const text = JSON.stringify(v) ?? '';
  return '~' + text.length + ':' + text;
}

/** A tag, then each key (sorted) and its value, length-framed; just the tag for an absent map. */
export function framedRecord(tag: string, rec: Record<string, unknown> | undefined): string {
  let s = tag;
  if (!rec) return s;
  const keys = Object.keys(rec);
  if (keys.length > 1) keys.sort();
  for (const k of keys) s += k.length + ':' + k + framedValue(rec[k]);
  return s;
}
