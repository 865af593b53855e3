/**
 * Change detection remembers only a hash of each object's content (what a
 * content function, content.ts, makes of it), never the object, so memory
 * stays flat with many objects.
 *
 * A content function builds one text that frames every key and value with
 * its length (no escaping, so no copy of a large value is made), and the
 * whole text is hashed in one call: this runs for every event, and it used to
 * cost more than the JSON.parse of the event itself. Length framing is
 * unambiguous; the text is hashed as UTF-8, in which only lone surrogates
 * would collide, and the API never serves those (its JSON encoder replaces
 * them with U+FFFD). The framing itself is in framed-text.ts (without
 * node:crypto, which costs `--help` about 8 ms to load).
 */
import { hash } from 'node:crypto';

/**
 * The remembered hash of a content text, and the content hash a handler is
 * given (CMWATCH_CONTENT_HASH). Its format is fixed, so a hash stored by a
 * handler (in a CR's status, an annotation) can be compared after a restart
 * or on another machine: the first 22 characters of the standard base64
 * encoding (RFC 4648 section 4: `A-Z a-z 0-9 + /`, here never padded) of
 * the SHA-256 digest of the content text encoded as UTF-8. That is the
 * digest's first 132 bits. The content text is the content function's
 * (content.ts); for ConfigMaps it is the text cmwatch has always hashed.
 * Golden values: test/unit/watch/content-golden.test.ts.
 */
export function fingerprint(content: string): string {
  return fingerprintOf(contentDigest(content));
}

/**
 * The whole digest of a content text, base64 (44 characters), as the change
 * detector keeps it per key: a string of its own, where the 22-character
 * fingerprint cut from it would be a view that keeps all 44 alive anyway
 * (V8 slices strings of 13 characters or more) and costs a header on top:
 * 64 bytes a key instead of 96 (issue #18).
 */
export function contentDigest(content: string): string {
  return hash('sha256', content, 'base64');
}

/** The fingerprint in a digest from contentDigest. */
export function fingerprintOf(digest: string): string {
  return digest.slice(0, 22);
}
