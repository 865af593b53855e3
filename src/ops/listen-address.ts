/**
 * A listen address: HOST:PORT, where HOST may be empty (all interfaces), a
 * name, an IPv4 address or a bracketed IPv6 address, and PORT is 0 (any free
 * port) to 65535. A bad value is an InvalidValueError whose reason is one of
 * LISTEN_SYNTAX_REASONS or `port-out-of-range`; the CLI names the flag.
 */
import { createRequire } from 'node:module';
import { InvalidValueError } from '../base/errors.js';

/**
 * node:net's isIP, loaded when an address is first checked: this module is on
 * the path of `cmwatch --help`, and node:net costs it about 1.5 ms to load.
 */
let netIsIP: ((s: string) => number) | undefined;
function isIP(s: string): number {
  netIsIP ??= (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP;
  return netIsIP(s);
}

export interface ListenAddress {
  /** undefined: all interfaces. */
  host: string | undefined;
  port: number;
  /** As given, for logs and errors. */
  text: string;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/** Reasons whose hint shows the HOST:PORT forms. */
export const LISTEN_SYNTAX_REASONS: readonly string[] = ['not-host-port', 'not-ipv6', 'not-host'];

export function parseListenAddress(text: string): ListenAddress {
  const bad = (reason: string, message: string) =>
    new InvalidValueError(reason, text, message, 'give HOST:PORT, e.g. :8080 (all interfaces), 127.0.0.1:8080 or [::1]:8080');
  const s = text.trim();
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  if (!m) throw bad('not-host-port', `"${text}" is not HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new InvalidValueError('port-out-of-range', text, `port ${m[3]} in "${text}" is out of range`, 'a port is 0 (any free port) to 65535');
  let host: string | undefined;
  if (m[1] !== undefined) {
    if (isIP(m[1]) !== 6) throw bad('not-ipv6', `"${m[1]}" in "${text}" is not an IPv6 address`);
    host = m[1];
  } else if (m[2]) {
    if (isIP(m[2]) !== 4 && !HOSTNAME.test(m[2])) throw bad('not-host', `"${m[2]}" in "${text}" is not a host name or IP address`);
    host = m[2];
  }
  return { host, port, text: s };
}

/** Two addresses are the same listener (so they share one server). Port 0 never matches: each gets its own. */
export function sameListener(a: ListenAddress, b: ListenAddress): boolean {
  return a.port !== 0 && a.port === b.port && (a.host ?? '') === (b.host ?? '');
}
