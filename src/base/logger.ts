/**
 * What every stage logs through: the logger's interface. The implementation
 * (formats, colour, stderr with bounded backpressure) is src/ops/log.ts; the
 * stages below ops/ depend only on this shape, so data keeps flowing one way.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type Fields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  log(level: LogLevel, msg: string, fields?: Fields): void;
  /** The one human line per watch event, e.g. `MODIFIED default/webapp-config selector=app=webapp`. */
  event(type: string, key: string, fields?: Fields): void;
}
