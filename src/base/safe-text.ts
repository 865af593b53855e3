/**
 * Describing text that may carry a secret (a malformed watch or recording
 * line can be a Secret cut in half; an exec plugin's stdout can hold a token)
 * without quoting the secret: its length, where parsing failed, and at most a
 * short prefix of text that does not look like JSON (an HTML error page, a
 * plugin's "Please log in"). The prefix stops before the first '"' (JSON
 * strings hold the values) and before the first word that starts a sensitive
 * field ("data", "token", "key", "secret", "password", "cert", any case). JSON
 * parse errors are never quoted: V8's messages quote the input around the
 * error ("Unexpected token 'x', ..."password":x"... is not valid JSON").
 */

const SENSITIVE = /data|token|key|secret|password|cert/i;

/**
 * At most `max` characters of `text`, none when it starts like JSON ("{", "[",
 * '"'), cut before the first '"' or sensitive word, control characters shown
 * as "?"; "…" marks a cut. '' when nothing is safe to show.
 */
export function safePrefix(text: string, max = 24): string {
  if (/^\s*[[{"]/.test(text)) return '';
  let s = text.slice(0, max);
  const quote = s.indexOf('"');
  if (quote >= 0) s = s.slice(0, quote);
  const hit = SENSITIVE.exec(s);
  if (hit) s = s.slice(0, hit.index);
  s = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return s.length < text.length && s !== '' ? `${s}…` : s;
}

/** Where a JSON.parse error says it failed ("... at position 30"), if it says so. */
export function jsonErrorPosition(err: unknown): number | undefined {
  const m = /at position (\d+)/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : undefined;
}

/**
 * Why a JSON text did not parse, without its content past a safe prefix:
 * `45 bytes, at position 30` or `8 bytes, starting with "not json"`.
 */
export function unparsableDetails(text: string, err: unknown): string {
  const bytes = Buffer.byteLength(text);
  const pos = jsonErrorPosition(err);
  const message = err instanceof Error ? err.message : String(err);
  const where = pos !== undefined ? `, at position ${pos}` : /end of JSON input/.test(message) ? ', it ends early' : '';
  const prefix = safePrefix(text);
  return `${bytes} byte${bytes === 1 ? '' : 's'}${where}${prefix ? `, starting with ${JSON.stringify(prefix)}` : ''}`;
}
