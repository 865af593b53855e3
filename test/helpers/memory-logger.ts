/** A Logger that keeps its lines, for unit tests. */
import type { Fields, Logger, LogLevel } from '../../src/base/logger.js';

export class MemoryLogger implements Logger {
  readonly level: LogLevel = 'debug';
  readonly format = 'text' as const;
  readonly lines: Array<{ level: LogLevel; msg: string; fields?: Fields }> = [];
  enabled(): boolean { return true; }
  log(level: LogLevel, msg: string, fields?: Fields): void { this.lines.push({ level, msg, fields }); }
  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }
  event(type: string, key: string): void { this.log('info', `${type} ${key}`); }
  text(level?: LogLevel): string { return this.lines.filter((l) => !level || l.level === level).map((l) => l.msg).join('\n'); }
}
